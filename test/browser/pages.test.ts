import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ROOT } from "../../bench/services.js";
import { SEED_TASKS } from "../../emulator/seed.js";
import { type RunningEmulator, startEmulator } from "../../emulator/server.js";
import { type StartingService, startWorker } from "./services.js";

/**
 * The two pages for people, in a real browser (Debian's Chromium driven by playwright-core) against `wrangler dev`
 * and the NetServer emulator over 127.0.0.1: the monitor (`/`) shows the tasks and follows a task's progress; the
 * API reference (`/docs`) renders the OpenAPI document. Neither may send a request to any other host.
 */

/** Debian's package by default; `CHROMIUM_PATH` for another build of Chromium. */
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SKIPPED = `skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`;
if (!HAS_CHROMIUM) console.warn(`test/browser: pages.test.ts ${SKIPPED}`);

const OUT = join(ROOT, "test", "browser", "out");
const API_KEY = "dev-key";
/** Short, so that a change upstream reaches the page within the page's refresh plus this. */
const FRESH_SECONDS = 2;

type OpenApiDocument = { info: { title: string }; paths?: Record<string, Record<string, { summary?: string }>> };

/** Every URL a page asked for, to check that none leaves the Worker's origin. */
function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (request) => {
    urls.push(request.url());
  });
  return urls;
}

function offOrigin(urls: readonly string[], origin: string): string[] {
  return urls.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url));
}

/** Page errors and console errors (a refused Content-Security-Policy shows up as one). */
function recordErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return errors;
}

