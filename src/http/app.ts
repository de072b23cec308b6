import { Hono, type MiddlewareHandler } from "hono";
import { except } from "hono/combine";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { BatchCache } from "../cache/batch-cache.js";
import { loadConfig } from "../config/config.js";
import { log } from "../log.js";
import type { AppEnv } from "./app-env.js";
import { requireAdminKey, requireApiKey } from "./auth.js";
import { problem } from "./problem.js";
import { batchTasksRoutes } from "./routes/batch-tasks.js";
import { cacheRoutes } from "./routes/cache.js";

export type AppOptions = {
  /** The clock, in epoch milliseconds; tests inject one instead of sleeping. */
  now?: () => number;
};

/** Validates the configuration once per isolate; a bad setting is named (never shown) in a 500 problem. */
const withConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = loadConfig(c.env);
  if (!loaded.ok) return problem(c, "configuration-error", `Invalid configuration: ${loaded.invalidSettings.join("; ")}.`);
  c.set("config", loaded.config);
  await next();
};

function methodNotAllowed(allow: string): MiddlewareHandler<AppEnv> {
  return async (c) => problem(c, "method-not-allowed", `Use ${allow}.`, { headers: { Allow: allow } });
}

/**
 * The Worker: health check, then configuration, authentication (admin keys for the cache, API keys for everything
 * else under /v1) and the routes. One app, and so one cache, per isolate.
 */
export function createApp(options: AppOptions = {}): Hono<AppEnv> {
  const cache = new BatchCache(options.now ?? Date.now);
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.use("/v1/*", withConfig);
  app.use("/v1/cache", requireAdminKey);
  app.use("/v1/*", except("/v1/cache", requireApiKey));
  app.route("/v1/batch-tasks", batchTasksRoutes(cache));
  app.route("/v1/cache", cacheRoutes(cache));
  app.all("/v1/batch-tasks", methodNotAllowed("GET, HEAD"));
  app.all("/v1/batch-tasks/query", methodNotAllowed("POST"));
  app.all("/v1/cache", methodNotAllowed("DELETE"));
  app.notFound((c) => problem(c, "not-found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log("error", "unhandled_error", { requestId: c.var.requestId, error: String(error) });
    return problem(c, "internal-error", "An unexpected error occurred; quote the requestId when reporting it.");
  });
  return app;
}
