import type { MiddlewareHandler } from "hono";
import { log } from "../log.js";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

/**
 * Per-key rate limiting through the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml sets the
 * limit and period); off when the binding is absent. The binding is keyed by the API key's SHA-256, which
 * authentication already made, so the key itself is never handed to it. A refusal is a 429 problem with `Retry-After` of one period
 * (`RATE_LIMIT_PERIOD_SECONDS`, which must match the binding's period). A binding that fails lets the request through.
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { rateLimiter, rateLimitPeriodSeconds } = c.var.config;
  if (rateLimiter === undefined) return next();
  const key = btoa(String.fromCharCode(...c.var.apiKeyDigest.subarray(0, 16)));
  let allowed = true;
  try {
    allowed = (await rateLimiter.limit({ key })).success;
  } catch (error) {
    log("warn", "rate_limiter_failed", { requestId: c.var.requestId, error: String(error) });
  }
  if (!allowed) {
    const retryAfter = String(rateLimitPeriodSeconds);
    return problem(
      c,
      "too-many-requests",
      `This key sent more requests than its rate limit allows; retry after ${retryAfter} s.`,
      {
        headers: { "Retry-After": retryAfter },
      },
    );
  }
  await next();
};
