import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { NEVER, SEED_TASKS, type SeedTask } from "../emulator/seed.js";
import { authorized, send, testEnv } from "./helpers.js";

/** The Worker against the NetServer emulator over 127.0.0.1: real fetch, real SOAP, real KV. */
const emulatorEnv = (overrides: Record<string, unknown> = {}) =>
  testEnv({
    SUPEROFFICE_BATCH_URL: env.EMULATOR_URL,
    SUPEROFFICE_TICKET: "7T:e2e-ticket",
    SUPEROFFICE_APP_TOKEN: "e2e-app-token",
    ...overrides,
  });

const emulatorOrigin = new URL(env.EMULATOR_URL).origin;

async function upstreamCount(): Promise<number> {
  const log = (await (await fetch(`${emulatorOrigin}/__emulator/requests`)).json()) as { count: number };
  return log.count;
}

/** What the API must say of a seeded task: the seed minus the Carrier members, dictionaries as objects, "never" as null. */
function expected(task: SeedTask) {
  const { tableRight: _tableRight, fieldProperties: _fieldProperties, parameterObject, lastStarted, created, ...rest } = task;
  const date = (value: string | null) => (value === NEVER ? null : value);
  return {
    ...rest,
    parameterObject: parameterObject === null ? null : Object.fromEntries(parameterObject.map((pair) => [pair.key, pair.value])),
    lastStarted: date(lastStarted),
    created: date(created),
    fileName: null,
    cancellationBehaviour: null,
  };
}

describe("end to end against the NetServer emulator", () => {
  it("answers exactly the seeded tasks of the asked associates and state, once from SuperOffice, then from KV", async () => {
    const before = await upstreamCount();
    const get = () => send("/v1/batch-tasks?associateIds=12,5,0&state=succeeded", { headers: authorized(), env: emulatorEnv() });
    const first = await get();
    expect(first.status).toBe(200);
    const body = (await first.json()) as { tasks: unknown[] };
    const seeded = SEED_TASKS.filter((task) => [0, 5, 12].includes(task.associateId) && task.state === "Succeeded");
    expect(seeded.length).toBeGreaterThan(1);
    expect(body.tasks).toEqual(seeded.map(expected));
    const second = await get();
    expect(second.headers.get("Cache-Status")).toMatch(/; hit; /);
    expect(await upstreamCount()).toBe(before + 1);
  });

  it("answers every seeded task of all users (-1) with state All", async () => {
    const response = await send("/v1/batch-tasks?associateIds=-1&state=All", { headers: authorized(), env: emulatorEnv() });
    const body = (await response.json()) as { tasks: unknown[] };
    expect(body.tasks).toEqual(
      SEED_TASKS.filter((task) => !task.isSystemTask && task.state !== "SucceededManualCleanup").map(expected),
    );
  });

  it("maps the emulator's wrong-ticket exception to 502 upstream-credentials-rejected", async () => {
    const response = await send("/v1/batch-tasks?associateIds=5&state=All", {
      headers: authorized(),
      env: emulatorEnv({ SUPEROFFICE_TICKET: "7T:expired" }),
    });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain("7T:expired");
    expect(JSON.parse(text)).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-credentials-rejected" });
  });

  it.each([
    ["exception", 502],
    ["fault", 502],
    ["malformed", 502],
    ["truncated", 502],
    ["html", 502],
  ])("maps the emulator's %s failure to %i", async (fail, status) => {
    const response = await send("/v1/batch-tasks?associateIds=5&state=All", {
      headers: authorized(),
      env: emulatorEnv({ SUPEROFFICE_BATCH_URL: `${env.EMULATOR_URL}?fail=${fail}` }),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("answers 504 when the emulator is slower than UPSTREAM_TIMEOUT_MS", async () => {
    const response = await send("/v1/batch-tasks?associateIds=5&state=All", {
      headers: authorized(),
      env: emulatorEnv({ SUPEROFFICE_BATCH_URL: `${env.EMULATOR_URL}?delayMs=2000`, UPSTREAM_TIMEOUT_MS: "100" }),
    });
    expect(response.status).toBe(504);
  });

  it("answers 503 when nothing listens at the upstream URL", async () => {
    const response = await send("/v1/batch-tasks?associateIds=5&state=All", {
      headers: authorized(),
      env: emulatorEnv({ SUPEROFFICE_BATCH_URL: "http://127.0.0.1:9/SuperOffice/Remote/Services85/Batch.svc" }),
    });
    expect(response.status).toBe(503);
  });
});
