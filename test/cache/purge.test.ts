import { waitOnExecutionContext } from "cloudflare:test";
import { env as workerEnv } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import {
  API_KEY,
  authorized,
  countingKv,
  dispatch,
  fakeUpstream,
  gatedUpstream,
  send,
  testEnv,
  xmlResponse,
} from "../helpers.js";
import { manualClock } from "./clock.js";

const ADMIN = "admin-key";
const env = testEnv({ ADMIN_KEYS: `${ADMIN}, other-admin` });

function isolate() {
  const clock = manualClock();
  const app = createApp(clock);
  const calls = fakeUpstream(() => xmlResponse(wcf));
  const get = (query: string, requestEnv = env) =>
    send(`/v1/batch-tasks?${query}`, { headers: authorized(), app, env: requestEnv });
  const purge = (query = "", key = ADMIN) =>
    send(`/v1/cache${query}`, { method: "DELETE", headers: { Authorization: `Bearer ${key}` }, app, env });
  const status = async (query: string, requestEnv = env) => (await get(query, requestEnv)).headers.get("Cache-Status");
  return { clock, app, calls, get, purge, status };
}

describe("purge", () => {
  it("drops one entry, found by the same normalization as the GET", async () => {
    const { clock, calls, purge, status } = isolate();
    await status("associateIds=1,2&state=Started");
    await status("associateIds=3&state=Started");
    clock.advance(1);
    const purged = await purge("?associateIds=2,1,1&state=started");
    expect(purged.status).toBe(204);
    expect(await status("associateIds=1,2&state=Started")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await status("associateIds=3&state=Started")).toMatch(/; hit; /);
    expect(calls).toHaveLength(3);
  });

  it("accepts a purge within KV's one-write-per-second window (202): gone at once, deleted from KV once KV allows", async () => {
    const clock = manualClock();
    let wake = () => {};
    const sleep = () => new Promise<void>((resolve) => (wake = resolve));
    const app = createApp({ now: clock.now, sleep });
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const { kv, counts } = countingKv(workerEnv.BATCH_CACHE);
    const kvEnv = testEnv({ ADMIN_KEYS: ADMIN, BATCH_CACHE: kv });
    const get = () => send("/v1/batch-tasks?associateIds=1&state=New", { headers: authorized(), app, env: kvEnv });
    await get();
    const { response, ctx } = await dispatch("/v1/cache?associateIds=1&state=New", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${ADMIN}` },
      app,
      env: kvEnv,
    });
    expect(response.status).toBe(202);
    expect(counts.delete ?? 0).toBe(0);
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    wake();
    await waitOnExecutionContext(ctx);
    expect(counts.delete).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it("never serves a purged answer again, even from a KV copy the deletion has not reached yet", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    fakeUpstream(() => xmlResponse(wcf));
    const { kv } = countingKv(workerEnv.BATCH_CACHE, { delete: async () => undefined });
    const kvEnv = testEnv({ ADMIN_KEYS: ADMIN, BATCH_CACHE: kv, CACHE_FRESH_SECONDS: "600" });
    const get = (headers: Record<string, string> = {}) =>
      send("/v1/batch-tasks?associateIds=1&state=New", { headers: authorized(headers), app, env: kvEnv });
    await get();
    clock.advance(1);
    const purged = await send("/v1/cache?associateIds=1&state=New", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${ADMIN}` },
      app,
      env: kvEnv,
    });
    expect(purged.status).toBe(204);
    expect((await get({ "Cache-Control": "only-if-cached" })).status).toBe(504);
  });

  it("invalidates everything for this upstream URL, and only for it", async () => {
    const { clock, calls, purge, status } = isolate();
    const otherTenant = testEnv({
      ADMIN_KEYS: ADMIN,
      SUPEROFFICE_BATCH_URL: "https://tenant.example/Cust2/Remote/Services85/Batch.svc",
    });
    await status("associateIds=1&state=New");
    await status("associateIds=2&state=Failed");
    await status("associateIds=1&state=New", otherTenant);
    expect((await purge()).status).toBe(204);
    expect(await status("associateIds=1&state=New")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await status("associateIds=2&state=Failed")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await status("associateIds=1&state=New", otherTenant)).toMatch(/; hit; /);
    expect(calls).toHaveLength(5);

    const again = await purge();
    expect(again.status).toBe(202);
    expect(await status("associateIds=1&state=New")).toBe("superoffice-batch-edge; fwd=miss; stored");
    clock.advance(1);
    expect((await purge()).status).toBe(204);
  });

  it("reaches other isolates through the generation in KV", async () => {
    const { calls, purge, status } = isolate();
    await status("associateIds=1&state=New");
    expect((await purge()).status).toBe(204);
    const elsewhere = createApp(manualClock());
    const response = await send("/v1/batch-tasks?associateIds=1&state=New", { headers: authorized(), app: elsewhere, env });
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(calls).toHaveLength(2);
  });

  it("needs an admin key: none is 401, an API key is 403, and neither purges anything", async () => {
    const { calls, purge, status } = isolate();
    await status("associateIds=1&state=New");
    const anonymous = await send("/v1/cache", { method: "DELETE", env });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    const reader = await purge("", API_KEY);
    expect(reader.status).toBe(403);
    expect(await reader.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:forbidden" });
    expect((await purge("", "not-a-key")).status).toBe(401);
    expect((await purge("", "other-admin")).status).toBe(204);
    expect(calls).toHaveLength(1);
  });

  it("refuses an empty query (DELETE /v1/cache?) with 400 instead of purging everything", async () => {
    const { purge, status } = isolate();
    await status("associateIds=1&state=New");
    expect((await purge("?")).status).toBe(400);
    expect(await status("associateIds=1&state=New")).toMatch(/; hit; /);
  });

  it("refuses a malformed entry with 400 and changes nothing", async () => {
    const { purge, status } = isolate();
    await status("associateIds=1&state=New");
    const response = await purge("?associateIds=1");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ parameter: "state", detail: "is required" }] });
    expect(await status("associateIds=1&state=New")).toMatch(/; hit; /);
  });

  it("is refused to everyone when ADMIN_KEYS is not set", async () => {
    const response = await send("/v1/cache", { method: "DELETE", headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(response.status).toBe(403);
  });
});

