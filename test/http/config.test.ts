import { describe, expect, it, vi } from "vitest";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, testEnv, xmlResponse } from "../helpers.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

describe("configuration", () => {
  it("logs an invalid configuration once, with the id of the request that first read it, naming only the settings", async () => {
    const error = vi.spyOn(console, "error");
    const env = testEnv({ CACHE_FRESH_SECONDS: "thirty-secret" });
    const first = await send(PATH, { headers: authorized(), env });
    const second = await send(PATH, { headers: authorized(), env });
    expect([first.status, second.status]).toEqual([500, 500]);
    const lines = error.mock.calls.map(([line]) => String(line)).filter((line) => line.includes("configuration_invalid"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toEqual({
      level: "error",
      event: "configuration_invalid",
      requestId: first.headers.get("X-Request-Id"),
      settings: ["CACHE_FRESH_SECONDS must be a whole number"],
    });
  });

  it.each([
    ["SUPEROFFICE_TICKET", { SUPEROFFICE_TICKET: undefined }, "SUPEROFFICE_TICKET is missing"],
    ["SUPEROFFICE_TICKET", { SUPEROFFICE_TICKET: "7T:secret\u0001value" }, "SUPEROFFICE_TICKET contains characters"],
    [
      "SUPEROFFICE_BATCH_URL",
      { SUPEROFFICE_BATCH_URL: "http://tenant.example/secret-path/Batch.svc" },
      "SUPEROFFICE_BATCH_URL must be an https URL",
    ],
    [
      "SUPEROFFICE_BATCH_URL",
      { SUPEROFFICE_BATCH_URL: "https://user:pw@tenant.example/Batch.svc" },
      "SUPEROFFICE_BATCH_URL must be an https URL",
    ],
    ["API_KEYS", { API_KEYS: " , " }, "API_KEYS must list at least one key"],
    ["API_KEYS", { API_KEYS: "good-key,secret:key" }, "API_KEYS must contain only the characters"],
    ["ADMIN_KEYS", { ADMIN_KEYS: "secret admin" }, "ADMIN_KEYS must contain only the characters"],
    ["CACHE_FRESH_SECONDS", { CACHE_FRESH_SECONDS: "thirty-secret" }, "CACHE_FRESH_SECONDS must be a whole number"],
    ["UPSTREAM_TIMEOUT_MS", { UPSTREAM_TIMEOUT_MS: "0" }, "UPSTREAM_TIMEOUT_MS must be at least 1"],
    ["CACHE_STALE_SECONDS", { CACHE_STALE_SECONDS: "604801" }, "CACHE_STALE_SECONDS must be at most 604800"],
    ["BATCH_CACHE", { BATCH_CACHE: undefined }, "BATCH_CACHE is missing"],
    ["UPSTREAM_MAX_BYTES", { UPSTREAM_MAX_BYTES: "8388609" }, "UPSTREAM_MAX_BYTES must be a whole number from 1024 to 8388608"],
    ["UPSTREAM_MAX_BYTES", { UPSTREAM_MAX_BYTES: 1023 }, "UPSTREAM_MAX_BYTES must be a whole number from 1024 to 8388608"],
    ["RATE_LIMIT_PERIOD_SECONDS", { RATE_LIMIT_PERIOD_SECONDS: "30" }, "RATE_LIMIT_PERIOD_SECONDS must be 10 or 60"],
    ["RATE_LIMIT_PERIOD_SECONDS", { RATE_LIMIT_PERIOD_SECONDS: "3600" }, "RATE_LIMIT_PERIOD_SECONDS must be 10 or 60"],
  ])("names a bad %s in a 500 problem without showing its value", async (_name, overrides, expected) => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await send(PATH, { headers: authorized(), env: testEnv(overrides) });
    expect(response.status).toBe(500);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: "The service is misconfigured" });
    expect(text).toContain(expected);
    for (const secret of ["secret", "pw@", "good-key", "test-key", "test-app-token"]) expect(text).not.toContain(secret);
    expect(calls).toHaveLength(0);
  });

  it("says the range of UPSTREAM_MAX_BYTES and the periods of RATE_LIMIT_PERIOD_SECONDS in one sentence each", async () => {
    const env = testEnv({ UPSTREAM_MAX_BYTES: "67108864", RATE_LIMIT_PERIOD_SECONDS: "5" });
    const response = await send(PATH, { headers: authorized(), env });
    expect(await response.json()).toMatchObject({
      detail:
        "Invalid configuration: UPSTREAM_MAX_BYTES must be a whole number from 1024 to 8388608 (8 MiB: an isolate holds three answers at once, each as bytes and as text, in 128 MB); RATE_LIMIT_PERIOD_SECONDS must be 10 or 60, the only periods of the Workers Rate Limiting binding, and equal its [[ratelimits]] period.",
    });
  });

  it("accepts the largest UPSTREAM_MAX_BYTES and either rate limit period, and defaults both when absent", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    for (const overrides of [
      { UPSTREAM_MAX_BYTES: "8388608", RATE_LIMIT_PERIOD_SECONDS: "10" },
      { UPSTREAM_MAX_BYTES: 4096, RATE_LIMIT_PERIOD_SECONDS: 60 },
      { UPSTREAM_MAX_BYTES: undefined, RATE_LIMIT_PERIOD_SECONDS: undefined },
    ]) {
      const response = await send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), env: testEnv(overrides) });
      expect(response.status).toBe(200);
    }
    expect(calls).toHaveLength(3);
  });

  it("accepts numbers as vars and leaves SUPEROFFICE_APP_TOKEN optional", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const env = testEnv({ CACHE_FRESH_SECONDS: 5, UPSTREAM_TIMEOUT_MS: 2500, SUPEROFFICE_APP_TOKEN: undefined });
    expect((await send(PATH, { headers: authorized(), env })).status).toBe(200);
    expect(calls[0]?.body).not.toContain("ApplicationToken");
  });
});
