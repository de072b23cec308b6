import { waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import exception from "../fixtures/exception.xml?raw";
import faultSoap11 from "../fixtures/fault-soap11.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, dispatch, fakeUpstream, gatedUpstream, send, testEnv, xmlResponse } from "../helpers.js";
import { manualClock } from "./clock.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";
const windows = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "60" });

type Answer = () => Response | Promise<Response>;

/** One isolate (one app) with a manual clock and a fake SuperOffice whose answer the test can change. */
function isolate() {
  const clock = manualClock();
  const app = createApp(clock);
  let answer: Answer = () => xmlResponse(wcf);
  const calls = fakeUpstream(() => answer());
  const get = (headers: Record<string, string> = {}) => send(PATH, { headers: authorized(headers), app, env: windows });
  return {
    clock,
    app,
    calls,
    get,
    answerWith: (next: Answer) => {
      answer = next;
    },
  };
}

const fetchedAt = async (response: Response) => ((await response.json()) as { fetchedAt: string }).fetchedAt;

describe("stale-while-revalidate", () => {
  it("serves a stale entry at once and refreshes it in the background", async () => {
    const { clock, calls, get } = isolate();
    await get();
    clock.advance(15);
    const stale = await get();
    expect(stale.status).toBe(200);
    expect(stale.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=-5");
    expect(stale.headers.get("Age")).toBe("15");
    expect(stale.headers.get("Cache-Control")).toBe("private, max-age=0");
    expect(await fetchedAt(stale)).toBe("2026-11-28T12:00:00.000Z");
    expect(calls).toHaveLength(2);
    const next = await get();
    expect(next.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=10");
    expect(await fetchedAt(next)).toBe("2026-11-28T12:00:15.000Z");
    expect(calls).toHaveLength(2);
  });

  it("refreshes a key at most once at a time, however many stale requests arrive", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    fakeUpstream(() => xmlResponse(wcf));
    await send(PATH, { headers: authorized(), app, env: windows });
    vi.restoreAllMocks();
    clock.advance(15);
    const { calls, release } = gatedUpstream(() => xmlResponse(wcf));
    const pending = await Promise.all(
      Array.from({ length: 5 }, () => dispatch(PATH, { headers: authorized(), app, env: windows })),
    );
    for (const { response } of pending) expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=-5");
    release();
    await Promise.all(pending.map(({ ctx }) => waitOnExecutionContext(ctx)));
    expect(calls).toHaveLength(1);
  });

  it("keeps serving the stale entry when the background refresh fails, and logs the failure", async () => {
    const { clock, calls, get, answerWith } = isolate();
    await get();
    clock.advance(15);
    answerWith(() => xmlResponse(faultSoap11, 500));
    const warn = vi.spyOn(console, "warn");
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=-5");
    expect(warn.mock.calls.flat().join("\n")).toContain('"event":"upstream_failed"');
    clock.advance(1);
    expect((await get()).headers.get("Cache-Status")).toBe("superoffice-batch-edge; hit; ttl=-6");
    expect(calls).toHaveLength(3);
  });
});

describe("stale-if-error", () => {
  const failures: Array<[string, Answer]> = [
    ["Succeeded=false", () => xmlResponse(exception)],
    ["a SOAP fault", () => xmlResponse(faultSoap11, 500)],
    ["an HTML error page", () => new Response("<html>503</html>", { status: 503, headers: { "Content-Type": "text/html" } })],
    ["a body that fails the schema", () => xmlResponse(wcf.replace("<ProgressPercent>42<", "<ProgressPercent>40000<"))],
    [
      "an unreachable server",
      () => {
        throw new TypeError("Network connection lost.");
      },
    ],
  ];

  it.each(failures)("serves the cached entry instead of the error when revalidation meets %s", async (_name, failure) => {
    const { clock, calls, get, answerWith } = isolate();
    await get();
    clock.advance(15);
    answerWith(failure);
    const warn = vi.spyOn(console, "warn");
    const response = await get({ "Cache-Control": "no-cache" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=stale; ttl=-5; detail=stale-if-error");
    expect(response.headers.get("Age")).toBe("15");
    expect(await fetchedAt(response)).toBe("2026-11-28T12:00:00.000Z");
    expect(warn.mock.calls.flat().join("\n")).toContain('"event":"upstream_failed"');
    expect(calls).toHaveLength(2);
  });

  it("serves the cached entry when revalidation times out", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const requestEnv = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "60", UPSTREAM_TIMEOUT_MS: "20" });
    fakeUpstream(() => xmlResponse(wcf));
    await send(PATH, { headers: authorized(), app, env: requestEnv });
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockImplementation(
      (_input, init) =>
        new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
    );
    const response = await send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), app, env: requestEnv });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; ttl=10; detail=stale-if-error");
  });

  it("answers the error once the entry is past the stale window", async () => {
    const { clock, calls, get, answerWith } = isolate();
    await get();
    clock.advance(70);
    answerWith(() => xmlResponse(faultSoap11, 500));
    const response = await get();
    expect(response.status).toBe(502);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(calls).toHaveLength(2);
  });
});
