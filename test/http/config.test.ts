import { describe, expect, it } from "vitest";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, testEnv, xmlResponse } from "../helpers.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

describe("configuration", () => {
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

  it("accepts numbers as vars and leaves SUPEROFFICE_APP_TOKEN optional", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const env = testEnv({ CACHE_FRESH_SECONDS: 5, UPSTREAM_TIMEOUT_MS: 2500, SUPEROFFICE_APP_TOKEN: undefined });
    expect((await send(PATH, { headers: authorized(), env })).status).toBe(200);
    expect(calls[0]?.body).not.toContain("ApplicationToken");
  });
});
