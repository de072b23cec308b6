import { Hono } from "hono";
import type { BatchCache, PurgeResult } from "../../cache/batch-cache.js";
import type { AppEnv } from "../app-env.js";
import { parseQueryInput } from "../input.js";
import { problem } from "../problem.js";

/**
 * `DELETE /v1/cache?associateIds=…&state=…` drops one entry (same normalization as the GET);
 * `DELETE /v1/cache` invalidates every entry of this upstream URL. Both answer 204.
 */
export function cacheRoutes(cache: BatchCache): Hono<AppEnv> {
  return new Hono<AppEnv>().delete("/", async (c) => {
    const params = c.req.queries();
    let outcome: PurgeResult;
    if (Object.keys(params).length === 0) outcome = await cache.purgeAll(c.var.config);
    else {
      const input = parseQueryInput(params);
      if (!input.ok)
        return problem(c, "invalid-request", "The entry to purge is not a valid query; see errors.", { errors: input.errors });
      outcome = await cache.purgeEntry(c.var.config, input.query);
    }
    if (outcome === "too-soon") {
      return problem(
        c,
        "too-many-requests",
        "KV takes one write per key per second; this key was written less than a second ago.",
        {
          headers: { "Retry-After": "1" },
        },
      );
    }
    if (outcome === "failed") return problem(c, "cache-unavailable", "KV did not accept the purge; retry.");
    return c.body(null, 204);
  });
}
