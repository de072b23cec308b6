import type { MiddlewareHandler } from "hono";
import type { BatchService } from "../service.js";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

/**
 * Resolves the request's tenant and its upstream object. Without a `{tenant}` path parameter it is the tenant the
 * environment configures (a fixed ticket, or one Online tenant); with one, a tenant of `TENANTS`. A tenant that
 * lists `apiKeys` is for those keys only: a key listed by some tenant sees every tenant it may not use as unknown
 * (404, like a tenant that does not exist), so it cannot probe which tenants exist; a deployment-wide key (listed
 * by no tenant) gets 403. Admin keys (the purge routes) may reach every tenant.
 */
export function resolveTenant(service: BatchService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = c.req.param("tenant");
    const { config } = c.var;
    const found = await service.tenant(config, id);
    const unknown = () =>
      id === undefined
        ? problem(c, "not-found", "This deployment serves its tenants under /v1/tenants/{tenant}/…; it has no default tenant.")
        : problem(c, "not-found", "No such tenant.");
    const bound = () => c.var.role !== "admin" && service.directory.isBound(config, c.var.apiKey);
    if (!found.ok) {
      if (found.reason === "unknown") return unknown();
      if (found.reason === "unavailable")
        return problem(c, "tenants-unavailable", "The TENANTS document could not be read from KV; retry.");
      if (await bound()) return unknown();
      return problem(c, "configuration-error", `Invalid configuration: ${found.settings.join("; ")}.`);
    }
    const { tenant } = found;
    if (c.var.role !== "admin" && tenant.apiKeys !== null && !tenant.apiKeys.includes(c.var.apiKey)) {
      return (await bound()) ? unknown() : problem(c, "forbidden", "This key may not use this tenant.");
    }
    c.set("tenant", tenant);
    c.set("origin", await service.origin(config, tenant));
    await next();
  };
}
