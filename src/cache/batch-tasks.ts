import type { Config } from "../config/config.js";
import type { BatchQuery } from "../model/batch-query.js";
import { fetchBatchTasks, type UpstreamFailure } from "../upstream/client.js";
import { cacheKey } from "./key.js";
import { readEntry, writeEntry, type CachedEntry } from "./kv-store.js";

/** Identifies this cache in `Cache-Status` (RFC 9211). */
export const CACHE_NAME = "superoffice-batch-edge";

export type Served = {
  entry: CachedEntry;
  /** The `Cache-Status` member for this cache, e.g. `superoffice-batch-edge; hit; ttl=12`. */
  cacheStatus: string;
};

export type ServeResult = { ok: true; served: Served } | { ok: false; failure: UpstreamFailure };

export type CacheDeps = {
  config: Config;
  now: () => number;
  waitUntil: (work: Promise<unknown>) => void;
};

/** Whole seconds since the entry's data left SuperOffice. */
export function ageSeconds(entry: CachedEntry, now: number): number {
  return Math.max(0, Math.floor((now - entry.fetchedAt) / 1000));
}

/**
 * Answers a query from KV while the entry is fresh, otherwise from SuperOffice, storing the validated answer.
 * Freshness is decided here from `fetchedAt`, not by KV expiry. Errors are never stored.
 */
export async function serveBatchTasks(deps: CacheDeps, query: BatchQuery): Promise<ServeResult> {
  const { config, now } = deps;
  const key = await cacheKey(config.upstreamUrl, query);
  const cached = await readEntry(config.cache, key);
  if (cached !== null) {
    const ttl = config.freshSeconds - ageSeconds(cached, now());
    if (ttl > 0) return { ok: true, served: { entry: cached, cacheStatus: `${CACHE_NAME}; hit; ttl=${ttl}` } };
  }
  const result = await fetchBatchTasks(query, {
    url: config.upstreamUrl,
    credentials: config.credentials,
    timeoutMs: config.upstreamTimeoutMs,
    now,
  });
  if (!result.ok) return result;
  const entry: CachedEntry = { body: JSON.stringify(result.body), fetchedAt: Date.parse(result.body.fetchedAt) };
  const fwd = cached === null ? "fwd=miss" : "fwd=stale";
  if (config.freshSeconds === 0) return { ok: true, served: { entry, cacheStatus: `${CACHE_NAME}; ${fwd}` } };
  deps.waitUntil(writeEntry(config.cache, key, entry, config.freshSeconds));
  return { ok: true, served: { entry, cacheStatus: `${CACHE_NAME}; ${fwd}; stored` } };
}
