import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import { OnlineTicketing } from "../../src/upstream/tickets.js";
import { manualClock } from "../cache/clock.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, send, xmlResponse } from "../helpers.js";
import { fakeOnline, jwt, onlineEnv, watched } from "../online/fake-online.js";

const path = (id: number) => `/v1/batch-tasks?associateIds=${id}&state=All`;

/** What the test throws from ticketing: a bug's TypeError, quoting a secret that must stay out of every answer. */
const THROWN = "Cannot read properties of undefined (reading 'ticket') near SysUser-token-abcdef";

/**
 * SuperOffice Online behind `fetch` (its login always signs in; Batch.svc answers `batch()`), and an Online ticketing
 * that throws while `throwing` is set: the way a sign-in, its KV or WebCrypto could fail that nobody foresaw.
 */
function onlineWithThrowingTicketing() {
  const state = { throwing: false, healthy: true, batchCalls: 0 };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url.includes("/Login/")) {
      return Response.json({ IsSuccessful: true, ErrorMessage: null, Token: jwt("7T:ticket-number-1") });
    }
    state.batchCalls += 1;
    return state.healthy ? xmlResponse(wcf) : new Response("down", { status: 503 });
  });
  const current = OnlineTicketing.prototype.current;
  vi.spyOn(OnlineTicketing.prototype, "current").mockImplementation(function (this: OnlineTicketing, context) {
    if (state.throwing) throw new TypeError(THROWN);
    return current.call(this, context);
  });
  return state;
}

describe("a failure that throws in the upstream step", () => {
  it("is a classified upstream failure: stale-if-error when a stale entry exists, else a 502 that shows nothing of it", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = await onlineEnv({ CACHE_FRESH_SECONDS: "1", CACHE_STALE_SECONDS: "600" });
    const state = onlineWithThrowingTicketing();
    expect((await send(path(5), { headers: authorized(), app, env })).status).toBe(200);
    clock.advance(2);
    state.throwing = true;

    const stale = await send(path(5), { headers: authorized({ "Cache-Control": "no-cache" }), app, env });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("Cache-Status")).toMatch(/; fwd=stale; ttl=-1; detail=stale-if-error$/);

    const uncached = await send(path(6), { headers: authorized(), app, env });
    expect(uncached.status).toBe(502);
    const text = await uncached.text();
    expect(JSON.parse(text)).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed",
      detail: "Getting credentials for SuperOffice failed unexpectedly; the failure is logged.",
    });
    for (const leak of ["TypeError", "reading", "SysUser-token"]) expect(text).not.toContain(leak);
    expect(state.batchCalls).toBe(1);
  });

  it("releases the breaker's probe when the probe throws: the next call probes, and closes the circuit", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = await onlineEnv();
    const state = onlineWithThrowingTicketing();
    const get = (id: number) => send(path(id), { headers: authorized(), app, env });
    state.healthy = false;
    for (let id = 1; id <= 5; id++) expect((await get(id)).status).toBe(502);
    expect((await get(6)).status).toBe(503);
    clock.advance(30);

    state.throwing = true;
    const probe = await get(7);
    expect(probe.status).toBe(502);
    expect(await probe.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed" });

    state.throwing = false;
    state.healthy = true;
    expect((await get(8)).status).toBe(200);
    expect((await get(9)).status).toBe(200);
    expect(state.batchCalls).toBe(7);
  });

  it("neither opens the circuit nor breaks a run of failures: it says nothing about SuperOffice", async () => {
    const app = createApp(manualClock());
    const env = await onlineEnv();
    const state = onlineWithThrowingTicketing();
    const get = (id: number) => send(path(id), { headers: authorized(), app, env });
    state.healthy = false;
    for (let id = 1; id <= 4; id++) expect((await get(id)).status).toBe(502);
    state.throwing = true;
    for (let id = 5; id <= 10; id++) expect((await get(id)).status).toBe(502);
    state.throwing = false;
    expect((await get(11)).status).toBe(502);
    const refused = await get(12);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-circuit-open" });
    expect(state.batchCalls).toBe(5);
  });
});

describe("Online credentials that fail by throwing", () => {
  it("are logged with every ticket a call may still hold hidden: the current one and the one it replaced", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = await onlineEnv();
    // Tickets with no 8 characters in common, so that hiding one cannot hide the other by chance.
    const [replaced, current] = ["7T:qwertyuiopasdfgh", "7T:zxcvbnmlkjhg1234"] as const;
    const tickets = [replaced, current];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url.includes("/Login/"))
        return Response.json({ IsSuccessful: true, ErrorMessage: null, Token: jwt(tickets.shift() ?? "") });
      return xmlResponse(wcf);
    });
    const { send: watchedSend, seen } = watched();
    expect((await watchedSend(path(1), { headers: authorized(), app, env })).status).toBe(200);
    clock.advance(6 * 60 * 60);
    expect((await watchedSend(path(2), { headers: authorized(), app, env })).status).toBe(200);
    expect(tickets).toEqual([]);
    const thrown = vi.spyOn(OnlineTicketing.prototype, "current").mockImplementation(() => {
      throw new TypeError(`Cannot use ${replaced} or ${current} for SysUser-token-abcdef`);
    });

    const failed = await watchedSend(path(3), { headers: authorized(), app, env });
    expect(failed.status).toBe(502);
    expect(thrown).toHaveBeenCalledTimes(1);
    const text = seen();
    expect(text).toContain('"event":"upstream_unforeseen_failure"');
    expect(text).toContain("TypeError: Cannot use ");
    for (const secret of [replaced, current, "qwertyui", "zxcvbnml", "SysUser-token-abcdef"]) expect(text).not.toContain(secret);
  });

  it("keep the sign-in back-off when sign-in throws: for 10 s the failure is repeated without another attempt", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = await onlineEnv();
    const online = fakeOnline();
    const exchanges = { count: 0 };
    const prototype = OnlineTicketing.prototype as unknown as { exchange: (context: unknown) => Promise<unknown> };
    const exchange = prototype.exchange;
    vi.spyOn(prototype, "exchange").mockImplementation(function (this: unknown, context) {
      exchanges.count += 1;
      if (exchanges.count === 1) throw new TypeError("WebCrypto broke");
      return exchange.call(this, context);
    });
    const get = (id: number) => send(path(id), { headers: authorized(), app, env });

    const thrown = await get(1);
    expect(thrown.status).toBe(502);
    expect(await thrown.json()).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed",
      detail: "Getting credentials for SuperOffice failed unexpectedly; the failure is logged.",
    });
    clock.advance(9);
    const repeated = await get(2);
    expect(repeated.status).toBe(502);
    expect(await repeated.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed" });
    expect(exchanges.count).toBe(1);
    expect(online.signIns).toBe(0);

    clock.advance(2);
    expect((await get(3)).status).toBe(200);
    expect(exchanges.count).toBe(2);
    expect(online.signIns).toBe(1);
  });
});
