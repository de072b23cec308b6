import type { MiddlewareHandler } from "hono";
import type { BatchService } from "../service.js";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

/**
 * Resolves the request's tenant and its upstream object. Without a `{tenant}` path parameter it is the tenant the
 * environment configures (a fixed ticket, or one Online tenant); with one, a tenant of `TENANTS`. A tenant that
 * lists `apiKeys` is for those keys only. A key listed by some tenant (a tenant's key) reaches only the tenants
 * that list it: every other tenant, the default one included, is unknown to it (404, like a tenant that does not
 * exist), so it can neither read nor probe them. A deployment-wide key (listed by no tenant) reaches the tenants
 * without `apiKeys`, and gets 403 from one that lists others. Admin keys (the purge routes) reach every tenant.
 */
export function resolveTenant(service: BatchService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = c.req.param("tenant");
    const { config } = c.var;
    const found = await service.tenant(config, id, c.var.requestId);
    const unknown = () =>
      id === undefined
        ? problem(c, "not-found", "This deployment serves its tenants under /v1/tenants/{tenant}/…; it has no default tenant.")
        : problem(c, "not-found", "No such tenant.");
    const bound = () => c.var.role !== "admin" && service.directory.isBound(config, c.var.apiKey, c.var.requestId);
    if (!found.ok) {
      if (found.reason === "unknown") return unknown();
      if (found.reason === "unavailable")
        return problem(c, "tenants-unavailable", "The TENANTS document could not be read from KV; retry.");
      if (await bound()) return unknown();
      return problem(c, "configuration-error", `Invalid configuration: ${found.settings.join("; ")}.`);
    }
    const { tenant } = found;
    const listed = tenant.apiKeys?.includes(c.var.apiKey) === true;
    if (c.var.role !== "admin" && !listed && (await bound())) return unknown();
    if (c.var.role !== "admin" && tenant.apiKeys !== null && !listed)
      return problem(c, "forbidden", "This key may not use this tenant.");
    c.set("tenant", tenant);
    c.set("origin", await service.origin(config, tenant));
    await next();
  };
}
