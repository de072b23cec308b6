import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { every } from "hono/combine";
import { sha256 } from "../digest.js";
import type { AppEnv, Role } from "./app-env.js";
import { problem } from "./problem.js";

const unauthorized = (detail: string) => (c: Context<AppEnv>) => problem(c, "unauthorized", detail);

/** SHA-256 of each configured key, made once per key list (per isolate and configuration), not once per request. */
const keyDigests = new WeakMap<readonly string[], Promise<Uint8Array[]>>();

function digestsOf(keys: readonly string[]): Promise<Uint8Array[]> {
  let digests = keyDigests.get(keys);
  if (digests === undefined) {
    digests = Promise.all(keys.map((key) => sha256(key)));
    keyDigests.set(keys, digests);
  }
  return digests;
}

/**
 * Whether the token is one of the keys: its SHA-256 compared with every key's in constant time
 * (`crypto.subtle.timingSafeEqual`), without stopping at a match. Hashing both sides gives equal lengths and hides
 * a key's length; hashing the keys once per isolate keeps the cost flat however many keys there are.
 */
async function isOneOf(keys: readonly string[], token: string): Promise<boolean> {
  const [known, offered] = await Promise.all([digestsOf(keys), sha256(token)]);
  let found = false;
  for (const digest of known) found = crypto.subtle.timingSafeEqual(digest, offered) || found;
  return found;
}

/**
 * `Authorization: Bearer <key>` checked by Hono's bearer-auth: `roleOf` says what the key may do (null: nothing),
 * and the role and key are kept in `c.var.role` and `c.var.apiKey`. Every failure is a 401 problem with a `WWW-Authenticate: Bearer` challenge.
 */
function bearer(roleOf: (token: string, c: Context<AppEnv>) => Promise<Role | null>): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    verifyToken: async (token, c) => {
      const role = await roleOf(token, c);
      if (role === null) return false;
      c.set("role", role);
      c.set("apiKey", token);
      return true;
    },
    noAuthenticationHeader: { message: unauthorized("send Authorization: Bearer <API key>") },
    invalidAuthenticationHeader: {
      message: unauthorized("the Authorization header must be Bearer <API key>"),
      wwwAuthenticateHeader: 'Bearer error="invalid_request"',
    },
    invalidToken: { message: unauthorized("the API key is not valid") },
  });
}

/** Requires one of `API_KEYS`. */
export const requireApiKey: MiddlewareHandler<AppEnv> = bearer(async (token, c) =>
  (await isOneOf(c.var.config.apiKeys, token)) ? "reader" : null,
);

/** Requires one of `ADMIN_KEYS`: an unknown key gets 401, a valid API key 403, since it may only read. */
export const requireAdminKey: MiddlewareHandler<AppEnv> = every(
  bearer(async (token, c) => {
    if (await isOneOf(c.var.config.adminKeys, token)) return "admin";
    return (await isOneOf(c.var.config.apiKeys, token)) ? "reader" : null;
  }),
  async (c, next) => {
    if (c.var.role !== "admin") return problem(c, "forbidden", "Purging the cache needs a key from ADMIN_KEYS.");
    await next();
  },
);
