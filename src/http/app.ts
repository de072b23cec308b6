import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { loadConfig } from "../config/config.js";
import { log } from "../log.js";
import type { AppEnv } from "./app-env.js";
import { requireApiKey } from "./auth.js";
import { problem } from "./problem.js";
import { batchTasksRoutes } from "./routes/batch-tasks.js";

export type AppOptions = {
  /** The clock, in epoch milliseconds; tests inject one instead of sleeping. */
  now?: () => number;
};

/** Validates the configuration once per isolate; a bad setting is named (never shown) in a 500 problem. */
const withConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = loadConfig(c.env);
  if (!loaded.ok) {
    log("error", "configuration_invalid", { settings: loaded.invalidSettings });
    return problem(c, "configuration-error", `Invalid configuration: ${loaded.invalidSettings.join("; ")}.`);
  }
  c.set("config", loaded.config);
  await next();
};

function methodNotAllowed(allow: string): MiddlewareHandler<AppEnv> {
  return async (c) => problem(c, "method-not-allowed", `Use ${allow}.`, { headers: { Allow: allow } });
}

/** The Worker: health check, then configuration, authentication and the batch-task routes. */
export function createApp(options: AppOptions = {}): Hono<AppEnv> {
  const now = options.now ?? Date.now;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.use("/v1/*", withConfig, requireApiKey());
  app.route("/v1/batch-tasks", batchTasksRoutes(now));
  app.all("/v1/batch-tasks", methodNotAllowed("GET, HEAD"));
  app.all("/v1/batch-tasks/query", methodNotAllowed("POST"));
  app.notFound((c) => problem(c, "not-found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log("error", "unhandled_error", { requestId: c.var.requestId, error: String(error) });
    return problem(c, "internal-error", "An unexpected error occurred; quote the requestId when reporting it.");
  });
  return app;
}
