import type { Config } from "../config/config.js";
import { log } from "../log.js";
import type { BatchQuery } from "../model/batch-query.js";
import { fetchBatchTasks, type UpstreamFailure } from "../upstream/client.js";
import { NO_DIRECTIVES, type RequestDirectives } from "./directives.js";
import { type CachedEntry, toEntry } from "./entry.js";
import { entryKey, type Tenant, tenantOf } from "./key.js";
import { deleteEntry, readEntry, readGeneration, writeEntry, writeGeneration } from "./kv-store.js";
import { MemoryTier } from "./memory-tier.js";

/** Identifies this cache in `Cache-Status` (RFC 9211). */
const CACHE_NAME = "superoffice-batch-edge";

/** Budget of the in-isolate tier in UTF-16 code units (about 16 MB). */
const MEMORY_TIER_UNITS = 8 * 1024 * 1024;
/**
 * How long an isolate trusts what it holds in memory (entries and the cache generation) before asking KV again,
 * so that purges made elsewhere reach it: a hot key costs at most one KV read per this period.
 */
const MEMORY_TRUST_MS = 10_000;
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

/**
 * Where a question's answer lives: its key, and whether KV holds it too (`persist` is false while KV cannot tell
 * the cache generation; the answer is then kept, and calls coalesced, in memory only).
 */
type Slot = { key: string; persist: boolean };

/** The outcome of one upstream call. `stored`: the leader stored it; `superseded`: a purge overtook the call. */
type Forwarded = { ok: true; entry: CachedEntry; stored: boolean; superseded: boolean } | { ok: false; failure: UpstreamFailure };

type Flight = { slot: Slot; token: object };

type Assessment = { fresh: boolean; usable: boolean };

/**
 * The read-through cache of batch-task answers: an in-isolate LRU tier in front of KV, freshness decided from
 * `fetchedAt` (fresh, then stale-while-revalidate and stale-if-error within the stale window), request
 * coalescing, RFC 9111 request directives, and purge by entry or by tenant generation. One instance per isolate.
 */
export class BatchCache {
  private readonly memory = new MemoryTier(MEMORY_TIER_UNITS);
  private readonly inflight = new Map<string, { token: object; work: Promise<Forwarded> }>();
  private readonly lastWrite = new Map<string, number>();
  private readonly generations = new Map<string, { value: number; readAt: number }>();
  private readonly tenants = new Map<string, Tenant>();

  constructor(private readonly now: () => number) {}

  /** Answers one query from the cache or from SuperOffice, as the directives allow. */
  async serve(query: BatchQuery, context: ServeContext): Promise<ServeResult> {
    const { directives } = context;
    const slot = await this.slotFor(context.config, query);
    const cached = slot === null ? null : await this.lookup(context.config, slot);
    const before = cached === null ? null : this.assess(cached, context);

    if (directives.onlyIfCached) {
      if (cached !== null && before?.usable === true) return this.served(cached, context, "hit", true);
      return { ok: false, failure: { kind: "not-cached", detail: "Nothing usable is cached for this query (only-if-cached)." } };
    }
    if (slot !== null && cached !== null && before?.usable === true && !directives.noCache) {
      if (!before.fresh) void this.forward(slot, query, { ...context, directives: NO_DIRECTIVES });
      return this.served(cached, context, "hit", true);
    }

    const fwd = before === null ? "fwd=miss" : before.fresh ? "fwd=request" : "fwd=stale";
    const collapsed = slot !== null && this.inflight.has(slot.key);
    const forwarded = await this.forward(slot, query, context);
    if (forwarded.ok) {
      let stored = forwarded.stored;
      if (!stored && !forwarded.superseded && slot !== null && !directives.noStore) {
        this.store(slot, forwarded.entry, context);
        stored = true;
      }
      const flags = [...(stored ? ["stored"] : []), ...(collapsed ? ["collapsed"] : [])];
      return this.served(forwarded.entry, context, fwd, false, flags);
    }
    if (cached !== null && this.assess(cached, context).usable) {
      return this.served(cached, context, fwd, true, ["detail=stale-if-error"]);
    }
    return forwarded;
  }