describe("purge reaching what it cannot see at once", () => {
  it("reaches another isolate's memory once that isolate re-checks KV, which it does after answering", async () => {
    const clock = manualClock();
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const longFresh = testEnv({ ADMIN_KEYS: ADMIN, CACHE_FRESH_SECONDS: "600" });
    const [a, b] = [createApp(clock), createApp(clock)];
    const get = (app: ReturnType<typeof createApp>) =>
      send("/v1/batch-tasks?associateIds=1&state=New", { headers: authorized(), app, env: longFresh });
    await get(a);
    expect((await get(b)).headers.get("Cache-Status")).toMatch(/; hit; /);
    clock.advance(1);
    const purged = await send("/v1/cache?associateIds=1&state=New", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${ADMIN}` },
      app: a,
      env: longFresh,
    });
    expect(purged.status).toBe(204);
    clock.advance(8);
    expect((await get(b)).headers.get("Cache-Status")).toMatch(/; hit; /);
    clock.advance(1);
    // Ten seconds on, b still answers from memory, and asks KV after answering: KV has nothing, so b forgets it.
    expect((await get(b)).headers.get("Cache-Status")).toMatch(/; hit; /);
    expect((await get(b)).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(calls).toHaveLength(2);
  });

  it.each([
    ["one entry", "?associateIds=1&state=New"],
    ["the whole tenant", ""],
  ])("keeps an upstream call that was under way from storing the answer when %s is purged", async (_what, purgeQuery) => {
    const clock = manualClock();
    const app = createApp(clock);
    const { calls, release } = gatedUpstream(() => xmlResponse(wcf));
    const path = "/v1/batch-tasks?associateIds=1&state=New";
    const pending = dispatch(path, { headers: authorized(), app, env });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const purged = await send(`/v1/cache${purgeQuery}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${ADMIN}` },
      app,
      env,
    });
    expect(purged.status).toBe(204);
    release();
    const { response, ctx } = await pending;
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss");
    expect((await send(path, { headers: authorized(), app, env })).headers.get("Cache-Status")).toBe(
      "superoffice-batch-edge; fwd=miss; stored",
    );
    expect(calls).toHaveLength(2);
  });
});
