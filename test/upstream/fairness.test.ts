import { waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import type { Sleep } from "../../src/upstream/limiter.js";
import { manualClock } from "../cache/clock.js";
import exception from "../fixtures/exception.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, dispatch, fakeUpstream, gatedUpstream, send, testEnv, xmlResponse } from "../helpers.js";

const path = (id: number) => `/v1/batch-tasks?associateIds=${id}&state=All`;

/** A sleep the test ends by hand: `wake()` resolves every wait begun so far. */
function manualSleep(): { sleep: Sleep; wake: () => void; waiting: () => number } {
  let waiters: Array<() => void> = [];
  return {
    sleep: () => new Promise<void>((resolve) => waiters.push(resolve)),
    wake: () => {
      const woken = waiters;
      waiters = [];
      for (const resolve of woken) resolve();
    },
    waiting: () => waiters.length,
  };
}

/**
 * A fake SuperOffice answer that declares its length at once and sends its bytes only after `release()`. `pulls`
 * counts the bodies a reader has started on (`highWaterMark: 0`: nothing is pulled before the first read).
 */
function slowAnswers(xml: string) {
  const bytes = new TextEncoder().encode(xml);
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const state = { pulls: 0 };
  const answer = () =>
    new Response(
      new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            state.pulls += 1;
            await gate;
            controller.enqueue(bytes);
            controller.close();
          },
        },
        { highWaterMark: 0 },
      ),
      { headers: { "Content-Type": "text/xml; charset=utf-8", "Content-Length": String(bytes.byteLength) } },
    );
  return { answer, release: () => release(), state, length: bytes.byteLength };
}

describe("rate limiting per API key", () => {
  it("answers 429 with Retry-After once the binding refuses the key, and keys it by a hash, never the key", async () => {
    const seen: string[] = [];
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        seen.push(key);
        return { success: seen.length <= 2 };
      },
    };
    fakeUpstream(() => xmlResponse(wcf));
    const env = testEnv({ RATE_LIMITER: limiter, RATE_LIMIT_PERIOD_SECONDS: "10" });
    const app = createApp();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await send(path(5), { headers: authorized(), app, env }));
    expect(statuses.map((response) => response.status)).toEqual([200, 200, 429]);
    expect(statuses[2]?.headers.get("Retry-After")).toBe("10");
    expect(await statuses[2]?.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:too-many-requests" });
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).not.toContain("test-key");
  });

  it("is off without the binding", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const app = createApp();
    for (let i = 0; i < 5; i++) expect((await send(path(i + 1), { headers: authorized(), app })).status).toBe(200);
  });
});

