import type { RequestDirectives } from "./directives.js";
import type { CachedEntry } from "./entry.js";

/** Identifies this cache in `Cache-Status` (RFC 9211). */
const CACHE_NAME = "superoffice-batch-edge";

/** The cache's windows, in seconds after `fetchedAt`: fresh, then stale (served while revalidating or on error). */
export type Windows = { freshSeconds: number; staleSeconds: number };

export type Assessment = { fresh: boolean; usable: boolean };

/**
 * Fresh: younger than `CACHE_FRESH_SECONDS`. Usable: inside the fresh + stale window, and, when the request sets
 * `max-age`, fresh and younger than it (RFC 9111: no stale answer without `max-stale`). A stale entry is not usable
 * once SuperOffice has rejected the tenant's credentials for longer than one fresh period (`rejectedSince`), so a
 * revoked credential surfaces as errors instead of hiding behind stale data for the whole stale window.
 */
export function assess(
  entry: CachedEntry,
  now: number,
  { freshSeconds, staleSeconds }: Windows,
  directives: RequestDirectives,
  rejectedSince: number | null,
): Assessment {
  const ageMs = now - entry.fetchedAt;
  const fresh = ageMs < freshSeconds * 1000;
  const inWindow = ageMs < (freshSeconds + staleSeconds) * 1000;
  const revoked = rejectedSince !== null && now - rejectedSince >= freshSeconds * 1000;
  const maxAge = directives.maxAge;
  return { fresh, usable: inWindow && (fresh || !revoked) && (maxAge === undefined || (fresh && ageMs < maxAge * 1000)) };
}

/** An entry as served, with the numbers its headers need, all taken at the same instant. */
export type Served = {
  entry: CachedEntry;
  /** Whole seconds since the data left SuperOffice: the `Age` header. */
  age: number;
  /** Seconds of freshness left, negative once stale: `ttl` in `Cache-Status`. */
  ttl: number;
  /** This cache's `Cache-Status` member, e.g. `superoffice-batch-edge; hit; ttl=12`. */
  cacheStatus: string;
};

/** Builds `Cache-Status` as `<name>; <hit|fwd=…>[; ttl=N][; flags…]`, with `Age` and `ttl` from one instant. */
export function served(
  entry: CachedEntry,
  now: number,
  freshSeconds: number,
  outcome: string,
  withTtl: boolean,
  flags: string[] = [],
): Served {
  const age = Math.floor(Math.max(0, now - entry.fetchedAt) / 1000);
  const ttl = freshSeconds - age;
  const members = [CACHE_NAME, outcome, ...(withTtl ? [`ttl=${ttl}`] : []), ...flags];
  return { entry, age, ttl, cacheStatus: members.join("; ") };
}
