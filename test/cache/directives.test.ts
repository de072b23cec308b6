import { describe, expect, it, vi } from "vitest";
import { parseRequestDirectives } from "../../src/cache/directives.js";
import { createApp } from "../../src/http/app.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, gatedUpstream, send, testEnv, xmlResponse } from "../helpers.js";
import { manualClock } from "./clock.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

function isolate() {
  const clock = manualClock();
  const app = createApp(clock);
  const calls = fakeUpstream(() => xmlResponse(wcf));
  const get = (cacheControl?: string) =>
    send(PATH, { headers: authorized(cacheControl === undefined ? {} : { "Cache-Control": cacheControl }), app });
  return { clock, calls, get };
}

describe("parseRequestDirectives", () => {
  it("reads the directives it honours, case-insensitively, and ignores the rest", () => {
    expect(parseRequestDirectives('No-Cache, MAX-AGE="12", only-if-cached, no-store, foo=bar')).toEqual({
      noCache: true,
      noStore: true,
      maxAge: 12,
      onlyIfCached: true,
    });
    expect(parseRequestDirectives("max-age=-1, max-age=soon")).toEqual({
      noCache: false,
      noStore: false,
      maxAge: undefined,
      onlyIfCached: false,
    });
    expect(parseRequestDirectives(undefined).maxAge).toBeUndefined();
  });
});

describe("request directives", () => {
  it("no-cache asks SuperOffice even for a fresh entry, and stores the answer", async () => {
    const { clock, calls, get } = isolate();
    await get();
    clock.advance(5);
    const forced = await get("no-cache");
    expect(forced.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; stored");
    expect(forced.headers.get("Age")).toBe("0");
    clock.advance(2);
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=28");
    expect(calls).toHaveLength(2);
  });

  it("max-age=N accepts only entries younger than N seconds", async () => {
    const { clock, calls, get } = isolate();
    await get();
    clock.advance(12);
    expect((await get("max-age=20")).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=18");
    expect((await get("max-age=12")).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; stored");
    expect(calls).toHaveLength(2);
  });

  it("max-age never accepts a stale entry (RFC 9111: no stale answer without max-stale)", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const env = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "60" });
    const get = (headers: Record<string, string> = {}) => send(PATH, { headers: authorized(headers), app, env });
    await get();
    clock.advance(15);
    expect((await get({ "Cache-Control": "max-age=20" })).headers.get("Cache-Status")).toBe(
      "superoffice-batch-edge; fwd=stale; stored",
    );
    expect(calls).toHaveLength(2);
  });

  it("no-store on one request does not stop others from storing", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const { calls, release } = gatedUpstream(() => xmlResponse(wcf));
    const leader = send(PATH, { headers: authorized({ "Cache-Control": "no-store" }), app });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const follower = send(PATH, { headers: authorized(), app });
    release();
    expect((await leader).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss");
    const followed = (await follower).headers.get("Cache-Status");
    expect(["superoffice-batch-edge; fwd=miss; stored; collapsed", "superoffice-batch-edge; fwd=miss; stored"]).toContain(
      followed,
    );
    expect((await send(PATH, { headers: authorized(), app })).headers.get("Cache-Status")).toBe(
      "superoffice-batch-edge; hit; ttl=30",
    );
    expect(calls).toHaveLength(followed?.endsWith("collapsed") === true ? 1 : 2);
  });

  it("a stale hit with no-store still lets its background refresh store the answer", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const env = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "60" });
    await send(PATH, { headers: authorized(), app, env });
    clock.advance(15);
    expect(
      (await send(PATH, { headers: authorized({ "Cache-Control": "no-store" }), app, env })).headers.get("Cache-Status"),
    ).toBe("superoffice-batch-edge; hit; ttl=-5");
    expect((await send(PATH, { headers: authorized(), app, env })).headers.get("Cache-Status")).toBe(
      "superoffice-batch-edge; hit; ttl=10",
    );
    expect(calls).toHaveLength(2);
  });

  it("only-if-cached answers 504 when nothing is cached, without asking SuperOffice, and a hit otherwise", async () => {
    const { calls, get } = isolate();
    const missing = await get("only-if-cached");
    expect(missing.status).toBe(504);
    expect(await missing.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:not-cached", status: 504 });
    expect(calls).toHaveLength(0);
    await get();
    const cached = await get("only-if-cached");
    expect(cached.status).toBe(200);
    expect(cached.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=30");
    expect(calls).toHaveLength(1);
  });

  it("no-store answers without storing", async () => {
    const { calls, get } = isolate();
    expect((await get("no-store")).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss");
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(calls).toHaveLength(2);
  });

  it("tells downstream caches to keep an answer no longer than its remaining freshness", async () => {
    const { clock, get } = isolate();
    expect((await get()).headers.get("Cache-Control")).toBe("private, max-age=30");
    clock.advance(12.5);
    const hit = await get();
    expect(hit.headers.get("Cache-Control")).toBe("private, max-age=18");
    expect(hit.headers.get("Age")).toBe("12");
  });
});
