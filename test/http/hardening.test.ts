import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { manualClock } from "../cache/clock.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, xmlResponse } from "../helpers.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

/** A chunked request body (no Content-Length) that records whether the Worker cancelled it. */
function chunkedBody(chunk: string, chunks: number) {
  const seen = { pulls: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulls += 1;
      if (seen.pulls > chunks) controller.close();
      else controller.enqueue(new TextEncoder().encode(chunk));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

describe("callers' requests", () => {
  it("counts every invalid field in the detail, lists 20, and reports each position once", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const ids = Array.from({ length: 8000 }, () => "x").join(",");
    const response = await send(`/v1/batch-tasks?associateIds=${ids}&state=New`, { headers: authorized() });
    const problem = (await response.json()) as { detail: string; errors: { parameter: string }[] };
    expect(problem.detail).toBe("The request has 8000 invalid fields; see errors.");
    expect(problem.errors).toHaveLength(21);
    expect(problem.errors.at(-1)).toEqual({ parameter: "query", detail: "and 7980 more invalid fields" });
    expect(new Set(problem.errors.map((error) => error.parameter)).size).toBe(21);
  });

  it("honours Pragma: no-cache when Cache-Control is absent, and ignores it when Cache-Control is present", async () => {
    const app = createApp(manualClock());
    const calls = fakeUpstream(() => xmlResponse(wcf));
    await send(PATH, { headers: authorized(), app });
    const pragma = await send(PATH, { headers: authorized({ Pragma: "no-cache" }), app });
    expect(pragma.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; stored");
    const both = await send(PATH, { headers: authorized({ Pragma: "no-cache", "Cache-Control": "max-age=60" }), app });
    expect(both.headers.get("Cache-Status")).toMatch(/; hit; /);
    expect(calls).toHaveLength(2);
  });

  it.each([
    ["too large (413)", "application/json", 413],
    ["not JSON (415)", "text/plain", 415],
  ])("drains a chunked body it answers early, so the connection stays clean: %s", async (_name, contentType, status) => {
    const { body, seen } = chunkedBody(" ".repeat(16 * 1024), 100);
    const response = await send("/v1/batch-tasks/query", {
      method: "POST",
      headers: authorized({ "Content-Type": contentType }),
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(status);
    expect(seen).toEqual({ pulls: 101, cancelled: false });
  });

  it("drains a body nobody reads when the key is wrong", async () => {
    const { body, seen } = chunkedBody("{}", 1000);
    const response = await send("/v1/batch-tasks/query", {
      method: "POST",
      headers: { Authorization: "Bearer wrong-key", "Content-Type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(401);
    expect(seen).toEqual({ pulls: 1001, cancelled: false });
  });

  it("cancels an early-answered body only past 8 MiB, so no client makes the Worker read without end", async () => {
    const { body, seen } = chunkedBody(" ".repeat(64 * 1024), 1_000_000);
    const response = await send("/v1/batch-tasks/query", {
      method: "POST",
      headers: authorized({ "Content-Type": "text/plain" }),
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(415);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulls).toBeLessThanOrEqual(8 * 16 + 2);
  });

  it("answers any query string with 200, 304 or 4xx, never 5xx", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const app = createApp(manualClock());
    const parameter = fc.oneof(
      fc.constantFrom("associateIds", "state", "associateId", "", "associateIds[]", "%00"),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.constantFrom("5", "-1", "0", "5,7", "2147483648", "-2", "1.5", "", ",", "Started", "all", "SucceededManualCleanup"),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(parameter, value), { maxLength: 6 }), async (pairs) => {
        const query = pairs.map(([name, text]) => `${encodeURIComponent(name)}=${encodeURIComponent(text)}`).join("&");
        const response = await send(`/v1/batch-tasks?${query}`, { headers: authorized(), app });
        await response.arrayBuffer();
        return response.status === 200 || response.status === 304 || (response.status >= 400 && response.status < 500);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("answers any JSON body with 200 or 4xx, never 5xx", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const app = createApp(manualClock());
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          associateIds: fc.oneof(fc.array(fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null))), fc.jsonValue()),
          state: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const response = await send("/v1/batch-tasks/query", {
          method: "POST",
          headers: authorized({ "Content-Type": "application/json" }),
          body: JSON.stringify(json),
          app,
        });
        await response.arrayBuffer();
        return response.status === 200 || (response.status >= 400 && response.status < 500);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