describe("a cap on concurrent upstream calls per tenant and isolate", () => {
  it("lets UPSTREAM_CONCURRENCY calls run, queues the next, and answers 503 with Retry-After when no slot frees in time", async () => {
    const { sleep, wake, waiting } = manualSleep();
    const app = createApp({ sleep });
    const env = testEnv({ UPSTREAM_CONCURRENCY: "2" });
    const { calls, release } = gatedUpstream(() => xmlResponse(wcf));
    const running = [
      dispatch(path(1), { headers: authorized(), app, env }),
      dispatch(path(2), { headers: authorized(), app, env }),
    ];
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    const queued = dispatch(path(3), { headers: authorized(), app, env });
    await vi.waitFor(() => expect(waiting()).toBe(1));
    expect(calls).toHaveLength(2);
    wake();
    const { response, ctx: queuedCtx } = await queued;
    await waitOnExecutionContext(queuedCtx);
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("1");
    expect(await response.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-busy" });
    release();
    for (const { response: done, ctx } of await Promise.all(running)) {
      expect(done.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    expect(calls).toHaveLength(2);
  });

  it("hands a freed slot to the next caller in line", async () => {
    const { sleep } = manualSleep();
    const app = createApp({ sleep });
    const env = testEnv({ UPSTREAM_CONCURRENCY: "1" });
    const { calls, release } = gatedUpstream(() => xmlResponse(wcf));
    const first = dispatch(path(1), { headers: authorized(), app, env });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const second = dispatch(path(2), { headers: authorized(), app, env });
    release();
    for (const { response, ctx } of await Promise.all([first, second])) {
      expect(response.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    expect(calls).toHaveLength(2);
  });
});

describe("the isolate's byte budget", () => {
  it("is taken for a declared length before reading: while three answers at the cap are on their way, a fourth is refused at once", async () => {
    const slow = slowAnswers(wcf);
    const env = testEnv({ UPSTREAM_MAX_BYTES: String(slow.length) });
    const app = createApp();
    const calls = fakeUpstream(slow.answer);
    const held = [1, 2, 3].map((id) => dispatch(path(id), { headers: authorized(), app, env }));
    await vi.waitFor(() => expect(slow.state.pulls).toBe(3));
    const refused = await send(path(4), { headers: authorized(), app, env });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("1");
    expect(await refused.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-busy" });
    expect(slow.state.pulls).toBe(3);
    slow.release();
    for (const { response, ctx } of await Promise.all(held)) {
      expect(response.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    expect((await send(path(5), { headers: authorized(), app, env })).status).toBe(200);
    expect(calls).toHaveLength(5);
  });
});

describe("a circuit breaker per tenant", () => {
  it("opens after 5 failures in a row, serves stale or 503 with Retry-After, and one probe after the cool-down closes it", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = testEnv({ CACHE_FRESH_SECONDS: "1", CACHE_STALE_SECONDS: "600" });
    let healthy = true;
    const calls = fakeUpstream(() => (healthy ? xmlResponse(wcf) : new Response("down", { status: 503 })));
    const get = (id: number) => send(path(id), { headers: authorized(), app, env });
    expect((await get(1)).status).toBe(200);
    healthy = false;
    clock.advance(2);
    for (let id = 2; id <= 6; id++) expect((await get(id)).status).toBe(502);
    expect(calls).toHaveLength(6);
    const refused = await get(7);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("30");
    expect(await refused.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-circuit-open" });
    const stale = await send(path(1), { headers: authorized({ "Cache-Control": "no-cache" }), app, env });
    expect(stale.headers.get("Cache-Status")).toMatch(/detail=stale-if-error$/);
    expect(calls).toHaveLength(6);
    clock.advance(30);
    healthy = true;
    expect((await get(8)).status).toBe(200);
    expect((await get(9)).status).toBe(200);
    expect(calls).toHaveLength(8);
  });

  it("neither closes nor keeps shut the circuit on a probe refused for lack of the byte budget: the next call probes", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const slow = slowAnswers(wcf);
    const env = testEnv({ UPSTREAM_MAX_BYTES: String(slow.length) });
    let upstream: "slow" | "down" | "up" = "slow";
    const calls = fakeUpstream(() =>
      upstream === "slow" ? slow.answer() : upstream === "up" ? xmlResponse(wcf) : new Response("down", { status: 503 }),
    );
    const get = (id: number) => send(path(id), { headers: authorized(), app, env });
    const held = [1, 2, 3].map((id) => dispatch(path(id), { headers: authorized(), app, env }));
    await vi.waitFor(() => expect(slow.state.pulls).toBe(3));
    upstream = "down";
    for (let id = 4; id <= 8; id++) expect((await get(id)).status).toBe(502);
    expect((await get(9)).status).toBe(503);
    clock.advance(30);

    upstream = "up";
    const probe = await get(10);
    expect(probe.status).toBe(503);
    expect(await probe.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-busy" });
    upstream = "down";
    expect((await get(11)).status).toBe(502);
    const refused = await get(12);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-circuit-open" });
    expect(calls).toHaveLength(10);

    slow.release();
    for (const { response, ctx } of await Promise.all(held)) {
      expect(response.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
  });

  it("closes on a probe answered too large: SuperOffice answered, and the size is this service's limit", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = testEnv({ UPSTREAM_MAX_BYTES: "1024" });
    let large = false;
    fakeUpstream(() => (large ? xmlResponse(`<a>${"x".repeat(2000)}</a>`) : new Response("down", { status: 503 })));
    const get = (id: number) => send(path(id), { headers: authorized(), app, env });
    for (let id = 1; id <= 5; id++) expect((await get(id)).status).toBe(502);
    expect((await get(6)).status).toBe(503);
    clock.advance(30);
    large = true;
    const probe = await get(7);
    expect(await probe.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-response-too-large" });
    large = false;
    for (let id = 8; id <= 11; id++) expect((await get(id)).status).toBe(502);
  });

  it("does not count SuperOffice's application errors: the server is answering", async () => {
    const app = createApp();
    const calls = fakeUpstream(() => xmlResponse(exception.replace("SoSessionException", "SoServerException")));
    for (let id = 1; id <= 7; id++) expect((await send(path(id), { headers: authorized(), app })).status).toBe(502);
    expect(calls).toHaveLength(7);
  });
});

describe("a rejected credential", () => {
  it("is its own problem type, and stops hiding behind stale data after one fresh period", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "600" });
    let rejected = false;
    fakeUpstream(() => (rejected ? xmlResponse(exception) : xmlResponse(wcf)));
    const get = (headers: Record<string, string> = {}) => send(path(5), { headers: authorized(headers), app, env });
    await get();
    rejected = true;
    clock.advance(11);
    const first = await get({ "Cache-Control": "no-cache" });
    expect(first.headers.get("Cache-Status")).toMatch(/detail=stale-if-error$/);
    clock.advance(5);
    expect((await get()).headers.get("Cache-Status")).toMatch(/; hit; ttl=-6$/);
    clock.advance(6);
    const surfaced = await get();
    expect(surfaced.status).toBe(502);
    expect(await surfaced.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-credentials-rejected" });
    rejected = false;
    expect((await get()).status).toBe(200);
  });

  it("is HTTP 401 or 403 as well as an access, session, security or authentication exception", async () => {
    for (const answer of [
      () => new Response(null, { status: 401 }),
      () => new Response("Forbidden", { status: 403, headers: { "Content-Type": "text/plain" } }),
      () => xmlResponse(exception.replace("SoSessionException", "SoAccessDeniedException")),
      () => xmlResponse(exception.replace("SoSessionException", "System.Security.SecurityException")),
    ]) {
      vi.restoreAllMocks();
      fakeUpstream(answer);
      const response = await send(path(5), { headers: authorized(), app: createApp() });
      expect(await response.json()).toMatchObject({
        status: 502,
        type: "urn:superoffice-batch-edge:problem:upstream-credentials-rejected",
      });
    }
  });
});

describe("cache entries are scoped by the identity they were fetched with", () => {
  it("never serves one ticket's answers to a deployment with another ticket", async () => {
    const app = createApp();
    const calls = fakeUpstream(() => xmlResponse(wcf));
    await send(path(5), { headers: authorized(), app });
    const other = await send(path(5), { headers: authorized(), app, env: testEnv({ SUPEROFFICE_TICKET: "7T:another-ticket" }) });
    expect(other.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(calls).toHaveLength(2);
  });
});