  /**
   * Drops one question's entry from KV and from this isolate; an upstream call under way will not store it back.
   * A deletion is a KV write, so it too waits a second after the key's last write.
   */
  async purgeEntry(config: Config, query: BatchQuery): Promise<PurgeResult> {
    const slot = await this.slotFor(config, query);
    if (slot === null) return "purged";
    const now = this.now();
    if (!this.mayWrite(slot.key, now)) return "too-soon";
    this.memory.delete(slot.key);
    this.inflight.delete(slot.key);
    if (!slot.persist) return "failed";
    this.lastWrite.set(slot.key, now);
    return (await deleteEntry(config.cache, slot.key)) ? "purged" : "failed";
  }

  /**
   * Invalidates every entry of this upstream URL by moving to a new cache generation; KV is never listed. Upstream
   * calls under way will not store their answers.
   */
  async purgeAll(config: Config): Promise<PurgeResult> {
    const tenant = await this.tenant(config);
    const now = this.now();
    if (!this.mayWrite(tenant.generationKey, now)) return "too-soon";
    this.lastWrite.set(tenant.generationKey, now);
    const current = await readGeneration(config.cache, tenant.generationKey);
    const next = Math.max(current ?? 0, this.generations.get(tenant.generationKey)?.value ?? 0) + 1;
    if (current === null || !(await writeGeneration(config.cache, tenant.generationKey, next))) {
      this.lastWrite.delete(tenant.generationKey);
      return "failed";
    }
    this.generations.set(tenant.generationKey, { value: next, readAt: now });
    this.memory.deletePrefix(tenant.prefix);
    for (const key of [...this.inflight.keys()]) if (key.startsWith(tenant.prefix)) this.inflight.delete(key);
    return "purged";
  }

  /** The question's slot, or `null` when there is no cache window (fresh + stale = 0). */
  private async slotFor(config: Config, query: BatchQuery): Promise<Slot | null> {
    if (config.freshSeconds + config.staleSeconds === 0) return null;
    const tenant = await this.tenant(config);
    const generation = await this.generation(config, tenant);
    return generation === null
      ? { key: await entryKey(tenant, "offline", query), persist: false }
      : { key: await entryKey(tenant, generation, query), persist: true };
  }

  private async tenant(config: Config): Promise<Tenant> {
    const known = this.tenants.get(config.upstreamUrl);
    if (known !== undefined) return known;
    const tenant = await tenantOf(config.upstreamUrl);
    this.tenants.set(config.upstreamUrl, tenant);
    return tenant;
  }

  /** The tenant's cache generation, re-read from KV once the memo is older than `MEMORY_TRUST_MS`. */
  private async generation(config: Config, tenant: Tenant): Promise<number | null> {
    const memo = this.generations.get(tenant.generationKey);
    const now = this.now();
    if (memo !== undefined && now - memo.readAt < MEMORY_TRUST_MS) return memo.value;
    const read = await readGeneration(config.cache, tenant.generationKey);
    if (read === null) return memo?.value ?? null;
    const value = Math.max(read, memo?.value ?? 0);
    this.generations.set(tenant.generationKey, { value, readAt: now });
    return value;
  }

  /**
   * The newest entry still inside the cache window. Memory answers alone while its entry is recently confirmed
   * (or KV is out of reach); otherwise KV is asked: an entry KV no longer has (purged elsewhere) is dropped, and an
   * older copy in KV (a write skipped by the one-per-second limit, or not yet propagated) never replaces a newer
   * one in memory. Memory is checked again after the KV read, so a request that read KV while another stored a
   * fresh answer sees that answer.
   */
  private async lookup(config: Config, slot: Slot): Promise<CachedEntry | null> {
    const windowMs = (config.freshSeconds + config.staleSeconds) * 1000;
    const inWindow = (entry: CachedEntry): boolean => this.now() - entry.fetchedAt < windowMs;
    const remembered = this.memory.get(slot.key);
    if (remembered !== undefined && inWindow(remembered.entry)) {
      if (!slot.persist || this.now() - remembered.confirmedAt < MEMORY_TRUST_MS) return remembered.entry;
    }
    if (!slot.persist) return null;
    const stored = await readEntry(config.cache, slot.key);
    const meanwhile = this.memory.get(slot.key);
    if (meanwhile !== undefined && meanwhile !== remembered && inWindow(meanwhile.entry)) return meanwhile.entry;
    if (stored === undefined) return remembered !== undefined && inWindow(remembered.entry) ? remembered.entry : null;
    if (stored === null || !inWindow(stored)) {
      this.memory.delete(slot.key);
      return null;
    }
    const newest = remembered !== undefined && remembered.entry.fetchedAt > stored.fetchedAt ? remembered.entry : stored;
    this.memory.set(slot.key, newest, this.now());
    return newest;
  }

