import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import { authorized, countingKv, send, testEnv } from "../helpers.js";

/**
 * Many tenants in one deployment: `TENANTS` names SuperOffice Online tenants, each signed in on its own and cached
 * under its own scope, against an Online emulator of this file's own.
 */
const emulator = inject("tenantsOnlineEmulator");
const [tenant88, tenant85] = emulator.tenants;
if (tenant88 === undefined || tenant85 === undefined) throw new Error("global-setup provides two Online tenants");

const ENCRYPTION_KEY = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, index) => (index * 53 + 7) % 256)));
const ADMIN = "tenants-admin-key";

function entry(tenant: { systemUserToken: string; servicesVersion: string }, extra: Record<string, unknown> = {}) {
  return {
    environment: "sod",
    systemUserToken: tenant.systemUserToken,
    privateKey: emulator.partnerPrivateKeyPem,
    applicationToken: emulator.applicationToken,
    servicesVersion: tenant.servicesVersion,
    loginUrl: emulator.loginUrl,
    ...extra,
  };
}

let document: Record<string, unknown> = {};

beforeAll(async () => {
  const certificate = await (await fetch(`${emulator.origin}/__emulator/certificate`)).text();
  document = {
    [tenant88.contextId]: entry(tenant88, { certificate, apiKeys: ["tenant-a-key"] }),
    [tenant85.contextId]: entry(tenant85),
    Cust55555: { ...entry(tenant85), apiKeys: ["tenant-c-key"] },
  };
});

function tenantsEnv(overrides: Record<string, unknown> = {}) {
  return testEnv({
    SUPEROFFICE_BATCH_URL: undefined,
    SUPEROFFICE_TICKET: undefined,
    SUPEROFFICE_APP_TOKEN: undefined,
    TENANTS: JSON.stringify(document),
    TICKET_ENCRYPTION_KEY: ENCRYPTION_KEY,
    API_KEYS: "test-key,tenant-a-key,tenant-c-key",
    ADMIN_KEYS: ADMIN,
    ...overrides,
  });
}

async function signIns(): Promise<number> {
  return ((await (await fetch(`${emulator.origin}/__emulator/requests`)).json()) as { signIns: number }).signIns;
}

const tasksOf = (tenant: string, query = "associateIds=-1,0&state=All") => `/v1/tenants/${tenant}/batch-tasks?${query}`;
const as = (key: string, headers: Record<string, string> = {}) => ({ Authorization: `Bearer ${key}`, ...headers });

/** The status of a default route, in a deployment that also has a default tenant, for a request with `key`. */
async function defaultRouteStatus(key: string): Promise<number> {
  const env = tenantsEnv({
    SUPEROFFICE_BATCH_URL: "https://tenant.example/Remote/Services85/Batch.svc",
    SUPEROFFICE_TICKET: "7T:t",
  });
  return (await send("/v1/batch-tasks?associateIds=5&state=All", { headers: as(key), env })).status;
}

