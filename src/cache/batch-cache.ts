import { afterAnswer, type CallContext, timed } from "../call-context.js";
import type { Config } from "../config/config.js";
import { log } from "../log.js";
import type { BatchQuery } from "../model/batch-query.js";
import type { UpstreamResult } from "../upstream/client.js";
import type { UpstreamFailure } from "../upstream/failure.js";
import type { Sleep } from "../upstream/limiter.js";
import { Flights } from "./coalescing.js";
import { NO_DIRECTIVES, type RequestDirectives } from "./directives.js";
import { type CachedEntry, toEntry } from "./entry.js";
import { assess, type Served, served } from "./freshness.js";
import { entryKey } from "./key.js";
import {
  deleteEntry,
  KV_MAX_VALUE_BYTES,
  readEntry,
  readEntryStamp,
  readGeneration,
  writeEntry,
  writeGeneration,
} from "./kv-store.js";
import { MemoryTier } from "./memory-tier.js";

export type { Served } from "./freshness.js";

/**
 * Budget of the in-isolate tier, in bytes: as many 1000-task answers (586 KB of JSON each) as the 8M UTF-16 code
 * units it counted while it held strings, in at most the memory those took.
 */
export const MEMORY_TIER_BYTES = 8 * 1024 * 1024;
/**
 * How long an isolate trusts what it holds in memory (entries and the cache generation) before asking KV again,
 * so that purges made elsewhere reach it: a hot key costs at most one KV read per this period.
 */
const MEMORY_TRUST_MS = 10_000;
/** KV accepts one write per second per key. */
const KV_WRITE_INTERVAL_MS = 1000;
/** How long a purged entry's tombstone outlives it: KV's propagation delay, so no older copy comes back. */
const TOMBSTONE_MS = 60_000;

/**
 * The upstream of one tenant, as the cache sees it: where its entries live (`scope`, the key prefix), how to ask
 * it, and whether it is rejecting its credentials. Implemented by `TenantUpstream`.
 */
export interface Origin {
  readonly scope: string;
  fetch(query: BatchQuery, context: CallContext): Promise<UpstreamResult>;
  credentialsRejectedSince(): number | null;
}

export type ServeFailure = UpstreamFailure | { kind: "not-cached"; detail: string };

export type ServeResult = { ok: true; served: Served } | { ok: false; failure: ServeFailure };

/** `purged`: done everywhere it can be; `accepted`: gone here, KV follows within a second; `failed`: KV refused. */
export type PurgeResult = "purged" | "accepted" | "failed";

/** What one request brings: the configuration, the tenant's origin, its `Cache-Control` directives, its context. */
export type ServeContext = {
  config: Config;
  origin: Origin;
  directives: RequestDirectives;
  call: CallContext;
};

/**
 * Where a question's answer lives: its key, and whether KV holds it too (`persist` is false while KV cannot tell
 * the cache generation; the answer is then kept, and calls coalesced, in memory only).
 */
type Slot = { key: string; persist: boolean; generationKey: string; generation: number | null };

/** A lookup's entry and where it came from: memory, KV, or memory filled by another call while KV was read. */
type Found = { entry: CachedEntry; from: "memory" | "kv" | "meanwhile" };

/** The outcome of one upstream call. `stored`: something stored it; `superseded`: a purge overtook the call. */
type Forwarded = { ok: true; entry: CachedEntry; stored: boolean; superseded: boolean } | { ok: false; failure: UpstreamFailure };

export type CacheOptions = { now: () => number; sleep: Sleep; memoryBytes?: number };

/**
 * The read-through cache of batch-task answers: an in-isolate LRU tier in front of KV, freshness decided from
 * `fetchedAt` (fresh, then stale-while-revalidate and stale-if-error within the stale window), request
 * coalescing, RFC 9111 request directives, and purge by entry or by scope generation. One instance per isolate;
 * every tenant's entries live under its origin's scope.
 */
export class BatchCache {
  private readonly memory: MemoryTier;
  private readonly flights = new Flights<Forwarded>();
  private readonly lastWrite = new Map<string, number>();
  private readonly generations = new Map<string, { value: number; readAt: number }>();
  private readonly tombstones = new Map<string, number>();
  private readonly now: () => number;
  private readonly sleep: Sleep;

  constructor(options: CacheOptions) {
    this.now = options.now;
    this.sleep = options.sleep;
    this.memory = new MemoryTier(options.memoryBytes ?? MEMORY_TIER_BYTES);
  }

