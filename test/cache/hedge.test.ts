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

  it("serves what KV holds when it answers after all, and lets the call under way store its newer answer", async () => {
    const clock = manualClock();
    fakeUpstream(() => xmlResponse(wcf));
    expect((await send(PATH, { headers: authorized(), app: createApp(clock) })).status).toBe(200);
    vi.restoreAllMocks();
    const { kv, release } = slowKv();
    const upstream = gatedUpstream(() => xmlResponse(wcf.replace("<ProgressPercent>42<", "<ProgressPercent>43<")));
    const elsewhere = createApp(clock);
    const hedged = testEnv({ BATCH_CACHE: kv, KV_HEDGE_MS: "0" });
    const pending = dispatch(PATH, { headers: authorized(), env: hedged, app: elsewhere });
    await vi.waitFor(() => expect(upstream.calls).toHaveLength(1));
    release();
    const { response, ctx } = await pending;
    expect(response.headers.get("Cache-Status")).toMatch(/; hit; ttl=30$/);
    expect(((await response.json()) as { tasks: { progressPercent: number }[] }).tasks[0]?.progressPercent).toBe(42);
    upstream.release();
    await waitOnExecutionContext(ctx);
    const next = await send(PATH, { headers: authorized(), env: hedged, app: elsewhere });
    expect(((await next.json()) as { tasks: { progressPercent: number }[] }).tasks[0]?.progressPercent).toBe(43);
    expect(upstream.calls).toHaveLength(1);
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
