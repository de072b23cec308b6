import type { Config } from "../config/config.js";
import { log } from "../log.js";
import type { BatchQuery } from "../model/batch-query.js";
import { fetchBatchTasks, type UpstreamFailure } from "../upstream/client.js";
import type { RequestDirectives } from "./directives.js";
import { toEntry, type CachedEntry } from "./entry.js";
import { entryKey, tenantOf, type Tenant } from "./key.js";
import { deleteEntry, readEntry, readGeneration, writeEntry, writeGeneration } from "./kv-store.js";
import { MemoryTier } from "./memory-tier.js";

/** Identifies this cache in `Cache-Status` (RFC 9211). */
export const CACHE_NAME = "superoffice-batch-edge";

/** Budget of the in-isolate tier, in UTF-16 code units of bodies (about twice as many bytes). */
const MEMORY_TIER_UNITS = 8 * 1024 * 1024;
/** How long an isolate trusts the cache generation it last read from KV. */
const GENERATION_MEMO_MS = 1000;
/** KV accepts one write per second per key. */
const KV_WRITE_INTERVAL_MS = 1000;

/** A cached or fetched answer, with the numbers its headers need, all taken at the same instant. */
export type Served = {
  entry: CachedEntry;
  /** Whole seconds since the data left SuperOffice: the `Age` header. */
  age: number;
  /** Seconds of freshness left, negative once stale: `ttl` in `Cache-Status`. */
  ttl: number;
  /** This cache's `Cache-Status` member, e.g. `superoffice-batch-edge; hit; ttl=12`. */
  cacheStatus: string;
};

export type ServeFailure = UpstreamFailure | { kind: "not-cached"; detail: string };

export type ServeResult = { ok: true; served: Served } | { ok: false; failure: ServeFailure };

export type PurgeResult = "purged" | "too-soon" | "failed";

/** What one request brings: the configuration, its `Cache-Control` directives, and its `waitUntil`. */
export type ServeContext = {
  config: Config;
  directives: RequestDirectives;
  waitUntil: (work: Promise<unknown>) => void;
};

type Forwarded = { ok: true; entry: CachedEntry; stored: boolean } | { ok: false; failure: UpstreamFailure };

type Assessment = { age: number; ttl: number; fresh: boolean; usable: boolean };

/**
 * The read-through cache of batch-task answers: an in-isolate LRU tier in front of KV, freshness decided from
 * `fetchedAt` (fresh, then stale-while-revalidate and stale-if-error within the stale window), request
 * coalescing, RFC 9111 request directives and purge by entry or by tenant generation. One instance per isolate.
 */
export class BatchCache {
  private readonly memory = new MemoryTier(MEMORY_TIER_UNITS);
  private readonly inflight = new Map<string, Promise<Forwarded>>();
  private readonly lastWrite = new Map<string, number>();
  private readonly generations = new Map<string, { value: number; readAt: number }>();
  private readonly tenants = new Map<string, Tenant>();

  constructor(private readonly now: () => number) {}

  /** Answers one query from the cache or from SuperOffice, as the directives allow. */
  async serve(query: BatchQuery, context: ServeContext): Promise<ServeResult> {
    const { config, directives } = context;
    const key = await this.keyFor(config, query);
    const cached = key === null ? null : await this.lookup(config, key);
    const before = cached === null ? null : this.assess(cached, context);

    if (directives.onlyIfCached) {
      if (cached !== null && before?.usable) return this.served(cached, context, "hit", true);
      return { ok: false, failure: { kind: "not-cached", detail: "Nothing usable is cached for this query (only-if-cached)." } };
    }
    if (cached !== null && before?.usable && !directives.noCache) {
      if (!before.fresh && key !== null) context.waitUntil(this.forward(key, query, context));
      return this.served(cached, context, "hit", true);
    }

    const fwd = before === null ? "fwd=miss" : before.fresh ? "fwd=request" : "fwd=stale";
    const collapsed = key !== null && this.inflight.has(key);
    const forwarded = await this.forward(key, query, context);
    if (forwarded.ok) {
      const flags = [...(forwarded.stored ? ["stored"] : []), ...(collapsed ? ["collapsed"] : [])];
      return this.served(forwarded.entry, context, fwd, false, flags);
    }
    if (cached !== null && this.assess(cached, context).usable) {
      return this.served(cached, context, fwd, true, ["detail=stale-if-error"]);
    }
    return forwarded;
  }

  /** Drops one question's entry from KV and from this isolate. */
  async purgeEntry(config: Config, query: BatchQuery): Promise<boolean> {
    const key = await this.keyFor(config, query);
    if (key === null) return config.freshSeconds + config.staleSeconds === 0;
    this.memory.delete(key);
    return deleteEntry(config.cache, key);
  }

  /** Invalidates every entry of this upstream URL by moving to a new cache generation; KV is never listed. */
  async purgeAll(config: Config): Promise<PurgeResult> {
    const tenant = await this.tenant(config);
    const now = this.now();
    if (!this.mayWrite(tenant.generationKey, now)) return "too-soon";
    const current = await readGeneration(config.cache, tenant.generationKey);
    if (current === null) return "failed";
    const next = Math.max(current, this.generations.get(tenant.generationKey)?.value ?? 0) + 1;
    if (!(await writeGeneration(config.cache, tenant.generationKey, next))) return "failed";
    this.lastWrite.set(tenant.generationKey, now);
    this.generations.set(tenant.generationKey, { value: next, readAt: now });
    this.memory.deletePrefix(tenant.prefix);
    return "purged";
  }

