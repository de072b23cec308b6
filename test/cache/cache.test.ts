import { waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import {
  API_KEY,
  APP_TOKEN,
  authorized,
  countingKv,
  dispatch,
  fakeUpstream,
  send,
  TICKET,
  testEnv,
  xmlResponse,
} from "../helpers.js";
import { manualClock } from "./clock.js";

describe("KV cache", () => {
  it("answers a miss before its KV write starts: copying the body into KV never delays the answer", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const { kv, counts } = countingKv(env.BATCH_CACHE);
    const { response, ctx } = await dispatch("/v1/batch-tasks?associateIds=4,5&state=All", {
      headers: authorized(),
      app: createApp(manualClock()),
      env: testEnv({ BATCH_CACHE: kv }),
    });
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(counts.put).toBeUndefined();
    await waitOnExecutionContext(ctx);
    expect(counts.put).toBe(1);
  });

  it("serves a repeat, a permutation and a duplicated set of the same question from one upstream call", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const clock = manualClock();
    const app = createApp(clock);
    const get = (query: string) => send(`/v1/batch-tasks?${query}`, { headers: authorized(), app });
    const first = await get("associateIds=1,2,3&state=Started");
    expect(first.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    clock.advance(12);
    for (const query of [
      "associateIds=1,2,3&state=Started",
      "associateIds=3,1,2&state=started",
      "associateIds=2,2&associateIds=3,1,1&state=STARTED",
    ]) {
      const response = await get(query);
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=18");
      expect(response.headers.get("Age")).toBe("12");
      expect((await response.json()) as unknown).toMatchObject({ fetchedAt: "2026-11-28T12:00:00.000Z" });
    }
    expect(calls).toHaveLength(1);
  });

  it("keeps different states, associate sets and tenants apart", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const get = (query: string, requestEnv = testEnv()) =>
      send(`/v1/batch-tasks?${query}`, { headers: authorized(), env: requestEnv });
    await get("associateIds=1,2&state=Started");
    expect((await get("associateIds=1,2&state=Failed")).headers.get("Cache-Status")).toContain("fwd=miss");
    expect((await get("associateIds=1,2,3&state=Started")).headers.get("Cache-Status")).toContain("fwd=miss");
    const otherTenant = testEnv({ SUPEROFFICE_BATCH_URL: "https://tenant.example/Cust2/Remote/Services85/Batch.svc" });
    expect((await get("associateIds=1,2&state=Started", otherTenant)).headers.get("Cache-Status")).toContain("fwd=miss");
    expect(calls.map((call) => call.url)).toEqual([
      "https://tenant.example/Cust1/Remote/Services85/Batch.svc",
      "https://tenant.example/Cust1/Remote/Services85/Batch.svc",
      "https://tenant.example/Cust1/Remote/Services85/Batch.svc",
      "https://tenant.example/Cust2/Remote/Services85/Batch.svc",
    ]);
  });

  it("asks SuperOffice again, before answering, once the fresh and stale windows have both passed", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const clock = manualClock();
    const app = createApp(clock);
    const requestEnv = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "20" });
    const get = () => send("/v1/batch-tasks?associateIds=5&state=New", { headers: authorized(), app, env: requestEnv });
    await get();
    clock.advance(9.999);
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=1");
    clock.advance(20.001);
    const refreshed = await get();
    expect(refreshed.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(((await refreshed.json()) as { fetchedAt: string }).fetchedAt).toBe("2026-11-28T12:00:30.000Z");
    expect(calls).toHaveLength(2);
  });

  it("stores the body's exact bytes in KV, and serves an entry stored as text (as earlier versions wrote them) unchanged", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const { response, ctx } = await dispatch("/v1/batch-tasks?associateIds=5&state=All", {
      headers: authorized(),
      app: createApp(manualClock()),
    });
    const sent = new Uint8Array(await response.arrayBuffer());
    await waitOnExecutionContext(ctx);
    const [key] = (await env.BATCH_CACHE.list()).keys.map((entry) => entry.name);
    const stored = await env.BATCH_CACHE.getWithMetadata(key ?? "", "arrayBuffer");
    expect(new Uint8Array(stored.value ?? new ArrayBuffer(0))).toEqual(sent);
    // Rewritten as text, with the same metadata: what a previous version's `put` of the string left in KV.
    await env.BATCH_CACHE.put(key ?? "", new TextDecoder().decode(sent), { metadata: stored.metadata });
    const fromKv = await send("/v1/batch-tasks?associateIds=5&state=All", {
      headers: authorized(),
      app: createApp(manualClock()),
    });
    expect(fromKv.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=30");
    expect(new Uint8Array(await fromKv.arrayBuffer())).toEqual(sent);
    expect(fromKv.headers.get("ETag")).toBe(response.headers.get("ETag"));
    expect(calls).toHaveLength(1);
  });

  it("stores nothing when CACHE_FRESH_SECONDS and CACHE_STALE_SECONDS are 0", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const requestEnv = testEnv({ CACHE_FRESH_SECONDS: "0", CACHE_STALE_SECONDS: "0" });
    const app = createApp();
    const get = () => send("/v1/batch-tasks?associateIds=5&state=New", { headers: authorized(), app, env: requestEnv });
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss");
    await get();
    expect(calls).toHaveLength(2);
    expect((await env.BATCH_CACHE.list()).keys).toHaveLength(0);
  });

  it("uses keys within KV's 512 bytes that hold no secret and no URL, hashing long associate sets", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const many = Array.from({ length: 1000 }, (_, index) => 2_000_000_000 + index).join(",");
    await send(`/v1/batch-tasks?associateIds=${many}&state=All`, { headers: authorized() });
    await send("/v1/batch-tasks?associateIds=-1,0,7&state=All", { headers: authorized() });
    const keys = (await env.BATCH_CACHE.list()).keys.map((key) => key.name).sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^batch:v3:[0-9a-f]{32}:g0:All:-1,0,7$/);
    expect(keys[1]).toMatch(/^batch:v3:[0-9a-f]{32}:g0:All:sha256=[0-9a-f]{64}$/);
    for (const key of keys) {
      expect(new TextEncoder().encode(key).length).toBeLessThanOrEqual(512);
      for (const secret of [TICKET, APP_TOKEN, API_KEY, "tenant.example"]) expect(key).not.toContain(secret);
    }
  });

  it("falls back to SuperOffice when KV fails, still answering and still caching in memory", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const broken = {
      get: async () => {
        throw new Error("KV GET failed: 503");
      },
      getWithMetadata: async () => {
        throw new Error("KV GET failed: 503");
      },
      put: async () => {
        throw new Error("KV PUT failed: 429 Too Many Requests");
      },
    };
    const requestEnv = testEnv({ BATCH_CACHE: broken });
    const get = (app = createApp()) =>
      send("/v1/batch-tasks?associateIds=5&state=New", { headers: authorized(), app, env: requestEnv });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    expect(calls).toHaveLength(2);
    const isolate = createApp();
    expect((await get(isolate)).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect((await get(isolate)).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=30");
    expect(calls).toHaveLength(3);
  });
});
