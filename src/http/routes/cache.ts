import { Hono } from "hono";
import type { PurgeResult } from "../../cache/batch-cache.js";
import type { BatchService } from "../../service.js";
import type { AppEnv } from "../app-env.js";
import { parseQueryInput } from "../input.js";
import { problem } from "../problem.js";

/**
 * `DELETE …/cache?associateIds=…&state=…` drops one entry (same normalization as the GET); `DELETE …/cache` with no
 * query at all invalidates every entry of the tenant. An empty or partial query is a 400, never "everything".
 * 204 when done, 202 when KV's one-write-per-second window defers the KV part (the purge is in effect here at once
 * and KV follows within a second), 503 when KV refused it.
 */
export function cacheRoutes(service: BatchService) {
  return new Hono<AppEnv>().delete("/cache", async (c) => {
    const context = { config: c.var.config, origin: c.var.origin, call: c.var.call };
    let outcome: PurgeResult;
    if (!c.req.url.includes("?")) outcome = await service.cache.purgeAll(context);
    else {
      const input = parseQueryInput(c.req.queries());
      if (!input.ok)
        return problem(c, "invalid-request", "The entry to purge is not a valid query; see errors.", { errors: input.errors });
      outcome = await service.cache.purgeEntry(context, input.query);
    }
    if (outcome === "failed") return problem(c, "cache-unavailable", "KV did not accept the purge; retry.");
    return c.body(null, outcome === "accepted" ? 202 : 204);
  });
}