  /**
   * Answers one query from the cache or from SuperOffice, as the directives allow. When the lookup has to wait for
   * KV longer than `KV_HEDGE_MS`, the upstream call starts beside it (a never-seen question's KV miss then costs no
   * time of its own); should KV hold a usable answer after all, that answer is served: a fresh one makes the call
   * drop its answer, a stale one makes the call its background refresh.
   */
  async serve(query: BatchQuery, context: ServeContext): Promise<ServeResult> {
    const { directives, config } = context;
    const slot = await this.slotFor(context, query);
    const lookup = slot === null ? Promise.resolve(null) : this.lookup(config, slot, context.call);
    const early = slot === null || directives.onlyIfCached ? undefined : await this.hedge(lookup, slot, query, context);
    const found = await lookup;
    // What the hedged call itself stored while KV was read is this request's own answer, not a cache hit.
    const cached = found === null || (early !== undefined && found.from === "meanwhile") ? null : found.entry;
    const usable = (entry: CachedEntry) =>
      assess(entry, this.now(), config, directives, context.origin.credentialsRejectedSince());
    const before = cached === null ? null : usable(cached);

    if (directives.onlyIfCached) {
      if (cached !== null && before?.usable === true) return this.hit(cached, config, "hit", true);
      return { ok: false, failure: { kind: "not-cached", detail: "Nothing usable is cached for this query (only-if-cached)." } };
    }
    if (slot !== null && cached !== null && before?.usable === true && !directives.noCache) {
      // Fresh: a call the hedge started is not needed, so it will not store. Stale: refresh in the background,
      // where the hedge's call, if any, already is the refresh.
      if (before.fresh && early?.started === true) this.flights.forget(slot.key);
      if (!before.fresh && early === undefined) void this.forward(slot, query, { ...context, directives: NO_DIRECTIVES });
      return this.hit(cached, config, "hit", true);
    }

    const fwd = before === null ? "fwd=miss" : before.fresh ? "fwd=request" : "fwd=stale";
    const collapsed = early === undefined && slot !== null && this.flights.pending(slot.key) !== undefined;
    const forwarded = await (early?.call ?? this.forward(slot, query, context));
    if (forwarded.ok) {
      let stored = forwarded.stored;
      if (!stored && !forwarded.superseded && slot !== null && !directives.noStore)
        stored = this.store(slot, forwarded.entry, context);
      const flags = [...(stored ? ["stored"] : []), ...(collapsed ? ["collapsed"] : [])];
      return this.hit(forwarded.entry, config, fwd, false, flags);
    }
    if (cached !== null && usable(cached).usable) {
      log("warn", "served_stale_if_error", { requestId: context.call.requestId, kind: forwarded.failure.kind });
      return this.hit(cached, config, fwd, true, ["detail=stale-if-error"]);
    }
    return forwarded;
  }

  /**
   * Drops one question's entry from this isolate at once and from KV; an upstream call under way will not store
   * it back. A deletion is a KV write: when the key was written less than a second ago, the deletion waits for KV's
   * window inside the request's `waitUntil` (`accepted`), and a tombstone keeps this isolate from serving the
   * purged answer meanwhile.
   */
  async purgeEntry(context: Omit<ServeContext, "directives">, query: BatchQuery): Promise<PurgeResult> {
    const slot = await this.slotFor({ ...context, directives: NO_DIRECTIVES }, query);
    if (slot === null) return "purged";
    const now = this.now();
    this.memory.delete(slot.key);
    this.flights.forget(slot.key);
    this.bury(slot.key, now);
    if (!slot.persist) return "failed";
    const wait = this.writeWait(slot.key, now);
    this.lastWrite.set(slot.key, now + wait);
    const remove = () => deleteEntry(context.config.cache, slot.key, context.call.requestId);
    if (wait === 0) return (await remove()) ? "purged" : "failed";
    context.call.waitUntil(this.sleep(wait).then(remove));
    return "accepted";
  }

  /**
   * Invalidates every entry of this origin by moving to a new cache generation; KV is never listed. Upstream calls
   * under way will not store their answers. The new generation is used here at once; its KV write waits for KV's
   * one-write-per-second window when needed (`accepted`).
   */
  async purgeAll(context: Omit<ServeContext, "directives">): Promise<PurgeResult> {
    const { config, origin, call } = context;
    const generationKey = `${origin.scope}generation`;
    const now = this.now();
    const current = await readGeneration(config.cache, generationKey, call.requestId);
    if (current === null) return "failed";
    const next = Math.max(current, this.generations.get(generationKey)?.value ?? 0) + 1;
    this.generations.set(generationKey, { value: next, readAt: now });
    this.memory.deletePrefix(origin.scope);
    this.flights.forgetPrefix(origin.scope);
    const wait = this.writeWait(generationKey, now);
    this.lastWrite.set(generationKey, now + wait);
    const write = () => writeGeneration(config.cache, generationKey, next, call.requestId);
    if (wait === 0) return (await write()) ? "purged" : "failed";
    call.waitUntil(this.sleep(wait).then(write));
    return "accepted";
  }

