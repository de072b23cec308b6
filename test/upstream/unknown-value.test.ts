import { describe, expect, it, vi } from "vitest";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, xmlResponse } from "../helpers.js";

/**
 * A state name this Worker does not know (a newer NetServer) is kept as `Unknown` and logged once per isolate, not
 * once per answer: it is news for the operator, not an incident.
 */
describe("an unknown state name", () => {
  it("is logged once per isolate, however many answers hold it", async () => {
    // The names already logged are the isolate's (module state): fresh modules are a fresh isolate, whatever ran before.
    vi.resetModules();
    const { createApp } = await import("../../src/http/app.js");
    const warn = vi.spyOn(console, "warn");
    const calls = fakeUpstream(() => xmlResponse(wcf.replace("<State>Started</State>", "<State>Paused</State>")));
    const app = createApp();
    for (const path of ["/v1/batch-tasks?associateIds=0,5&state=All", "/v1/batch-tasks?associateIds=5&state=All"]) {
      const response = await send(path, { headers: authorized(), app });
      expect(response.status).toBe(200);
      const { tasks } = (await response.json()) as { tasks: { state: string }[] };
      expect(tasks.map((task) => task.state)).toContain("Unknown");
    }
    expect(calls).toHaveLength(2);
    const lines = warn.mock.calls
      .map(([line]) => JSON.parse(String(line)) as { event?: string; value?: string })
      .filter((line) => line.event === "upstream_unknown_value");
    expect(lines).toEqual([expect.objectContaining({ value: "State=Paused" })]);
  });
});
