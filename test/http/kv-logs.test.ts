import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import { manualClock } from "../cache/clock.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { API_KEY, APP_TOKEN, authorized, countingKv, fakeUpstream, send, TICKET, testEnv, xmlResponse } from "../helpers.js";

/**
 * A KV outage is logged, not answered: the request still gets its tasks. So that a caller's `X-Request-Id` (or the
 * one the Worker gave) finds those log lines, every `kv_read_failed` and `kv_write_failed` line carries the id of the
 * request whose work failed, in the request's path and in its background work (`waitUntil`) alike.
 */

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";
const ADMIN_KEY = "kv-logs-admin-key";

type Line = { event: string; requestId?: unknown };

/** The warnings written so far, as parsed JSON lines. */
function warnings(spy: { mock: { calls: unknown[][] } }): Line[] {
  return spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Line);
}

/** The KV events of these lines, with their request ids, in order. */
const kvEvents = (lines: Line[]) =>
  lines.filter((line) => line.event.startsWith("kv_")).map((line) => [line.event, line.requestId]);

const refuse = (what: string) => async () => Promise.reject(new Error(`KV ${what} failed: 503 Service Unavailable`));

describe("log lines of a failing KV", () => {
  it("carry the request id of the lookup, of the background write, and of a later request's background re-check", async () => {
    const warn = vi.spyOn(console, "warn");
    fakeUpstream(() => xmlResponse(wcf));
    const clock = manualClock();
    const app = createApp(clock);
    // The generation is readable, so the entry itself is looked up in KV, and stored there.
    const { kv, counts } = countingKv(env.BATCH_CACHE, { getWithMetadata: refuse("GET"), put: refuse("PUT") });
    const requestEnv = testEnv({ BATCH_CACHE: kv });

    const first = await send(PATH, { headers: authorized({ "X-Request-Id": "first-request" }), app, env: requestEnv });
    expect(first.status).toBe(200);
    expect(first.headers.get("X-Request-Id")).toBe("first-request");
    expect(kvEvents(warnings(warn))).toEqual([
      ["kv_read_failed", "first-request"],
      ["kv_write_failed", "first-request"],
    ]);

    // Served from memory; past the memory's trust period, KV is asked in the background whether the entry stands.
    warn.mockClear();
    clock.advance(11);
    const second = await send(PATH, { headers: authorized(), app, env: requestEnv });
    expect(second.status).toBe(200);
    expect(second.headers.get("Cache-Status")).toMatch(/; hit; /);
    const secondId = second.headers.get("X-Request-Id");
    expect(secondId).toMatch(/^[0-9a-f-]{36}$/);
    expect(kvEvents(warnings(warn))).toEqual([["kv_read_failed", secondId]]);
    expect(counts).toMatchObject({ getWithMetadata: 2, put: 1 });
  });

  it("carry the request id of a cache generation that cannot be read, and of one that cannot be written", async () => {
    const warn = vi.spyOn(console, "warn");
    fakeUpstream(() => xmlResponse(wcf));
    const unreadable = countingKv(env.BATCH_CACHE, { get: refuse("GET") });
    const read = await send(PATH, {
      headers: authorized({ "X-Request-Id": "generation-read" }),
      env: testEnv({ BATCH_CACHE: unreadable.kv }),
    });
    expect(read.status).toBe(200);
    expect(kvEvents(warnings(warn))).toEqual([["kv_read_failed", "generation-read"]]);

    warn.mockClear();
    const unwritable = countingKv(env.BATCH_CACHE, { put: refuse("PUT") });
    const purge = await send("/v1/cache", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, "X-Request-Id": "generation-write" },
      env: testEnv({ BATCH_CACHE: unwritable.kv, ADMIN_KEYS: ADMIN_KEY }),
    });
    expect(purge.status).toBe(503);
    expect(kvEvents(warnings(warn))).toEqual([["kv_write_failed", "generation-write"]]);
    expect(unwritable.counts.put).toBe(1);

    const text = JSON.stringify(warn.mock.calls);
    for (const secret of [API_KEY, ADMIN_KEY, TICKET, APP_TOKEN]) expect(text).not.toContain(secret);
  });
});
