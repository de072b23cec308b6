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
 * Whether the token, by its SHA-256 `offered`, is one of the keys: compared with every key's digest in constant time
 * (`crypto.subtle.timingSafeEqual`), without stopping at a match. Hashing both sides gives equal lengths and hides
 * a key's length; hashing the keys once per isolate keeps the cost flat however many keys there are.
 */
async function isOneOf(keys: readonly string[], offered: Uint8Array): Promise<boolean> {
  let found = false;
  for (const digest of await digestsOf(keys)) found = crypto.subtle.timingSafeEqual(digest, offered) || found;
  return found;
}

/**
 * `Authorization: Bearer <key>` checked by Hono's bearer-auth: `roleOf` says, from the key's SHA-256 (made once per
 * request), what the key may do (null: nothing); the role, the key and its digest are kept in `c.var.role`,
 * `c.var.apiKey` and `c.var.apiKeyDigest`. Every failure is a 401 problem with a `WWW-Authenticate: Bearer` challenge.
 */
function bearer(roleOf: (offered: Uint8Array, c: Context<AppEnv>) => Promise<Role | null>): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    verifyToken: async (token, c) => {
      const offered = await sha256(token);
      const role = await roleOf(offered, c);
      if (role === null) return false;
      c.set("role", role);
      c.set("apiKey", token);
      c.set("apiKeyDigest", offered);
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
export const requireApiKey: MiddlewareHandler<AppEnv> = bearer(async (offered, c) =>
  (await isOneOf(c.var.config.apiKeys, offered)) ? "reader" : null,
);

/** Requires one of `ADMIN_KEYS`: an unknown key gets 401, a valid API key 403, since it may only read. */
export const requireAdminKey: MiddlewareHandler<AppEnv> = every(
  bearer(async (offered, c) => {
    if (await isOneOf(c.var.config.adminKeys, offered)) return "admin";
    return (await isOneOf(c.var.config.apiKeys, offered)) ? "reader" : null;
  }),
  async (c, next) => {
    if (c.var.role !== "admin") return problem(c, "forbidden", "Purging the cache needs a key from ADMIN_KEYS.");
    await next();
  },
);
