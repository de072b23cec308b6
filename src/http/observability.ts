import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { setMetric } from "hono/timing";
import { afterAnswer, newPhases } from "../call-context.js";
import type { Tenant } from "../config/tenant.js";
import { log } from "../log.js";
import type { AppEnv } from "./app-env.js";

/** `Cache-Status` reduced to its outcome (`hit`, `fwd=miss`, …) and whether it was stale-if-error. */
function cacheOutcome(cacheStatus: string | null): string | undefined {
  if (cacheStatus === null) return undefined;
  const [, outcome = "", ...flags] = cacheStatus.split("; ");
  return flags.includes("detail=stale-if-error") ? `${outcome}; stale-if-error` : outcome;
}

/**
 * Gives the request its call context (request id, `waitUntil`, timing phases), reports the phases in
 * `Server-Timing` beside Hono's `total` on every answer, and writes one structured log line per request: route,
 * status, cache outcome, upstream milliseconds, how many associate ids were asked, tenant and request id. The
 * line holds no secret: no key, ticket, header or query value.
 */
export const withCallContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const phases = newPhases();
  c.set("call", { requestId: c.var.requestId, waitUntil: (work) => c.executionCtx.waitUntil(work), phases });
  await next();
  for (const [phase, ms] of Object.entries(phases)) setMetric(c, phase, ms);
  const status = c.res.status;
  const fields = {
    requestId: c.var.requestId,
    method: c.req.method,
    route: matchedRoutes(c)[c.req.routeIndex]?.path,
    status,
    cache: cacheOutcome(c.res.headers.get("Cache-Status")),
    upstreamMs: Math.round(phases.upstream),
    ids: c.var.idCount,
    // Unset before the tenant is resolved (a 401, a 404 route), whatever the variable's type says.
    tenant: (c.var.tenant as Tenant | undefined)?.id,
  };
  // Written once the answer has left: a log line never delays an answer (under `wrangler dev`, writing one costs
  // about as much as serving a small cached hit).
  const write = () => log(status >= 500 ? "error" : "info", "request", fields);
  c.var.call.waitUntil(afterAnswer().then(write));
};