  /** The entry's key, or `null` when nothing may be cached (no cache window, or KV cannot tell the generation). */
  private async keyFor(config: Config, query: BatchQuery): Promise<string | null> {
    if (config.freshSeconds + config.staleSeconds === 0) return null;
    const tenant = await this.tenant(config);
    const generation = await this.generation(config, tenant);
    return generation === null ? null : entryKey(tenant, generation, query);
  }

  private async tenant(config: Config): Promise<Tenant> {
    const known = this.tenants.get(config.upstreamUrl);
    if (known !== undefined) return known;
    const tenant = await tenantOf(config.upstreamUrl);
    this.tenants.set(config.upstreamUrl, tenant);
    return tenant;
  }

  private async generation(config: Config, tenant: Tenant): Promise<number | null> {
    const memo = this.generations.get(tenant.generationKey);
    const now = this.now();
    if (memo !== undefined && now - memo.readAt < GENERATION_MEMO_MS) return memo.value;
    const value = await readGeneration(config.cache, tenant.generationKey);
    if (value === null) return memo?.value ?? null;
    this.generations.set(tenant.generationKey, { value: Math.max(value, memo?.value ?? 0), readAt: now });
    return Math.max(value, memo?.value ?? 0);
  }

  /**
   * The newest entry still inside the cache window: memory first, else KV (which then fills memory). Memory is
   * checked again after the KV read, so a request that read KV while another stored a fresh answer sees that answer.
   */
  private async lookup(config: Config, key: string): Promise<CachedEntry | null> {
    const inWindow = (entry: CachedEntry | undefined | null): entry is CachedEntry =>
      entry != null && this.now() - entry.fetchedAt < (config.freshSeconds + config.staleSeconds) * 1000;
    const remembered = this.memory.get(key);
    if (inWindow(remembered)) return remembered;
    const stored = await readEntry(config.cache, key);
    const meanwhile = this.memory.get(key);
    if (inWindow(meanwhile) && (!inWindow(stored) || meanwhile.fetchedAt >= stored.fetchedAt)) return meanwhile;
    if (!inWindow(stored)) {
      this.memory.delete(key);
      return null;
    }
    this.memory.set(key, stored);
    return stored;
  }

  private assess(entry: CachedEntry, { config, directives }: ServeContext): Assessment {
    const ageMs = Math.max(0, this.now() - entry.fetchedAt);
    const age = Math.floor(ageMs / 1000);
    return {
      age,
      ttl: config.freshSeconds - age,
      fresh: ageMs < config.freshSeconds * 1000,
      usable:
        ageMs < (config.freshSeconds + config.staleSeconds) * 1000 &&
        (directives.maxAge === undefined || ageMs < directives.maxAge * 1000),
    };
  }

  /** Builds `Cache-Status` as `<name>; <hit|fwd=…>[; ttl=N][; flags…]`, with `Age` and `ttl` from one instant. */
  private served(entry: CachedEntry, context: ServeContext, outcome: string, withTtl: boolean, flags: string[] = []): ServeResult {
    const { age, ttl } = this.assess(entry, context);
    const members = [CACHE_NAME, outcome, ...(withTtl ? [`ttl=${ttl}`] : []), ...flags];
    return { ok: true, served: { entry, age, ttl, cacheStatus: members.join("; ") } };
  }

  /**
   * One upstream call per key per isolate at a time: concurrent callers share the leader's outcome (plain data,
   * never a Response). The leader's work is handed to `waitUntil`, so it completes even if its caller goes away.
   */
  private forward(key: string | null, query: BatchQuery, context: ServeContext): Promise<Forwarded> {
    const pending = key === null ? undefined : this.inflight.get(key);
    if (pending !== undefined) return pending;
    const work = this.callUpstream(key, query, context);
    if (key !== null) {
      this.inflight.set(key, work);
      const settle = () => this.inflight.delete(key);
      context.waitUntil(work.then(settle, settle));
    }
    return work;
  }

  private async callUpstream(key: string | null, query: BatchQuery, context: ServeContext): Promise<Forwarded> {
    const { config } = context;
    const result = await fetchBatchTasks(query, {
      url: config.upstreamUrl,
      credentials: config.credentials,
      timeoutMs: config.upstreamTimeoutMs,
      now: this.now,
    });
    if (!result.ok) {
      log("warn", "upstream_failed", {
        kind: result.failure.kind,
        detail: result.failure.detail,
        state: query.state,
        associateCount: query.associateIds.length,
      });
      return result;
    }
    const entry = await toEntry(result.body);
    const stored = key !== null && !context.directives.noStore;
    if (stored) this.store(key, entry, context);
    return { ok: true, entry, stored };
  }

  /** Keeps the entry in memory at once and in KV in the background, at most one KV write per key per second. */
  private store(key: string, entry: CachedEntry, { config, waitUntil }: ServeContext): void {
    this.memory.set(key, entry);
    const now = this.now();
    if (!this.mayWrite(key, now)) return;
    this.lastWrite.set(key, now);
    waitUntil(writeEntry(config.cache, key, entry, config.freshSeconds + config.staleSeconds));
  }

  private mayWrite(key: string, now: number): boolean {
    if (this.lastWrite.size > 1024) {
      for (const [written, at] of this.lastWrite) if (now - at >= KV_WRITE_INTERVAL_MS) this.lastWrite.delete(written);
    }
    const last = this.lastWrite.get(key);
    return last === undefined || now - last >= KV_WRITE_INTERVAL_MS;
  }
}
