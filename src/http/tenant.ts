import type { MiddlewareHandler } from "hono";
import type { Tenant } from "../config/tenant.js";
import type { TenantDirectory } from "../config/tenants.js";
import type { Upstreams } from "../upstream/tenant-upstream.js";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

async function attach(c: Parameters<MiddlewareHandler<AppEnv>>[0], tenant: Tenant, upstreams: Upstreams): Promise<void> {
  c.set("tenant", tenant);
  c.set("origin", await upstreams.for(tenant, c.var.config));
}

/** The `/v1/…` routes serve the tenant the environment configures (a fixed ticket, or one Online tenant). */
export function defaultTenant(upstreams: Upstreams): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const tenant = c.var.config.defaultTenant;
    if (tenant === undefined) {
      return problem(
        c,
        "not-found",
        "This deployment serves its tenants under /v1/tenants/{tenant}/…; it has no default tenant.",
      );
    }
    await attach(c, tenant, upstreams);
    await next();
  };
}

/**
 * The `/v1/tenants/{tenant}/…` routes serve one tenant of `TENANTS`. A tenant that lists `apiKeys` is for those keys
 * only: a key listed by some tenant sees every tenant it may not use as unknown (404, like a tenant that does not
 * exist), so it cannot probe which tenants exist; a deployment-wide key (listed by no tenant) gets 403. Admin keys
 * (the purge route) may reach every tenant.
 */
export function namedTenant(directory: TenantDirectory, upstreams: Upstreams): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = c.req.param("tenant") ?? "";
    const { config } = c.var;
    const unknown = () => problem(c, "not-found", "No such tenant.");
    const found = await directory.find(config, id);
    if (!found.ok) {
      if (found.reason === "unknown") return unknown();
      if (found.reason === "unavailable")
        return problem(c, "tenants-unavailable", "The TENANTS document could not be read from KV; retry.");
      if (c.var.role !== "admin" && (await directory.isBound(config, c.var.apiKey))) return unknown();
      return problem(c, "configuration-error", `Invalid configuration: ${found.settings.join("; ")}.`);
    }
    const { tenant } = found;
    if (c.var.role !== "admin" && tenant.apiKeys !== null && !tenant.apiKeys.includes(c.var.apiKey)) {
      if (await directory.isBound(config, c.var.apiKey)) return unknown();
      return problem(c, "forbidden", "This key may not use this tenant.");
    }
    await attach(c, tenant, upstreams);
    await next();
  };
}
