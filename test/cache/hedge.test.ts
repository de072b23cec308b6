import { waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, countingKv, dispatch, fakeUpstream, gatedUpstream, send, testEnv, xmlResponse } from "../helpers.js";
import { manualClock } from "./clock.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

/** KV whose entry reads wait until the test releases them; everything else passes through. */
function slowKv() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const { kv, counts } = countingKv(env.BATCH_CACHE, {
    getWithMetadata: async (...args: unknown[]) => {
      await gate;
      return Reflect.apply(env.BATCH_CACHE.getWithMetadata, env.BATCH_CACHE, args);
    },
  });
  return { kv, counts, release };
}

describe("a slow KV lookup does not sit in series with the upstream call", () => {
  it("starts the upstream call once KV has kept the request waiting for KV_HEDGE_MS, and answers from it", async () => {
    const { kv, release } = slowKv();
    const upstream = gatedUpstream(() => xmlResponse(wcf));
    const hedged = testEnv({ BATCH_CACHE: kv, KV_HEDGE_MS: "0" });
    const pending = dispatch(PATH, { headers: authorized(), env: hedged, options: manualClock() });
    await vi.waitFor(() => expect(upstream.calls).toHaveLength(1));
    release();
    upstream.release();
    const { response, ctx } = await pending;
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(upstream.calls).toHaveLength(1);
  });

  it.each([
    ["fresh", 0, /; hit; ttl=30$/, 42],
    ["stale", 31, /; hit; ttl=-1$/, 43],
  ] as const)(
    "serves what KV holds when it answers after all; a %s answer makes the call under way drop (fresh) or store (stale) its own",
    async (_age, advance, cacheStatus, afterwards) => {
      const clock = manualClock();
      fakeUpstream(() => xmlResponse(wcf));
      expect((await send(PATH, { headers: authorized(), app: createApp(clock) })).status).toBe(200);
      vi.restoreAllMocks();
      clock.advance(advance);
      const { kv, release } = slowKv();
      const upstream = gatedUpstream(() => xmlResponse(wcf.replace("<ProgressPercent>42<", "<ProgressPercent>43<")));
      const elsewhere = createApp(clock);
      const hedged = testEnv({ BATCH_CACHE: kv, KV_HEDGE_MS: "0" });
      const pending = dispatch(PATH, { headers: authorized(), env: hedged, app: elsewhere });
      await vi.waitFor(() => expect(upstream.calls).toHaveLength(1));
      release();
      const { response, ctx } = await pending;
      expect(response.headers.get("Cache-Status")).toMatch(cacheStatus);
      expect(((await response.json()) as { tasks: { progressPercent: number }[] }).tasks[0]?.progressPercent).toBe(42);
      upstream.release();
      await waitOnExecutionContext(ctx);
      const next = await send(PATH, { headers: authorized(), env: hedged, app: elsewhere });
      expect(((await next.json()) as { tasks: { progressPercent: number }[] }).tasks[0]?.progressPercent).toBe(afterwards);
      expect(upstream.calls).toHaveLength(1);
    },
  );

  it("does not amplify: isolates that re-confirm their copies after another stored a newer one call nobody", async () => {
    const clock = manualClock();
    const calls = fakeUpstream(() => xmlResponse(wcf));
    // A KV slower than the hedge (15 ms against 1 ms), as a cold KV read is: every read from KV starts a hedged call.
    const { kv } = countingKv(env.BATCH_CACHE, {
      getWithMetadata: async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, 15));
        return Reflect.apply(env.BATCH_CACHE.getWithMetadata, env.BATCH_CACHE, args);
      },
    });
    const slow = testEnv({ BATCH_CACHE: kv, KV_HEDGE_MS: "1", CACHE_FRESH_SECONDS: "300" });
    const isolates = Array.from({ length: 4 }, () => createApp(clock));
    for (let round = 0; round < 25; round++) {
      for (const app of isolates) {
        await send(PATH, { headers: authorized(), env: slow, app });
        clock.advance(1);
      }
    }
    // One call per cold isolate, whose answer is kept only by the first: nothing more over 100 seconds.
    expect(calls.length).toBe(isolates.length);
  });

  it("does not start anything while KV answers within KV_HEDGE_MS", async () => {
    const upstream = gatedUpstream(() => xmlResponse(wcf));
    const clock = manualClock();
    const app = createApp(clock);
    upstream.release();
    await send(PATH, { headers: authorized(), app });
    const other = createApp(clock);
    const response = await send(PATH, { headers: authorized(), app: other, env: testEnv({ KV_HEDGE_MS: "60000" }) });
    expect(response.headers.get("Cache-Status")).toMatch(/; hit; /);
    expect(upstream.calls).toHaveLength(1);
  });
});
