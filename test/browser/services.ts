import { type Starting, spawnWrangler, type WranglerService } from "../../bench/services.js";

/** A `wrangler dev` being started: stoppable at once, usable once `ready` resolves (it rejects when it fails). */
export type StartingService = Starting<WranglerService>;

export type WorkerOptions = {
  /** The emulator's Batch.svc URL, for `SUPEROFFICE_BATCH_URL`. */
  upstreamUrl: string;
  /** `CACHE_FRESH_SECONDS`: short, so that the page sees a change soon. */
  freshSeconds: number;
  /** How long to wait for `/healthz`. */
  timeoutMs: number;
};

/**
 * `wrangler dev` of the Worker as deployed (default environment) with dev.env's keys, pointed at the emulator, with
 * its own KV state in a temporary directory that is removed when it stops (bench/services.ts starts and stops it).
 * Static assets come from public/ as wrangler.toml says. The handle comes back before the Worker is ready, so that a
 * caller whose own time runs out can still stop it.
 */
export function startWorker({ upstreamUrl, freshSeconds, timeoutMs }: WorkerOptions): Promise<StartingService> {
  return spawnWrangler({
    envFile: "dev.env",
    persistTo: "temporary",
    vars: { SUPEROFFICE_BATCH_URL: upstreamUrl, CACHE_FRESH_SECONDS: String(freshSeconds) },
    readyPath: "/healthz",
    timeoutMs,
  });
}
