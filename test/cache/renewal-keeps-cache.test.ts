import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { authorized, send } from "../helpers.js";
import { fakeOnline, onlineEnv } from "../online/fake-online.js";
import { manualClock } from "./clock.js";

/**
 * Issue 7: with self-renewing tickets, cache entries are scoped by the tenant and its system user, not by the
 * short-lived ticket, "so a renewal keeps the cache": in this isolate's memory and in KV for every other isolate.
 */
describe("a renewed SuperOffice Online ticket", () => {
  it("keeps the answers cached under the ticket before it", async () => {
    const online = fakeOnline();
    const env = await onlineEnv({ CACHE_FRESH_SECONDS: "600" });
    const app = createApp(manualClock());
    const get = (ids: string, on = app) =>
      send(`/v1/batch-tasks?associateIds=${ids}&state=All`, { headers: authorized(), app: on, env });

    expect((await get("5")).headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(online.batchCalls.map((call) => call.ticket)).toEqual(["7T:ticket-number-1"]);

    // SuperOffice drops the ticket: the next question renews it (sign-in 2) and is answered with the new one.
    online.validTickets.delete("7T:ticket-number-1");
    expect((await get("6")).status).toBe(200);
    expect(online.signIns).toBe(2);
    expect(online.batchCalls.map((call) => call.ticket).at(-1)).toBe("7T:ticket-number-2");

    // The answer fetched with the first ticket is still this isolate's, and, through KV, another isolate's.
    expect((await get("5")).headers.get("Cache-Status")).toMatch(/^superoffice-batch-edge; hit; ttl=\d+$/);
    const elsewhere = await get("5", createApp(manualClock()));
    expect(elsewhere.headers.get("Cache-Status")).toMatch(/^superoffice-batch-edge; hit; ttl=\d+$/);
    expect(online.batchCalls).toHaveLength(3);
  });
});
