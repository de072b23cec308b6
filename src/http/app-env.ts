import type { RequestIdVariables } from "hono/request-id";
import type { Config, Env } from "../config/config.js";

/** Hono's typing of this Worker: its bindings and the per-request variables middleware sets. */
export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & { config: Config };
};
