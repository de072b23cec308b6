import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

const unauthorized = (detail: string) => (c: Context<AppEnv>) => problem(c, "unauthorized", detail);

/**
 * Requires `Authorization: Bearer <key>` with one of `API_KEYS`, compared in constant time by Hono's bearer-auth.
 * Every failure is a 401 problem with a `WWW-Authenticate: Bearer` challenge.
 */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return (c, next) =>
    bearerAuth<AppEnv>({
      token: c.var.config.apiKeys,
      noAuthenticationHeader: { message: unauthorized("send Authorization: Bearer <API key>") },
      invalidAuthenticationHeader: {
        message: unauthorized("the Authorization header must be Bearer <API key>"),
        wwwAuthenticateHeader: 'Bearer error="invalid_request"',
      },
      invalidToken: { message: unauthorized("the API key is not valid") },
    })(c, next);
}
