import { cpSync } from "node:fs";
import { join } from "node:path";
import { buildWorker, ROOT, startWrangler, type WranglerService } from "../services.js";

/** A copy of the Worker as it is now: its bundle, configuration, static assets and dev.env. */
export type FrozenWorker = { script: string; config: string; envFile: string };

/**
 * Bundles the Worker as `wrangler deploy` would (`--dry-run --outdir`) and copies wrangler.toml, public/ and dev.env
 * beside the bundle, into `dir`. `wrangler dev` of the copy does not reload when someone edits src/ during the run
 * (in a shared checkout it otherwise restarts the Worker mid-phase, and retries GETs against the new one).
 */
export async function freezeWorker(dir: string): Promise<FrozenWorker> {
  const { script } = await buildWorker(join(dir, "bundle"));
  cpSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  cpSync(join(ROOT, "dev.env"), join(dir, "dev.env"));
  cpSync(join(ROOT, "public"), join(dir, "public"), { recursive: true });
  return { script, config: join(dir, "wrangler.toml"), envFile: join(dir, "dev.env") };
}

/**
 * `wrangler dev` of the frozen Worker in its default environment, as deployed: the `[[ratelimits]]` binding (600 per
 * 60 s per key), `UPSTREAM_CONCURRENCY` 6, the default size, task and time limits; dev.env's secrets, but `apiKeys`
 * as `API_KEYS` (several keys, so that load phases that need more than one key's budget can have it), the upstream
 * at `upstreamUrl`, its own KV state in `stateDir`, and a V8 inspector port for heap measurements. Its output goes to
 * `logFile` too, and the last 20,000 characters of it are kept for the report.
 */
export function startFrozenWorker(
  frozen: FrozenWorker,
  upstreamUrl: string,
  stateDir: string,
  apiKeys: readonly string[],
  logFile: string,
): Promise<WranglerService> {
  return startWrangler({
    script: frozen.script,
    config: frozen.config,
    envFile: frozen.envFile,
    persistTo: { dir: stateDir },
    vars: { SUPEROFFICE_BATCH_URL: upstreamUrl, API_KEYS: apiKeys.join(",") },
    readyPath: "/healthz",
    logFile,
    keepChars: 20_000,
  });
}