describe("TENANTS: many tenants in one deployment", () => {
  it("serves each tenant by its context identifier, signed in on its own, with its own contract", async () => {
    const env = tenantsEnv();
    const app = createApp();
    const before = await signIns();
    const a = await send(tasksOf(tenant88.contextId, "associateIds=5&state=SucceededManualCleanup"), {
      headers: as("tenant-a-key"),
      env,
      app,
    });
    expect(a.status).toBe(200);
    const b = await send(tasksOf(tenant85.contextId, "associateIds=5&state=SucceededManualCleanup"), {
      headers: as("test-key"),
      env,
      app,
    });
    expect(b.status).toBe(400);
    expect((await send(tasksOf(tenant85.contextId), { headers: as("test-key"), env, app })).status).toBe(200);
    expect(await defaultRouteStatus("tenant-a-key")).toBe(404);
    expect((await signIns()) - before).toBe(2);
  });

  it("never lets one tenant's cache answer another, and purges one tenant only", async () => {
    const env = tenantsEnv();
    const app = createApp();
    const status = async (tenant: string, key: string) =>
      (await send(tasksOf(tenant), { headers: as(key), env, app })).headers.get("Cache-Status");
    expect(await status(tenant88.contextId, "tenant-a-key")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await status(tenant85.contextId, "test-key")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await status(tenant88.contextId, "tenant-a-key")).toMatch(/; hit; /);
    const purged = await send(`/v1/tenants/${tenant88.contextId}/cache`, { method: "DELETE", headers: as(ADMIN), env, app });
    expect(purged.status).toBe(204);
    expect(await status(tenant88.contextId, "tenant-a-key")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await status(tenant85.contextId, "test-key")).toMatch(/; hit; /);
  });

  it("lets a tenant's own keys through, and admin keys purge it", async () => {
    const env = tenantsEnv();
    const app = createApp();
    // Cust55555 is not a tenant the emulator signs in: its own key gets as far as SuperOffice's refusal.
    const own = await send(tasksOf("Cust55555"), { headers: as("tenant-c-key"), env, app });
    expect(await own.json()).toMatchObject({
      status: 502,
      type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed",
    });
    const purge = await send("/v1/tenants/Cust55555/cache?associateIds=-1,0&state=All", {
      method: "DELETE",
      headers: as(ADMIN),
      env,
      app,
    });
    expect(purge.status).toBe(204);
    expect((await send("/v1/tenants/Cust55555/cache", { method: "DELETE", headers: as("tenant-c-key"), env, app })).status).toBe(
      403,
    );
  });

  it("answers 404 for an unknown tenant and a bound key's other tenants, 403 for a deployment-wide key on a restricted tenant", async () => {
    const env = tenantsEnv();
    const app = createApp();
    const problemType = async (tenant: string, key: string) => {
      const response = await send(tasksOf(tenant), { headers: as(key), env, app });
      const body = (await response.json()) as { type?: string };
      return `${response.status} ${body.type?.split(":").pop() ?? ""}`;
    };
    expect(await problemType("Cust99999", "test-key")).toBe("404 not-found");
    expect(await problemType("Cust99999", "tenant-a-key")).toBe("404 not-found");
    expect(await problemType("Cust55555", "tenant-a-key")).toBe("404 not-found");
    expect(await problemType(tenant88.contextId, "tenant-c-key")).toBe("404 not-found");
    expect(await problemType(tenant88.contextId, "test-key")).toBe("403 forbidden");
    expect(await problemType("Cust55555", "test-key")).toBe("403 forbidden");
    expect(await problemType("not-a-tenant", "test-key")).toBe("404 not-found");
    // A tenant's key is confined to its tenants: an open tenant, and the default routes, are unknown to it too.
    expect(await problemType(tenant85.contextId, "tenant-a-key")).toBe("404 not-found");
    expect((await send(tasksOf(tenant85.contextId), { headers: as("test-key"), env, app })).status).toBe(200);
    expect(await defaultRouteStatus("tenant-a-key")).toBe(404);
  });

  it("answers a wrong method on a tenant's routes with 405 and Allow, as on the default routes", async () => {
    const env = tenantsEnv();
    const app = createApp();
    const tenant = `/v1/tenants/${tenant85.contextId}`;
    const cases = [
      { path: `${tenant}/batch-tasks?associateIds=5&state=All`, method: "DELETE", key: "test-key", allow: "GET, HEAD" },
      { path: `${tenant}/batch-tasks/query`, method: "GET", key: "test-key", allow: "POST" },
      { path: `${tenant}/cache`, method: "GET", key: ADMIN, allow: "DELETE" },
      {
        path: `${tenant}/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState`,
        method: "GET",
        key: "test-key",
        allow: "POST",
      },
    ];
    for (const { path, method, key, allow } of cases) {
      const response = await send(path, { method, headers: as(key), env, app });
      expect({ path, method, status: response.status, allow: response.headers.get("Allow") }).toEqual({
        path,
        method,
        status: 405,
        allow,
      });
      expect(await response.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:method-not-allowed" });
    }
    // An unknown tenant stays unknown whatever the method: a key never learns which tenants exist.
    const unknown = await send("/v1/tenants/Cust99999/batch-tasks/query", { method: "GET", headers: as("test-key"), env, app });
    expect(unknown.status).toBe(404);
  });

  it("names an invalid tenant and field in a configuration-error, and keeps serving the other tenants", async () => {
    const broken = { ...document, Cust11111: { environment: "sod", systemUserToken: "t", applicationToken: "a" } };
    const env = tenantsEnv({ TENANTS: JSON.stringify(broken) });
    const response = await send(tasksOf("Cust11111"), { headers: as("test-key"), env });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain("TENANTS.Cust11111.privateKey is missing");
    expect(text).not.toContain(emulator.applicationToken);
    expect((await send(tasksOf(tenant85.contextId), { headers: as("test-key"), env })).status).toBe(200);
  });

  it("names an unknown field by its position when its name is not a plain word: it may be a pasted secret", async () => {
    const error = vi.spyOn(console, "error");
    const pasted = "MyApp-s3cr3tSystemUserToken0123";
    const broken = { ...document, Cust11111: { environment: "sod", [pasted]: 1 } };
    const env = tenantsEnv({ TENANTS: JSON.stringify(broken) });
    const response = await send(tasksOf("Cust11111"), { headers: as("test-key"), env });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain("TENANTS.Cust11111 has a field that is not a known setting (field 2)");
    const logged = error.mock.calls.map(([line]) => String(line)).join("\n");
    for (const output of [text, logged]) expect(output).not.toContain("s3cr3t");
  });

  it("reads TENANTS from the KV key it names", async () => {
    await workerEnv.BATCH_CACHE.put("config:tenants", JSON.stringify(document));
    const env = tenantsEnv({ TENANTS: "config:tenants" });
    expect((await send(tasksOf(tenant85.contextId), { headers: as("test-key"), env })).status).toBe(200);
    expect((await send(tasksOf("Cust99999"), { headers: as("test-key"), env })).status).toBe(404);
  });

  it("has no default tenant when only TENANTS is configured, and needs TICKET_ENCRYPTION_KEY", async () => {
    const none = await send("/v1/batch-tasks?associateIds=5&state=All", { headers: authorized(), env: tenantsEnv() });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ detail: expect.stringContaining("/v1/tenants/") });
    const missing = await send(tasksOf(tenant85.contextId), {
      headers: as("test-key"),
      env: tenantsEnv({ TICKET_ENCRYPTION_KEY: undefined }),
    });
    expect(missing.status).toBe(500);
    expect(await missing.text()).toContain("TICKET_ENCRYPTION_KEY is missing");
  });
});