// The two tests run side by side (one browser, a context each): both mostly wait, on the page's refresh and on
// Scalar's 4.8 MB script.
const TITLE = `the pages in Chromium against wrangler dev and the emulator${HAS_CHROMIUM ? "" : ` (${SKIPPED})`}`;
describe.skipIf(!HAS_CHROMIUM)(TITLE, { concurrent: true }, () => {
  let emulator: RunningEmulator;
  let worker: StartingService | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const since = Date.now();
    emulator = await startEmulator({ applicationToken: "dev-app-token" });
    worker = await startWorker({ upstreamUrl: emulator.url, freshSeconds: FRESH_SECONDS, timeoutMs: 45_000 });
    // Each is kept as soon as it exists, so that afterAll ends it even when the other failed.
    const launching = chromium
      .launch({
        executablePath: CHROMIUM,
        headless: true,
        // A fresh temporary profile (--user-data-dir) is Playwright's own for launch(); every other host resolves
        // to nothing, so a stray request fails at once and is still recorded.
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ],
        timeout: 20_000,
      })
      .then((launched) => {
        browser = launched;
      });
    await Promise.all([launching, worker.ready]);
    console.log(`test/browser: emulator, wrangler dev and Chromium ready in ${Date.now() - since} ms`);
  }, 55_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await emulator?.close();
  }, 20_000);

  it("monitor: refuses a wrong key, shows the tasks with bars, rides the ETag, and moves a bar when the task progresses", async ({
    expect,
  }) => {
    if (worker === undefined || browser === undefined) throw new Error("not started");
    const origin = worker.url;
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: "Europe/Oslo",
      locale: "en-GB",
    });
    const requests = recordRequests(context);
    const page = await context.newPage();
    const errors = recordErrors(page);
    const polls: { status: number; cacheStatus: string | null; sent: Record<string, string> }[] = [];
    page.on("response", async (response) => {
      if (!response.url().includes("/v1/batch-tasks")) return;
      const sent = await response.request().allHeaders();
      polls.push({ status: response.status(), cacheStatus: response.headers()["cache-status"] ?? null, sent });
    });

    await page.goto(`${origin}/`);
    await page.getByRole("heading", { name: "Batch tasks" }).waitFor({ timeout: 5000 });
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByLabel("Associate ids").fill("5, 7");
    await page.getByLabel("State").selectOption("All");
    await page.getByRole("button", { name: "Show tasks" }).click();
    const problem = page.getByRole("alert");
    await problem.locator("#problem-title", { hasText: "Missing or invalid API key" }).waitFor({ timeout: 5000 });
    expect(await problem.textContent()).toContain("Paste a valid API key");

    await page.getByLabel("API key").fill(API_KEY);
    await page.getByRole("button", { name: "Show tasks" }).click();
    const rows = page.locator("#tasks tbody tr");
    await rows.first().waitFor({ timeout: 10_000 });
    expect(await problem.isHidden()).toBe(true);

    // What a person sees: every task of associates 5 and 7 (Services85 has no SucceededManualCleanup), in order.
    const expected = SEED_TASKS.filter((task) => [5, 7].includes(task.associateId) && task.state !== "SucceededManualCleanup");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-task-id")))).toEqual(
      expected.map((task) => String(task.id)),
    );
    const exportRow = page.locator('tr[data-task-id="102"]');
    expect(await exportRow.locator(".badge").textContent()).toBe("Started");
    expect(await exportRow.getByRole("progressbar").getAttribute("value")).toBe("45");
    expect(await exportRow.getByRole("progressbar", { name: "45 % · Writing rows 450/1000" }).count()).toBe(1);
    // 2026-11-20T09:01:02.0000001Z in Oslo (UTC+1); "never" for task 101, which never started.
    expect(await exportRow.locator("td[data-label=Started]").textContent()).toBe("20 Nov 2026, 10:01:02");
    expect(await page.locator('tr[data-task-id="101"] td[data-label=Started]').textContent()).toBe("never");
    expect(await page.locator("#cache-status").textContent()).not.toBe("");
    expect(await page.locator("#age").textContent()).toMatch(/^\d+ s$/);

    // The key stays in this tab's session storage, out of the address; the question goes into the address.
    expect(await page.evaluate(() => sessionStorage.getItem("superoffice-batch-edge:api-key"))).toBe(API_KEY);
    expect(page.url()).not.toContain(API_KEY);
    expect(new URL(page.url()).searchParams.get("associateIds")).toBe("5,7");

    // The task moves on upstream. The next poll still finds the tasks the page has (the edge serves its entry, now
    // stale, while it refreshes it): it sends the ETag back and gets 304, and the table stays. A later poll brings
    // the new progress: bounded by two refreshes of the page plus the edge's freshness window.
    const moved = Date.now();
    const update = await fetch(`${emulator.origin}/__emulator/tasks/102`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ progressPercent: 80, progressDescription: "Writing rows 800/1000" }),
    });
    expect(update.status).toBe(200);
    await Promise.all([
      page.locator("#checked-at", { hasText: "unchanged" }).waitFor({ timeout: 20_000 }),
      exportRow
        .getByRole("progressbar", { name: "80 % · Writing rows 800/1000" })
        .waitFor({ timeout: 20_000 })
        .then(() => console.log(`test/browser: the bar moved ${Date.now() - moved} ms after the task progressed`)),
    ]);
    expect(await exportRow.getByRole("progressbar").getAttribute("value")).toBe("80");
    const conditional = polls.find((poll) => poll.status === 304);
    expect(conditional?.sent["if-none-match"]).toMatch(/^W\/"/);
    expect(conditional?.sent.authorization).toBe(`Bearer ${API_KEY}`);
    expect(await rows.count()).toBe(expected.length);
    await page.screenshot({ path: join(OUT, "monitor.png"), fullPage: true });

    // Polls ride the edge cache: the page's own Cache-Control keeps the browser from adding no-cache to them, which
    // would send each one on to SuperOffice (fwd=request).
    expect(polls.every((poll) => poll.sent["cache-control"] === "max-stale")).toBe(true);
    expect(polls.some((poll) => poll.cacheStatus?.includes("; hit;"))).toBe(true);
    expect(polls.filter((poll) => poll.cacheStatus?.includes("fwd=request"))).toEqual([]);

    // A narrow screen: one card per task, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: join(OUT, "monitor-narrow.png"), fullPage: true });

    // The one error is the browser's own line for the wrong key's 401, asked for above.
    expect(errors).toEqual(["console: Failed to load resource: the server responded with a status of 401 (Unauthorized)"]);
    expect(offOrigin(requests, origin)).toEqual([]);
    await context.close();
  }, 45_000);

  it("docs: renders the OpenAPI document with the pinned Scalar bundle, asking no other host", async ({ expect }) => {
    if (worker === undefined || browser === undefined) throw new Error("not started");
    const origin = worker.url;
    if (!existsSync(join(ROOT, "public", "docs", "scalar.js")))
      throw new Error("public/docs/scalar.js is missing: run npm run assets");
    // The Worker's own document, and its main operation, which Scalar titles with its summary: no stand-in, so a
    // broken document fails this test instead of being rendered around.
    const served = await fetch(`${origin}/openapi.json`);
    expect(served.status).toBe(200);
    const document = (await served.json()) as OpenApiDocument;
    const operation = document.paths?.["/v1/batch-tasks"]?.get?.summary;
    if (operation === undefined) throw new Error("/openapi.json has no GET /v1/batch-tasks with a summary");

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const requests = recordRequests(context);
    const page = await context.newPage();
    const errors = recordErrors(page);

    const loading = Date.now();
    await page.goto(`${origin}/docs`);
    await page.getByRole("heading", { name: document.info.title }).first().waitFor({ timeout: 25_000 });
    await page.getByText(operation).first().waitFor({ timeout: 5000 });
    console.log(`test/browser: /docs rendered the document in ${Date.now() - loading} ms`);
    await page.screenshot({ path: join(OUT, "docs.png") });

    // "Try it": the reader types a key into the document's (Bearer) security scheme, and the call goes to this origin
    // with it. Scalar labels each operation's button with its method and path; it renders an operation once it is
    // navigated to, so the operation is opened from the sidebar first.
    await page.getByRole("link", { name: operation }).first().click({ timeout: 10_000 });
    await page.getByPlaceholder("Token").first().fill(API_KEY, { timeout: 10_000 });
    await page.getByRole("button", { name: /^Test Request\s*\(get \/v1\/batch-tasks\)$/ }).click({ timeout: 10_000 });
    const call = page.waitForRequest((request) => request.url().startsWith(`${origin}/v1/batch-tasks`), { timeout: 10_000 });
    await page.getByRole("button", { name: /^Send get request/ }).click({ timeout: 10_000 });
    const sent = await call;
    expect(await sent.headerValue("authorization")).toBe(`Bearer ${API_KEY}`);
    // The key was accepted (the document's examples decide whether the query itself is valid).
    const status = (await sent.response())?.status();
    expect(status === undefined || status === 401 || status === 403).toBe(false);

    expect(requests).toContain(`${origin}/docs/scalar.js`);
    expect(requests).toContain(`${origin}/openapi.json`);
    expect(offOrigin(requests, origin)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
