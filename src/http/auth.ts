import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "./app-env.js";
import { problem } from "./problem.js";

const unauthorized = (detail: string) => (c: Context<AppEnv>) => problem(c, "unauthorized", detail);

/** Compares the token with every key in constant time (Hono's hashed comparison), without stopping at a match. */
async function isOneOf(keys: readonly string[], token: string): Promise<boolean> {
  let found = false;
  for (const key of keys) found = (await timingSafeEqual(key, token)) || found;
  return found;
}

/**
 * `Authorization: Bearer <key>` checked by Hono's bearer-auth; every failure is a 401 problem with a
 * `WWW-Authenticate: Bearer` challenge. `verify` may also throw an HTTPException (403).
 */
function bearer(verify: (token: string, c: Context<AppEnv>) => Promise<boolean>): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    verifyToken: verify,
    noAuthenticationHeader: { message: unauthorized("send Authorization: Bearer <API key>") },
    invalidAuthenticationHeader: {
      message: unauthorized("the Authorization header must be Bearer <API key>"),
      wwwAuthenticateHeader: 'Bearer error="invalid_request"',
    },
    invalidToken: { message: unauthorized("the API key is not valid") },
  });
}

/** Requires one of `API_KEYS`. */
export const requireApiKey: MiddlewareHandler<AppEnv> = bearer((token, c) => isOneOf(c.var.config.apiKeys, token));

/** Requires one of `ADMIN_KEYS`; a valid API key is recognised but gets 403, since it may only read. */
export const requireAdminKey: MiddlewareHandler<AppEnv> = bearer(async (token, c) => {
  if (await isOneOf(c.var.config.adminKeys, token)) return true;
  if (await isOneOf(c.var.config.apiKeys, token)) {
    throw new HTTPException(403, { res: problem(c, "forbidden", "Purging the cache needs a key from ADMIN_KEYS.") });
  }
  return false;
});