  /** The question's slot, or `null` when there is no cache window (fresh + stale = 0). */
  private async slotFor({ config, origin, call }: ServeContext, query: BatchQuery): Promise<Slot | null> {
    if (config.freshSeconds + config.staleSeconds === 0) return null;
    const generationKey = `${origin.scope}generation`;
    const generation = await this.generation(config, generationKey, call);
    return generation === null
      ? { key: await entryKey(origin.scope, "offline", query), persist: false, generationKey, generation }
      : { key: await entryKey(origin.scope, generation, query), persist: true, generationKey, generation };
  }

  /**
   * The scope's cache generation. A memo older than `MEMORY_TRUST_MS` is still used, and re-read from KV after the
   * answer, so that a purge made elsewhere arrives without a KV read in a request's path; only an isolate that has
   * never read it waits for KV.
   */
  private async generation(config: Config, generationKey: string, call: CallContext): Promise<number | null> {
    const memo = this.generations.get(generationKey);
    const now = this.now();
    if (memo !== undefined) {
      if (now - memo.readAt >= MEMORY_TRUST_MS) {
        memo.readAt = now;
        call.waitUntil(this.readGeneration(config, generationKey, call));
      }
      return memo.value;
    }
    return timed(call, "kv", () => this.readGeneration(config, generationKey, call));
  }

  /** Reads a generation from KV into the memo, never lowering it; `null` (and no memo) when KV cannot say. */
  private async readGeneration(config: Config, generationKey: string, call: CallContext): Promise<number | null> {
    const read = await readGeneration(config.cache, generationKey, call.requestId);
    const memo = this.generations.get(generationKey);
    if (read === null) return memo?.value ?? null;
    const value = Math.max(read, memo?.value ?? 0);
    this.generations.set(generationKey, { value, readAt: this.now() });
    return value;
  }

  /** Whether a purge of the whole scope moved its generation past the slot's since the slot was made. */
  private superseded(slot: Slot): boolean {
    const current = this.generations.get(slot.generationKey)?.value;
    return slot.generation !== null && current !== undefined && current > slot.generation;
  }

  /**
   * The entry still inside the cache window: from memory when it holds one (one it has not heard of from KV for
   * `MEMORY_TRUST_MS` is re-confirmed in the background, so a purge made elsewhere arrives without a KV read in the
   * request's path), else from KV. A KV copy purged here (tombstone) or outside the window does not count. Memory is
   * checked again after the KV read, so a request that read KV while another stored a fresh answer sees that answer.
   */
  private async lookup(config: Config, slot: Slot, call: CallContext): Promise<Found | null> {
    const windowMs = (config.freshSeconds + config.staleSeconds) * 1000;
    const inWindow = (entry: CachedEntry): boolean => this.now() - entry.fetchedAt < windowMs;
    const remembered = this.memory.get(slot.key);
    if (remembered !== undefined && inWindow(remembered.entry)) {
      if (slot.persist && this.now() - remembered.confirmedAt >= MEMORY_TRUST_MS)
        this.confirmLater(config, slot, remembered.entry, call);
      return { entry: remembered.entry, from: "memory" };
    }
    if (!slot.persist) return null;
    const stored = await timed(call, "kv", () => readEntry(config.cache, slot.key, call.requestId));
    const meanwhile = this.memory.get(slot.key);
    if (meanwhile !== undefined && inWindow(meanwhile.entry)) return { entry: meanwhile.entry, from: "meanwhile" };
    if (stored === undefined || stored === null || !inWindow(stored)) return null;
    if (this.isBuried(slot.key, stored) || this.superseded(slot)) return null;
    this.memory.set(slot.key, stored, this.now());
    return { entry: stored, from: "kv" };
  }

  /**
   * Asks KV, after the answer, whether a remembered entry still stands: its metadata only, the body left unread.
   * KV holding nothing (purged elsewhere) drops the memory copy; KV holding a newer answer replaces it, still in the
   * background (dropping it would send the next request to KV, and a slow KV read to the hedge, in every isolate,
   * each time one of them stored); KV out of reach changes nothing. The entry counts as confirmed meanwhile, so a
   * hot key costs one check per period.
   */
  private confirmLater(config: Config, slot: Slot, entry: CachedEntry, call: CallContext): void {
    this.memory.set(slot.key, entry, this.now());
    const unchanged = () => this.memory.peek(slot.key)?.entry === entry;
    const confirm = async () => {
      const stamp = await readEntryStamp(config.cache, slot.key, call.requestId);
      if (stamp === undefined || !unchanged()) return;
      if (stamp === null) this.memory.delete(slot.key);
      else if (stamp.fetchedAt > entry.fetchedAt) {
        const newer = await readEntry(config.cache, slot.key, call.requestId);
        if (newer && unchanged() && newer.fetchedAt > entry.fetchedAt) this.memory.set(slot.key, newer, this.now());
      }
    };
    call.waitUntil(confirm());
  }

