import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { authorized, send } from "../helpers.js";
import { fakeOnline, onlineEnv } from "./fake-online.js";

/**
 * The default Online tenant and a `TENANTS` entry for the same context with the same credentials are two tenants
 * all the same: each seals its ticket for itself, so they must not share a ticket key (each would throw the other's
 * away and sign in again), nor a cache scope (a purge of one would empty the other).
 */
describe("the default tenant and a TENANTS entry with the same context and credentials", () => {
  async function twinEnv() {
    const env = await onlineEnv({ ADMIN_KEYS: "admin-key" });
    const twin = {
      environment: "sod",
      systemUserToken: env.SUPEROFFICE_SYSTEM_USER_TOKEN,
      privateKey: env.SUPEROFFICE_PRIVATE_KEY,
      applicationToken: env.SUPEROFFICE_APP_TOKEN,
      loginUrl: env.SUPEROFFICE_LOGIN_URL,
    };
    return { ...env, TENANTS: JSON.stringify({ Cust1: twin }) };
  }
  const DEFAULT = "/v1/batch-tasks?associateIds=5&state=Started";
  const TENANT = "/v1/tenants/Cust1/batch-tasks?associateIds=5&state=Started";
  const cacheStatus = async (path: string, env: Awaited<ReturnType<typeof twinEnv>>, headers: Record<string, string> = {}) => {
    const response = await send(path, { headers: authorized(headers), env, app: createApp() });
    expect(response.status).toBe(200);
    return response.headers.get("Cache-Status");
  };

  it("keep their own tickets: each isolate reuses the one its tenant sealed, one sign-in per tenant", async () => {
    const so = fakeOnline();
    const env = await twinEnv();
    for (let round = 0; round < 3; round++) {
      for (const path of [DEFAULT, TENANT]) await cacheStatus(path, env, { "Cache-Control": "no-cache" });
    }
    expect(so.signIns).toBe(2);
  });

  it("keep their own cache: the other's answer is not served, and a purge of one leaves the other", async () => {
    fakeOnline();
    const env = await twinEnv();
    expect(await cacheStatus(DEFAULT, env)).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await cacheStatus(TENANT, env)).toBe("superoffice-batch-edge; fwd=miss; stored");
    const purged = await send("/v1/tenants/Cust1/cache", {
      method: "DELETE",
      headers: { Authorization: "Bearer admin-key" },
      env,
    });
    expect(purged.status).toBe(204);
    expect(await cacheStatus(DEFAULT, env)).toMatch(/; hit; /);
    expect(await cacheStatus(TENANT, env)).toBe("superoffice-batch-edge; fwd=miss; stored");
  });
});
