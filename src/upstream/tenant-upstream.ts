import type { CallContext } from "../call-context.js";
import type { Config } from "../config/config.js";
import type { Tenant } from "../config/tenant.js";
import { log } from "../log.js";
import type { BatchQuery } from "../model/batch-query.js";
import { CircuitBreaker, type Outcome } from "./breaker.js";
import { ByteBudget } from "./byte-budget.js";
import { fetchBatchTasks, type UpstreamResult } from "./client.js";
import type { FailureKind, UpstreamFailure } from "./failure.js";
import { ConcurrencyLimiter, type Sleep } from "./limiter.js";
import { logText } from "./messages.js";
import { cacheScopeOf, ticketKeyOf } from "./scope.js";
import {
  type Access,
  type AccessResult,
  OnlineTicketing,
  StaticTicketing,
  type Ticketing,
  UNFORESEEN_FAILURE,
} from "./tickets.js";

/** How long a call waits for a free slot before it is refused as `busy`. */
const QUEUE_WAIT_MS = 1000;

/**
 * What each failure says about SuperOffice's Batch.svc, the service the breaker stops calling:
 * - `unhealthy` (counts towards opening, and reopens an open circuit): it did not answer (`timeout`,
 *   `unreachable`), or answered with something unusable (`bad-response`, `fault`), which is how a failing server
 *   or the proxy in front of it looks.
 * - `healthy` (closes the circuit, ends a run of failures): it answered. `exception` and `credentials-rejected` are
 *   NetServer's own words. `too-large` is too: SuperOffice answered, at length, and the size is this Worker's
 *   limit, not its illness; counting it would also let one key holder open the tenant's circuit for everyone by
 *   asking one large question five times.
 * - `inconclusive` (changes nothing but releasing a probe): the call learnt nothing about Batch.svc. `busy` is
 *   this isolate refusing a read for lack of its byte budget (see `ByteBudget`); `authentication-failed` is the
 *   Online login service, which has its own back-off, before Batch.svc was asked; `circuit-open` is never recorded.
 *   A probe refused this way must neither close the circuit nor keep it shut: the next call probes instead.
 */
const OUTCOMES: Readonly<Record<FailureKind, Outcome>> = {
  timeout: "unhealthy",
  unreachable: "unhealthy",
  "bad-response": "unhealthy",
  fault: "unhealthy",
  exception: "healthy",
  "credentials-rejected": "healthy",
  "too-large": "healthy",
  busy: "inconclusive",
  "authentication-failed": "inconclusive",
  "circuit-open": "inconclusive",
};

/**
 * Everything one tenant's upstream needs in one isolate: its credentials (fixed, or Online tickets that renew
 * themselves), a cap on concurrent calls, a circuit breaker, and the cache scope its answers are stored under.
 * The cache calls `fetch`; nothing here knows about caching.
 */
export class TenantUpstream {
  private readonly limiter: ConcurrencyLimiter;
  private readonly breaker: CircuitBreaker;
  private rejectedSince: number | null = null;

  private constructor(
    readonly tenant: Tenant,
    /** The prefix of this tenant's cache keys: a keyed hash of its upstream and identity. */
    readonly scope: string,
    private readonly ticketing: Ticketing,
    private readonly config: Config,
    private readonly now: () => number,
    sleep: Sleep,
    private readonly budget: ByteBudget,
  ) {
    this.limiter = new ConcurrencyLimiter(config.limits.concurrency, QUEUE_WAIT_MS, sleep);
    this.breaker = new CircuitBreaker(now);
  }

  static async create(
    tenant: Tenant,
    config: Config,
    now: () => number,
    sleep: Sleep,
    budget: ByteBudget,
  ): Promise<TenantUpstream> {
    const { source } = tenant;
    let ticketing: Ticketing;
    if (source.kind === "static") ticketing = new StaticTicketing(source);
    else {
      ticketing = new OnlineTicketing({
        source,
        contract: tenant.contract,
        tenantId: tenant.id,
        kv: config.cache,
        kvKey: await ticketKeyOf(tenant),
        vaultKey: config.ticketEncryptionKey ?? "",
        timeoutMs: config.limits.timeoutMs,
        now,
      });
    }
    return new TenantUpstream(tenant, await cacheScopeOf(tenant), ticketing, config, now, sleep, budget);
  }

  /**
   * Since when SuperOffice has been rejecting this tenant's credentials without a break (epoch ms), or `null`. The
   * cache stops hiding stale data behind a revoked credential once that has lasted a fresh period.
   */
  credentialsRejectedSince(): number | null {
    return this.rejectedSince;
  }

