import { describe, expect, it } from "vitest";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, xmlResponse } from "../helpers.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

describe("authentication", () => {
  it("answers /healthz without a key and without calling SuperOffice", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await send("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["no Authorization header", {}],
    ["a wrong key", { Authorization: "Bearer not-a-key" }],
    ["another scheme", { Authorization: "Basic dGVzdC1rZXk6" }],
    ["a malformed bearer value", { Authorization: "Bearer" }],
    ["a key that is a prefix of a valid one", { Authorization: "Bearer test" }],
  ])("refuses %s with 401, a Bearer challenge and no upstream call", async (_name, headers) => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await send(PATH, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    const problem = (await response.json()) as { requestId: string };
    expect(problem).toMatchObject({ status: 401, title: "Missing or invalid API key" });
    expect(response.headers.get("X-Request-Id")).toBe(problem.requestId);
    expect(calls).toHaveLength(0);
  });

  it("accepts every key listed in API_KEYS", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    expect((await send(PATH, { headers: authorized() })).status).toBe(200);
    expect((await send(PATH, { headers: { Authorization: "Bearer second-key" } })).status).toBe(200);
  });

  it("protects unknown /v1 routes too, and answers other unknown routes with a 404 problem", async () => {
    expect((await send("/v1/anything")).status).toBe(401);
    const response = await send("/nothing-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 404, detail: "No route for GET /nothing-here." });
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const response = await send("/v1/batch-tasks", { method: "DELETE", headers: authorized() });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, HEAD");
  });
});