describe("a broken TENANTS never frees a tenant's key", () => {
  /** A default tenant with a fixed ticket on this file's emulator, which serves every path that ticket asks for. */
  const withDefault = (document: Record<string, unknown> | string, overrides: Record<string, unknown> = {}) =>
    tenantsEnv({
      SUPEROFFICE_BATCH_URL: `${emulator.origin}/${tenant85.contextId}/Remote/Services85/Batch.svc`,
      SUPEROFFICE_TICKET: "7T:online-static-ticket",
      TENANTS: typeof document === "string" ? document : JSON.stringify(document),
      API_KEYS: "test-key,tenant-a-key,tenant-b-key,tenant-d-key",
      ...overrides,
    });
  const DEFAULT = "/v1/batch-tasks?associateIds=-1,0&state=All";
  const outcome = async (response: Response) =>
    `${response.status} ${((await response.json()) as { type?: string }).type?.split(":").pop() ?? "data"}`;

  it("confines a key listed by an entry that does not validate: an open tenant and the default routes are unknown to it", async () => {
    const { environment: _, ...misspelt } = entry(tenant85);
    const broken = {
      Cust11111: { ...misspelt, enviroment: "sod", apiKeys: ["tenant-b-key"] },
      Cust11112: { ...entry(tenant85), apikeys: ["tenant-d-key"] },
      [tenant85.contextId]: entry(tenant85),
    };
    const env = withDefault(broken);
    const app = createApp();
    const get = async (path: string, key: string) => outcome(await send(path, { headers: as(key), env, app }));
    expect(await get(tasksOf(tenant85.contextId), "test-key")).toBe("200 data");
    expect(await get(DEFAULT, "test-key")).toBe("200 data");
    for (const key of ["tenant-b-key", "tenant-d-key"]) {
      expect(await get(tasksOf(tenant85.contextId), key)).toBe("404 not-found");
      expect(await get(DEFAULT, key)).toBe("404 not-found");
      expect(await get(tasksOf(tenant88.contextId), key)).toBe("404 not-found");
    }
    // Its own tenant tells it what is wrong, naming the field, not its value.
    const own = await send(tasksOf("Cust11111"), { headers: as("tenant-b-key"), env, app });
    expect(own.status).toBe(500);
    expect(await own.text()).toContain("TENANTS.Cust11111.enviroment is not a known field");
  });

  it("keeps serving the other tenants past a key that is not a context identifier, and its keys stay confined", async () => {
    const error = vi.spyOn(console, "error");
    const env = withDefault({ ...document, Customer1: { ...entry(tenant85), apiKeys: ["tenant-b-key"] } });
    const app = createApp();
    const get = async (path: string, key: string) => outcome(await send(path, { headers: as(key), env, app }));
    expect(await get(tasksOf(tenant85.contextId), "test-key")).toBe("200 data");
    expect(await get(tasksOf(tenant88.contextId), "tenant-a-key")).toBe("200 data");
    expect(await get(DEFAULT, "test-key")).toBe("200 data");
    for (const key of ["tenant-a-key", "tenant-b-key"]) expect(await get(DEFAULT, key)).toBe("404 not-found");
    expect(await get(tasksOf(tenant85.contextId), "tenant-b-key")).toBe("404 not-found");
    const logged = error.mock.calls.flat().join("\n");
    expect(logged).toContain("TENANTS entry 4 has a key that is not a context identifier like Cust12345");
    expect(logged).not.toContain("Customer1");
  });

  it("says an entry that is not an object must be one, logged with the request that read it, and serves the others", async () => {
    const error = vi.spyOn(console, "error");
    const env = withDefault({ Cust11111: "tenant-b-key", [tenant85.contextId]: entry(tenant85) });
    const response = await send(tasksOf("Cust11111"), { headers: as("test-key"), env });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain("TENANTS.Cust11111 must be an object of settings");
    expect(text).not.toContain("tenant-b-key");
    const { requestId } = JSON.parse(text) as { requestId: string };
    const lines = error.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines).toContainEqual({
      level: "error",
      event: "configuration_invalid",
      requestId,
      settings: ["TENANTS.Cust11111 must be an object of settings"],
    });
    expect(await outcome(await send(tasksOf(tenant85.contextId), { headers: as("tenant-b-key"), env }))).toBe("404 not-found");
  });

  it("answers no key but an admin key with the problem, on the default routes too, while the document is broken", async () => {
    const env = withDefault("{ not json");
    const app = createApp();
    for (const key of ["test-key", "tenant-a-key"]) {
      const response = await send(DEFAULT, { headers: as(key), env, app });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({
        type: "urn:superoffice-batch-edge:problem:configuration-error",
        detail: expect.stringContaining("TENANTS is not valid JSON"),
      });
    }
    expect((await send("/v1/cache", { method: "DELETE", headers: as(ADMIN), env, app })).status).toBe(204);
    await workerEnv.BATCH_CACHE.delete("config:tenants");
    const empty = await send(DEFAULT, { headers: as("test-key"), env: withDefault("config:tenants") });
    expect(await outcome(empty)).toBe("500 configuration-error");
  });

  it("answers tenants-unavailable on the default routes too while the document cannot be read from KV", async () => {
    const real = workerEnv.BATCH_CACHE;
    const { kv } = countingKv(real, {
      get: (...args: unknown[]) =>
        args[0] === "config:tenants" ? Promise.reject(new Error("KV is down")) : Reflect.apply(real.get, real, args),
    });
    const env = withDefault("config:tenants", { BATCH_CACHE: kv });
    expect(await outcome(await send(DEFAULT, { headers: as("test-key"), env }))).toBe("503 tenants-unavailable");
    expect(await outcome(await send(DEFAULT, { headers: as("tenant-a-key"), env }))).toBe("503 tenants-unavailable");
  });
});