  /**
   * One question to SuperOffice, within the tenant's concurrency cap and circuit breaker; a rejected Online ticket
   * is renewed and the call retried once, never more.
   */
  async fetch(query: BatchQuery, context: CallContext): Promise<UpstreamResult> {
    const release = await this.limiter.acquire();
    if (release === null) {
      log("warn", "upstream_busy", { requestId: context.requestId, tenant: this.tenant.id });
      const detail = `This tenant already has ${this.config.limits.concurrency} calls to SuperOffice under way; retry shortly.`;
      return { ok: false, failure: { kind: "busy", detail, retryAfter: 1 } };
    }
    try {
      const admission = this.breaker.admit();
      if (!admission.ok) {
        const detail = "SuperOffice failed repeatedly; calls to it pause for a cool-down.";
        return { ok: false, failure: { kind: "circuit-open", detail, retryAfter: admission.retryAfterSeconds } };
      }
      let called: { result: UpstreamResult; rejected: boolean };
      try {
        called = await this.call(query, context);
      } catch (error) {
        this.breaker.record("inconclusive", admission.probe);
        return { ok: false, failure: this.unforeseen(error, context) };
      }
      const { result, rejected } = called;
      // A rejection is Batch.svc answering, even when the renewal after it then failed at the login service.
      this.breaker.record(result.ok || rejected ? "healthy" : OUTCOMES[result.failure.kind], admission.probe);
      if (result.ok) this.rejectedSince = null;
      else if (rejected || result.failure.refused === true) this.rejectedSince ??= this.now();
      return result;
    } finally {
      release();
    }
  }

  /**
   * The call itself, and whether SuperOffice rejected the credentials on the way, even when a renewal then failed
   * for another reason: a rejection starts the clock after which stale data no longer hides it.
   */
  private async call(query: BatchQuery, context: CallContext): Promise<{ result: UpstreamResult; rejected: boolean }> {
    const first = await this.ticketing.current(context);
    if (!first.ok) return { result: first, rejected: false };
    const result = await this.exchange(query, first.access, context);
    if (result.ok || result.failure.kind !== "credentials-rejected") return { result, rejected: false };
    const renewal = this.ticketing.renew(first.access, context);
    if (renewal === null) return { result, rejected: true };
    const renewed: AccessResult = await renewal;
    if (!renewed.ok) return { result: renewed, rejected: true };
    log("info", "upstream_retry_after_renewal", { requestId: context.requestId, tenant: this.tenant.id });
    const retried = await this.exchange(query, renewed.access, context);
    return { result: retried, rejected: !retried.ok && retried.failure.kind === "credentials-rejected" };
  }

  /**
   * A call that threw instead of returning a result. `fetchBatchTasks` classifies everything that happens in an
   * exchange itself, so what throws here is getting the credentials: Online sign-in, its KV or WebCrypto failing
   * in a way nobody foresaw. It is still an upstream failure, so that stale-if-error applies instead of a 500, and
   * it is the breaker's `inconclusive`: Batch.svc was not asked. The error's text goes only to the log, with every
   * secret the ticketing holds redacted: the configured ones and the tickets it obtained.
   */
  private unforeseen(error: unknown, context: CallContext): UpstreamFailure {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log("error", "upstream_unforeseen_failure", {
      requestId: context.requestId,
      tenant: this.tenant.id,
      error: logText(text, this.ticketing.secrets(), 500),
    });
    return UNFORESEEN_FAILURE;
  }

  private exchange(query: BatchQuery, access: Access, context: CallContext): Promise<UpstreamResult> {
    return fetchBatchTasks(query, {
      url: access.url,
      contract: this.tenant.contract,
      credentials: access.credentials,
      limits: this.config.limits,
      now: this.now,
      call: context,
      budget: this.budget,
    });
  }
}

/**
 * The isolate's upstream objects, one per tenant, rebuilt when a tenant's settings change (a new secret, or a new
 * `TENANTS` document), so each tenant's tickets, in-flight calls, limits and breaker stay its own.
 */
export class Upstreams {
  private readonly byTenant = new Map<string, { settings: string; upstream: Promise<TenantUpstream> }>();
  /** Shared by every tenant: the isolate's memory is one. */
  private readonly budget = new ByteBudget();

  constructor(
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {}

  for(tenant: Tenant, config: Config): Promise<TenantUpstream> {
    const settings = JSON.stringify([tenant, config.limits, config.ticketEncryptionKey ?? null]);
    const known = this.byTenant.get(tenant.id);
    if (known !== undefined && known.settings === settings) return known.upstream;
    const upstream = TenantUpstream.create(tenant, config, this.now, this.sleep, this.budget);
    this.byTenant.set(tenant.id, { settings, upstream });
    return upstream;
  }
}