  /**
   * Fresh: younger than `CACHE_FRESH_SECONDS`. Usable: inside the fresh + stale window, and, when the request
   * sets `max-age`, fresh and younger than it (RFC 9111: no stale answer without `max-stale`).
   */
  private assess(entry: CachedEntry, { config, directives }: ServeContext): Assessment {
    const ageMs = this.now() - entry.fetchedAt;
    const fresh = ageMs < config.freshSeconds * 1000;
    const inWindow = ageMs < (config.freshSeconds + config.staleSeconds) * 1000;
    const maxAge = directives.maxAge;
    return { fresh, usable: inWindow && (maxAge === undefined || (fresh && ageMs < maxAge * 1000)) };
  }

  /** Builds `Cache-Status` as `<name>; <hit|fwd=…>[; ttl=N][; flags…]`, with `Age` and `ttl` from one instant. */
  private served(
    entry: CachedEntry,
    context: ServeContext,
    outcome: string,
    withTtl: boolean,
    flags: string[] = [],
  ): ServeResult {
    const age = Math.floor(Math.max(0, this.now() - entry.fetchedAt) / 1000);
    const ttl = context.config.freshSeconds - age;
    const members = [CACHE_NAME, outcome, ...(withTtl ? [`ttl=${ttl}`] : []), ...flags];
    return { ok: true, served: { entry, age, ttl, cacheStatus: members.join("; ") } };
  }

  /**
   * One upstream call per key per isolate at a time: concurrent callers share the leader's outcome (plain data,
   * never a Response). The leader's work is handed to `waitUntil`, so it completes even if its caller goes away.
   */
  private forward(slot: Slot | null, query: BatchQuery, context: ServeContext): Promise<Forwarded> {
    if (slot === null) return this.callUpstream(null, query, context);
    const pending = this.inflight.get(slot.key);
    if (pending !== undefined) return pending.work;
    const flight: Flight = { slot, token: {} };
    const work = this.callUpstream(flight, query, context);
    this.inflight.set(slot.key, { token: flight.token, work });
    const settle = () => {
      if (this.inflight.get(slot.key)?.token === flight.token) this.inflight.delete(slot.key);
    };
    context.waitUntil(work.then(settle, settle));
    return work;
  }

  private async callUpstream(flight: Flight | null, query: BatchQuery, context: ServeContext): Promise<Forwarded> {
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
    if (flight === null) return { ok: true, entry, stored: false, superseded: false };
    const superseded = this.inflight.get(flight.slot.key)?.token !== flight.token;
    const stored = !superseded && !context.directives.noStore;
    if (stored) this.store(flight.slot, entry, context);
    return { ok: true, entry, stored, superseded };
  }

  /** Keeps the entry in memory at once and in KV in the background, at most one KV write per key per second. */
  private store(slot: Slot, entry: CachedEntry, { config, waitUntil }: ServeContext): void {
    const now = this.now();
    this.memory.set(slot.key, entry, now);
    if (!slot.persist || !this.mayWrite(slot.key, now)) return;
    this.lastWrite.set(slot.key, now);
    waitUntil(writeEntry(config.cache, slot.key, entry, config.freshSeconds + config.staleSeconds));
  }

  private mayWrite(key: string, now: number): boolean {
    if (this.lastWrite.size > 1024) {
      for (const [written, at] of this.lastWrite) if (now - at >= KV_WRITE_INTERVAL_MS) this.lastWrite.delete(written);
    }
    const last = this.lastWrite.get(key);
    return last === undefined || now - last >= KV_WRITE_INTERVAL_MS;
  }
}
