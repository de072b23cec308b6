import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { manualClock } from "../cache/clock.js";
import { authorized } from "../helpers.js";
import { type FakeOnline, fakeOnline, onlineEnv, watched } from "./fake-online.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

/** No ticket the fake issued is in any response or console line, though SuperOffice's rejections named them. */
function expectNoTicketIn(seen: string, so: FakeOnline): void {
  expect(seen).toContain('"event":"upstream_failed"');
  expect(so.issued.length).toBeGreaterThan(0);
  for (const ticket of so.issued) expect(seen).not.toContain(ticket);
  expect(seen).not.toContain("ticket-number");
}

/** A fake SuperOffice Online, a watch on all that callers and operators see, its environment and a manual clock. */
async function onlineScenario() {
  const so = fakeOnline();
  const { send, seen } = watched();
  return { so, send, seen, env: await onlineEnv(), clock: manualClock() };
}

describe("a revoked Online credential", () => {
  it("surfaces as an error once one fresh period has passed, though the renewal then failed as a refused sign-in", async () => {
    const { so, send, seen, env, clock } = await onlineScenario();
    const app = createApp(clock);
    expect((await send(PATH, { headers: authorized(), env, app })).status).toBe(200);
    // The tenant's admin revokes the system user: the ticket dies and sign-in is refused from now on.
    so.validTickets.clear();
    so.signInOk = false;
    const statuses: string[] = [];
    for (const seconds of [31, 30, 30, 30, 30, 30, 30]) {
      clock.advance(seconds);
      const response = await send(PATH, { headers: authorized(), env, app });
      statuses.push(`${response.status} ${response.headers.get("Cache-Status")}`);
    }
    // README: "stale data hides it for at most one fresh period (CACHE_FRESH_SECONDS)". 211 s after the revocation:
    expect(statuses.at(-1)).toMatch(/^502/);
    expectNoTicketIn(seen(), so);
  });
});

describe("a ticket SuperOffice rejected", () => {
  it("is not sent again, even while sign-in is refused and KV still holds it", async () => {
    const { so, send, seen, env, clock } = await onlineScenario();
    const app = createApp(clock);
    expect((await send(PATH, { headers: authorized(), env, app })).status).toBe(200);
    const dead = so.batchCalls[0]?.ticket;
    so.validTickets.clear();
    so.signInOk = false;
    const before = so.batchCalls.length;
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      const response = await send(`/v1/batch-tasks?associateIds=${100 + i}&state=Started`, { headers: authorized(), env, app });
      expect(response.status).toBe(502);
    }
    const resent = so.batchCalls.slice(before).filter((call) => call.ticket === dead).length;
    expect(resent).toBeLessThanOrEqual(1);
    expectNoTicketIn(seen(), so);
  });
});

describe("renewal after a rejection", () => {
  it("takes the ticket another isolate already renewed into KV: one sign-in for 4 isolates", async () => {
    const { so, send, seen, env, clock } = await onlineScenario();
    const isolates = Array.from({ length: 4 }, () => createApp(clock));
    for (const [i, app] of isolates.entries())
      expect(
        (await send(`/v1/batch-tasks?associateIds=${i + 1}&state=Started`, { headers: authorized(), env, app })).status,
      ).toBe(200);
    expect(so.signIns).toBe(1); // all isolates share the sealed ticket through KV
    so.validTickets.clear(); // SuperOffice drops the ticket (idle expiry, restart): sign-in still works
    for (const [i, app] of isolates.entries()) {
      clock.advance(1);
      const response = await send(`/v1/batch-tasks?associateIds=${i + 11}&state=Started`, { headers: authorized(), env, app });
      expect(response.status).toBe(200);
    }
    expect(so.signIns - 1).toBe(1);
    expectNoTicketIn(seen(), so);
  });
});
