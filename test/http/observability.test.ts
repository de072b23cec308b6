import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import { manualClock } from "../cache/clock.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { API_KEY, APP_TOKEN, authorized, fakeUpstream, send, TICKET, xmlResponse } from "../helpers.js";

type Line = Record<string, unknown>;

function logLines(spy: { mock: { calls: unknown[][] } }): Line[] {
  return spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Line);
}

describe("observability", () => {
  it("writes one structured line per request: route, status, cache outcome, upstream ms, ids, tenant, request id", async () => {
    const info = vi.spyOn(console, "log");
    const app = createApp(manualClock());
    fakeUpstream(() => xmlResponse(wcf));
    const first = await send("/v1/batch-tasks?associateIds=5,7,7&state=Started", { headers: authorized(), app });
    await send("/v1/batch-tasks?associateIds=5,7&state=Started", { headers: authorized(), app });
    const lines = logLines(info).filter((line) => line["event"] === "request");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: "info",
      requestId: first.headers.get("X-Request-Id"),
      method: "GET",
      route: "/v1/batch-tasks",
      status: 200,
      cache: "fwd=miss",
      ids: 2,
      tenant: "default",
    });
    expect(typeof lines[0]?.["upstreamMs"]).toBe("number");
    expect(lines[1]).toMatchObject({ cache: "hit" });
    const text = JSON.stringify(lines);
    for (const secret of [API_KEY, TICKET, APP_TOKEN]) expect(text).not.toContain(secret);
  });

  it("puts the request id in every other log line of the request", async () => {
    const warn = vi.spyOn(console, "warn");
    fakeUpstream(() => new Response("down", { status: 503 }));
    const response = await send("/v1/batch-tasks?associateIds=5&state=Started", { headers: authorized() });
    const requestId = response.headers.get("X-Request-Id");
    const lines = logLines(warn);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line["requestId"]).toBe(requestId);
  });

  it("reports kv, upstream, decode and total in Server-Timing on every answer, problems included", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    for (const response of [
      await send("/v1/batch-tasks?associateIds=5&state=Started", { headers: authorized() }),
      await send("/v1/batch-tasks?associateIds=x&state=Started", { headers: authorized() }),
      await send("/healthz"),
    ]) {
      const names = (response.headers.get("Server-Timing") ?? "").split(",").map((metric) => metric.split(";")[0]?.trim());
      expect(names.sort()).toEqual(["decode", "kv", "total", "upstream"]);
    }
  });

  it("answers Hono's own errors as problem documents too", async () => {
    const response = await send("/v1/batch-tasks/query", {
      method: "POST",
      headers: authorized({ "Content-Type": "application/json" }),
      body: '{"associateIds": [1',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:invalid-request",
      detail: "The body is not valid JSON.",
    });
  });
});