  private hit(entry: CachedEntry, config: Config, outcome: string, withTtl: boolean, flags: string[] = []): ServeResult {
    return { ok: true, served: served(entry, this.now(), config.freshSeconds, outcome, withTtl, flags) };
  }

  /**
   * Starts the upstream call if the lookup has not settled within `KV_HEDGE_MS` (a timer, not the injected clock:
   * this is about latency, not about what the cache decides). Returns that call, and whether this request started
   * it, or `undefined` when the lookup answered first.
   */
  private async hedge(
    lookup: Promise<unknown>,
    slot: Slot,
    query: BatchQuery,
    context: ServeContext,
  ): Promise<{ call: Promise<Forwarded>; started: boolean } | undefined> {
    let cancel = () => {};
    const late = new Promise<true>((resolve) => {
      const timer = setTimeout(() => resolve(true), context.config.kvHedgeMs);
      cancel = () => clearTimeout(timer);
    });
    const waitedTooLong = await Promise.race([lookup.then(() => false), late]);
    cancel();
    if (!waitedTooLong) return undefined;
    // Joining another request's call is not starting one: only a call this request started may be dropped.
    const started = this.flights.pending(slot.key) === undefined;
    return { call: this.forward(slot, query, context), started };
  }

  /** One upstream call per key per isolate at a time (see `Flights`); `null` slots are never coalesced. */
  private forward(slot: Slot | null, query: BatchQuery, context: ServeContext): Promise<Forwarded> {
    if (slot === null) return this.callUpstream(null, query, context);
    return this.flights.join(slot.key, (token) => this.callUpstream({ slot, token }, query, context), context.call.waitUntil);
  }

  private async callUpstream(
    flight: { slot: Slot; token: object } | null,
    query: BatchQuery,
    context: ServeContext,
  ): Promise<Forwarded> {
    const result = await context.origin.fetch(query, context.call);
    if (!result.ok) return result;
    const entry = await timed(context.call, "decode", () => toEntry(result.body));
    if (flight === null) return { ok: true, entry, stored: false, superseded: false };
    const superseded = !this.flights.isCurrent(flight.slot.key, flight.token);
    const stored = !superseded && !context.directives.noStore && this.store(flight.slot, entry, context);
    return { ok: true, entry, stored, superseded };
  }

  /**
   * Keeps the entry in memory at once and in KV in the background, at most one KV write per key per second.
   * Returns whether either tier took it: memory refuses an entry larger than its budget, KV one over its value limit.
   */
  private store(slot: Slot, entry: CachedEntry, { config, call }: ServeContext): boolean {
    const now = this.now();
    const inMemory = this.memory.set(slot.key, entry, now);
    const fitsKv = entry.body.byteLength <= KV_MAX_VALUE_BYTES;
    if (!slot.persist || !fitsKv || this.writeWait(slot.key, now) > 0) return inMemory;
    this.lastWrite.set(slot.key, now);
    // `put` copies the body as it is called (586 KB for 1000 tasks): after the answer, that copy is not in its way.
    const ttl = config.freshSeconds + config.staleSeconds;
    call.waitUntil(afterAnswer().then(() => writeEntry(config.cache, slot.key, entry, ttl, call.requestId)));
    return true;
  }

  /** Milliseconds until KV accepts another write to this key (0: now). */
  private writeWait(key: string, now: number): number {
    if (this.lastWrite.size > 1024) {
      for (const [written, at] of this.lastWrite) if (now - at >= KV_WRITE_INTERVAL_MS) this.lastWrite.delete(written);
    }
    const last = this.lastWrite.get(key);
    return last === undefined ? 0 : Math.max(0, last + KV_WRITE_INTERVAL_MS - now);
  }

  private bury(key: string, now: number): void {
    if (this.tombstones.size > 1024) {
      for (const [buried, at] of this.tombstones) if (now - at >= TOMBSTONE_MS) this.tombstones.delete(buried);
    }
    this.tombstones.set(key, now);
  }

  /** Whether this copy was fetched before the key was purged here, within the tombstone's life. */
  private isBuried(key: string, entry: CachedEntry): boolean {
    const purgedAt = this.tombstones.get(key);
    return purgedAt !== undefined && this.now() - purgedAt < TOMBSTONE_MS && entry.fetchedAt <= purgedAt;
  }
}
