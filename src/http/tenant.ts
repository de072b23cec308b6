import type { MiddlewareHandler } from "hono";
import type { BatchService } from "../service.js";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

/**
 * Resolves the request's tenant and its upstream object. Without a `{tenant}` path parameter it is the tenant the
 * environment configures (a fixed ticket, or one Online tenant); with one, a tenant of `TENANTS`. A tenant that
 * lists `apiKeys` is for those keys only. A key listed by some tenant (a tenant's key; listed by a broken entry
 * counts) reaches only the tenants that list it: every other tenant, the default one included, is unknown to it
 * (404, like a tenant that does not exist), so it can neither read nor probe them. A deployment-wide key (listed by
 * no tenant) reaches the tenants without `apiKeys`, and gets 403 from one that lists others. While `TENANTS` is
 * broken as a whole or cannot be read, no key can be told apart, so every one but an admin key gets that problem,
 * on the default routes too, never data. Admin keys (the purge routes) reach every tenant.
 */
export function resolveTenant(service: BatchService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = c.req.param("tenant");
    const { config, role, apiKey, requestId } = c.var;
    const unknown = () =>
      id === undefined
        ? problem(c, "not-found", "This deployment serves its tenants under /v1/tenants/{tenant}/…; it has no default tenant.")
        : problem(c, "not-found", "No such tenant.");
    const unavailable = () => problem(c, "tenants-unavailable", "The TENANTS document could not be read from KV; retry.");
    const invalid = (settings: string[]) => problem(c, "configuration-error", `Invalid configuration: ${settings.join("; ")}.`);
    const found = await service.tenant(config, id, requestId);
    if (!found.ok && found.reason === "unknown") return unknown();
    if (!found.ok && found.reason === "unavailable") return unavailable();
    if (role !== "admin") {
      const listed = (found.ok ? (found.tenant.apiKeys ?? []) : found.apiKeys).includes(apiKey);
      if (!listed) {
        const binding = await service.directory.binding(config, apiKey, requestId);
        if (!binding.ok) return binding.reason === "unavailable" ? unavailable() : invalid(binding.settings);
        if (binding.bound) return unknown();
        if (found.ok && found.tenant.apiKeys !== null) return problem(c, "forbidden", "This key may not use this tenant.");
      }
    }
    if (!found.ok) return invalid(found.settings);
    c.set("tenant", found.tenant);
    c.set("origin", await service.origin(config, found.tenant));
    await next();
  };
}
