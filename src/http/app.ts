import { Hono, type MiddlewareHandler } from "hono";
import { except } from "hono/combine";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { timing } from "hono/timing";
import { loadConfig } from "../config/config.js";
import { log } from "../log.js";
import { BatchService, type ServiceOptions } from "../service.js";
import type { AppEnv } from "./app-env.js";
import { requireAdminKey, requireApiKey } from "./auth.js";
import { discardUnreadBody } from "./body.js";
import { withCallContext } from "./observability.js";
import { openApiRoutes } from "./openapi.js";
import { INTERNAL_ERROR_DETAIL, problem, problemOfHttpException } from "./problem.js";
import { rateLimit } from "./rate-limit.js";
import { batchTasksRoutes } from "./routes/batch-tasks.js";
import { cacheRoutes } from "./routes/cache.js";
import { restRoutes } from "./routes/rest.js";
import { resolveTenant } from "./tenant.js";

export type AppOptions = ServiceOptions & {
  /** The isolate's service; tests leave it out to get a fresh one (a fresh isolate). */
  service?: BatchService;
};

/** Validates the configuration once per isolate; a bad setting is named (never shown) in a 500 problem. */
const withConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = loadConfig(c.env, c.var.requestId);
  if (!loaded.ok) return problem(c, "configuration-error", `Invalid configuration: ${loaded.invalidSettings.join("; ")}.`);
  c.set("config", loaded.config);
  await next();
};

function methodNotAllowed(allow: string): MiddlewareHandler<AppEnv> {
  return async (c) => problem(c, "method-not-allowed", `Use ${allow}.`, { headers: { Allow: allow } });
}

/** Every route that answers from a tenant, with the methods it takes. `/v1/tenants/{tenant}` prefixes each. */
const TENANT_ROUTES = [
  ["/v1/batch-tasks", "GET, HEAD"],
  ["/v1/batch-tasks/query", "POST"],
  ["/v1/cache", "DELETE"],
  ["/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState", "POST"],
] as const;

const TENANT_PREFIX = "/v1/tenants/:tenant";

const ADMIN_ROUTES = ["/v1/cache", `${TENANT_PREFIX}/cache`];

/**
 * The Worker's HTTP side: health check, OpenAPI document, then for the API: configuration, authentication (admin
 * keys for the cache, API keys and their rate limit for everything else), the tenant, and the routes. The routes are
 * chained so that their types (`AppType`) carry every path, input and JSON answer to `hono/client`.
 */
export function createApp(options: AppOptions = {}) {
  const service = options.service ?? new BatchService(options);
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(timing({ crossOrigin: false }));
  app.use(withCallContext);
  app.use(discardUnreadBody);
  for (const prefix of ["/v1/*", "/api/*"]) app.use(prefix, withConfig);
  for (const route of ADMIN_ROUTES) app.use(route, requireAdminKey);
  for (const prefix of ["/v1/*", "/api/*"]) app.use(prefix, except(ADMIN_ROUTES, requireApiKey, rateLimit));
  for (const [path] of TENANT_ROUTES) {
    app.use(path, resolveTenant(service));
    app.use(`${TENANT_PREFIX}${path.replace(/^\/v1/, "")}`, resolveTenant(service));
  }
  const routes = app
    .get("/healthz", (c) => c.json({ ok: true as const }, 200))
    .route("/", openApiRoutes())
    .route("/v1", batchTasksRoutes(service))
    .route("/v1", cacheRoutes(service))
    .route("/api", restRoutes(service))
    .route(TENANT_PREFIX, batchTasksRoutes(service))
    .route(TENANT_PREFIX, cacheRoutes(service))
    .route(`${TENANT_PREFIX}/api`, restRoutes(service));
  for (const [path, allow] of TENANT_ROUTES) {
    app.all(path, methodNotAllowed(allow));
    app.all(`${TENANT_PREFIX}${path.replace(/^\/v1/, "")}`, methodNotAllowed(allow));
  }
  app.notFound((c) => problem(c, "not-found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return problemOfHttpException(c, error);
    log("error", "unhandled_error", { requestId: c.var.requestId, error: String(error) });
    return problem(c, "internal-error", INTERNAL_ERROR_DETAIL);
  });
  return routes;
}

/** The Worker's routes as types: `hc<AppType>(…)` gives typed inputs and JSON answers (see src/client.ts). */
export type AppType = ReturnType<typeof createApp>;
