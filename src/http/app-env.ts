import type { RequestIdVariables } from "hono/request-id";
import type { Config, Env } from "../config/config.js";

/** What the caller's key allows: `reader` (API_KEYS) queries, `admin` (ADMIN_KEYS) also purges. */
export type Role = "reader" | "admin";

/** Hono's typing of this Worker: its bindings and the per-request variables middleware sets. */
export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & { config: Config; role: Role };
};
