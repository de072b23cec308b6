import { Hono, type MiddlewareHandler } from "hono";
import { except } from "hono/combine";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { setMetric, timing } from "hono/timing";
import { BatchCache } from "../cache/batch-cache.js";
import { newPhases } from "../call-context.js";
import { loadConfig } from "../config/config.js";
import { TenantDirectory } from "../config/tenants.js";
import { log } from "../log.js";
import { realSleep, type Sleep } from "../upstream/limiter.js";
import { Upstreams } from "../upstream/tenant-upstream.js";
import type { AppEnv } from "./app-env.js";
import { requireAdminKey, requireApiKey } from "./auth.js";
import { discardUnreadBody } from "./body.js";
import { problem } from "./problem.js";
import { rateLimit } from "./rate-limit.js";
import { batchTasksRoutes } from "./routes/batch-tasks.js";
import { cacheRoutes } from "./routes/cache.js";
import { defaultTenant, namedTenant } from "./tenant.js";

export type AppOptions = {
  /** The clock, in epoch milliseconds; tests inject one instead of sleeping. */
  now?: () => number;
  /** How the Worker waits (a queued upstream call, a deferred KV write); tests inject one instead of sleeping. */
  sleep?: Sleep;
  /** The in-isolate cache tier's budget, in UTF-16 code units. */
  memoryUnits?: number;
};

/** Validates the configuration once per isolate; a bad setting is named (never shown) in a 500 problem. */
const withConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = loadConfig(c.env);
  if (!loaded.ok) return problem(c, "configuration-error", `Invalid configuration: ${loaded.invalidSettings.join("; ")}.`);
  c.set("config", loaded.config);
  await next();
};

/** Gives the request its call context, and reports its phases in `Server-Timing` (with Hono's `total`). */
const withCallContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const phases = newPhases();
  c.set("call", { requestId: c.var.requestId, waitUntil: (work) => c.executionCtx.waitUntil(work), phases });
  await next();
  for (const [phase, ms] of Object.entries(phases)) setMetric(c, phase, ms);
};

function methodNotAllowed(allow: string): MiddlewareHandler<AppEnv> {
  return async (c) => problem(c, "method-not-allowed", `Use ${allow}.`, { headers: { Allow: allow } });
}

const ADMIN_ROUTES = ["/v1/cache", "/v1/tenants/:tenant/cache"];

/**
 * The Worker: health check, then configuration, authentication (admin keys for the cache, API keys and their
 * rate limit for everything else under /v1), the tenant, and the routes. One app, and so one cache and one set of
 * upstream objects, per isolate.
 */
export function createApp(options: AppOptions = {}) {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const cache = new BatchCache({
    now,
    sleep,
    ...(options.memoryUnits === undefined ? {} : { memoryUnits: options.memoryUnits }),
  });
  const upstreams = new Upstreams(now, sleep);
  const directory = new TenantDirectory(now);
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(timing({ crossOrigin: false }));
  app.use(withCallContext);
  app.use(discardUnreadBody);
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.use("/v1/*", withConfig);
  for (const route of ADMIN_ROUTES) app.use(route, requireAdminKey);
  app.use("/v1/*", except(ADMIN_ROUTES, requireApiKey, rateLimit));
  for (const [prefix, resolve] of [
    ["/v1", defaultTenant(upstreams)],
    ["/v1/tenants/:tenant", namedTenant(directory, upstreams)],
  ] as const) {
    app.use(`${prefix}/batch-tasks`, resolve);
    app.use(`${prefix}/batch-tasks/query`, resolve);
    app.use(`${prefix}/cache`, resolve);
    app.route(prefix, batchTasksRoutes(cache));
    app.route(prefix, cacheRoutes(cache));
    app.all(`${prefix}/batch-tasks`, methodNotAllowed("GET, HEAD"));
    app.all(`${prefix}/batch-tasks/query`, methodNotAllowed("POST"));
    app.all(`${prefix}/cache`, methodNotAllowed("DELETE"));
  }
  app.notFound((c) => problem(c, "not-found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log("error", "unhandled_error", { requestId: c.var.requestId, error: String(error) });
    return problem(c, "internal-error", "An unexpected error occurred; quote the requestId when reporting it.");
  });
  return app;
}
