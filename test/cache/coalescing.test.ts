import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, countingKv, fakeUpstream, gatedUpstream, send, testEnv, xmlResponse } from "../helpers.js";
import { manualClock } from "./clock.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

describe("request coalescing and the memory tier", () => {
  it("makes one upstream call for 50 concurrent identical misses, and gives every caller the same answer", async () => {
    const app = createApp(manualClock());
    const { calls, release } = gatedUpstream(() => xmlResponse(wcf));
    const responses = Array.from({ length: 50 }, (_, index) =>
      send(index % 2 === 0 ? PATH : "/v1/batch-tasks?associateIds=5,5&state=started", { headers: authorized(), app }),
    );
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    release();
    const answered = await Promise.all(responses);
    expect(calls).toHaveLength(1);
    const bodies = await Promise.all(answered.map((response) => response.text()));
    expect(new Set(bodies).size).toBe(1);
    const statuses = answered.map((response) => response.headers.get("Cache-Status"));
    const leader = "superoffice-batch-edge; fwd=miss; stored";
    const collapsed = "superoffice-batch-edge; fwd=miss; stored; collapsed";
    const hit = "superoffice-batch-edge; hit; ttl=30";
    expect(statuses.filter((status) => status === leader)).toHaveLength(1);
    expect(statuses.filter((status) => status !== leader && status !== collapsed && status !== hit)).toEqual([]);
    expect(statuses.filter((status) => status === collapsed).length).toBeGreaterThan(0);
  });

  it("answers a hot key from memory without reading KV", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const { kv, counts } = countingKv(env.BATCH_CACHE);
    const app = createApp(manualClock());
    const requestEnv = testEnv({ BATCH_CACHE: kv });
    await send(PATH, { headers: authorized(), app, env: requestEnv });
    const reads = { ...counts };
    expect(reads.getWithMetadata).toBe(1);
    const hit = await send(PATH, { headers: authorized(), app, env: requestEnv });
    expect(hit.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=30");
    expect(counts.getWithMetadata).toBe(reads.getWithMetadata);
    expect(counts.get).toBe(reads.get);
  });

  it("fills memory from KV, so another isolate's answer is read from KV once", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const clock = manualClock();
    await send(PATH, { headers: authorized(), app: createApp(clock) });
    const { kv, counts } = countingKv(env.BATCH_CACHE);
    const other = createApp(clock);
    const requestEnv = testEnv({ BATCH_CACHE: kv });
    clock.advance(3);
    for (let index = 0; index < 3; index++) {
      const response = await send(PATH, { headers: authorized(), app: other, env: requestEnv });
      expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=27");
    }
    expect(counts.getWithMetadata).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it("never lets an older copy in KV replace a newer answer held in memory", async () => {
    let progress = 42;
    const calls = fakeUpstream(() => xmlResponse(wcf.replace("<ProgressPercent>42<", `<ProgressPercent>${progress}<`)));
    const clock = manualClock();
    const app = createApp(clock);
    const forced = () => send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), app });
    await forced();
    clock.advance(0.5);
    progress = 43;
    const newer = await forced();
    clock.advance(11);
    const later = await send(PATH, { headers: authorized(), app });
    expect(later.headers.get("ETag")).toBe(newer.headers.get("ETag"));
    expect(((await later.json()) as { tasks: { progressPercent: number }[] }).tasks[0]?.progressPercent).toBe(43);
    expect(calls).toHaveLength(2);
  });

  it("writes a key to KV at most once per second, and survives KV refusing a write", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const clock = manualClock();
    const { kv, counts } = countingKv(env.BATCH_CACHE);
    const app = createApp(clock);
    const requestEnv = testEnv({ BATCH_CACHE: kv });
    const forced = () => send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), app, env: requestEnv });
    await forced();
    clock.advance(0.5);
    expect((await forced()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; stored");
    expect(counts.put).toBe(1);
    clock.advance(0.5);
    await forced();
    expect(counts.put).toBe(2);

    const refusing = countingKv(env.BATCH_CACHE, {
      put: async () => Promise.reject(new Error("KV PUT failed: 429 Too Many Requests")),
    });
    const elsewhere = createApp(clock);
    const other = () =>
      send("/v1/batch-tasks?associateIds=6&state=New", {
        headers: authorized(),
        app: elsewhere,
        env: testEnv({ BATCH_CACHE: refusing.kv }),
      });
    const response = await other();
    expect(response.status).toBe(200);
    expect(refusing.counts.put).toBe(1);
    expect((await other()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=30");
  });
});
