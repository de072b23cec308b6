import type { RequestIdVariables } from "hono/request-id";
import type { TimingVariables } from "hono/timing";
import type { CallContext } from "../call-context.js";
import type { Config, Env } from "../config/config.js";
import type { Tenant } from "../config/tenant.js";
import type { TenantUpstream } from "../upstream/tenant-upstream.js";

/** What the caller's key allows: `reader` (API_KEYS) queries, `admin` (ADMIN_KEYS) also purges. */
export type Role = "reader" | "admin";

/** Hono's typing of this Worker: its bindings and the per-request variables middleware sets. */
export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables &
    TimingVariables & {
      config: Config;
      role: Role;
      /** The bearer key the caller sent (already checked), for per-key rate limits and tenant restrictions. */
      apiKey: string;
      /** Its SHA-256, made once by authentication: the rate limiter's key. */
      apiKeyDigest: Uint8Array;
      tenant: Tenant;
      origin: TenantUpstream;
      call: CallContext;
      /** How many distinct associate ids the request asked about, for the request's log line. */
      idCount: number | undefined;
    };
};
