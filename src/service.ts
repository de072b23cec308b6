import { BatchCache, type ServeResult } from "./cache/batch-cache.js";
import type { RequestDirectives } from "./cache/directives.js";
import type { CallContext } from "./call-context.js";
import type { Config } from "./config/config.js";
import type { Tenant } from "./config/tenant.js";
import { TenantDirectory, type TenantLookup } from "./config/tenants.js";
import type { BatchQuery } from "./model/batch-query.js";
import { realSleep, type Sleep } from "./upstream/limiter.js";
import { type TenantUpstream, Upstreams } from "./upstream/tenant-upstream.js";

export type ServiceOptions = {
  /** The clock, in epoch milliseconds; tests inject one instead of sleeping. */
  now?: () => number;
  /** How the Worker waits (a queued upstream call, a deferred KV write); tests inject one instead of sleeping. */
  sleep?: Sleep;
  /** The in-isolate cache tier's budget, in bytes. */
  memoryBytes?: number;
};

/**
 * What one isolate keeps between requests, shared by every way in (HTTP routes, SuperOffice REST routes, Workers
 * RPC): the cache, one upstream object per tenant, and the tenant directory. One per isolate.
 */
export class BatchService {
  readonly cache: BatchCache;
  readonly upstreams: Upstreams;
  readonly directory: TenantDirectory;

  constructor(options: ServiceOptions = {}) {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? realSleep;
    this.cache = new BatchCache({
      now,
      sleep,
      ...(options.memoryBytes === undefined ? {} : { memoryBytes: options.memoryBytes }),
    });
    this.upstreams = new Upstreams(now, sleep);
    this.directory = new TenantDirectory(now);
  }

  /** The tenant by id: the default tenant for `undefined`, else one of `TENANTS`. */
  async tenant(config: Config, id: string | undefined, requestId: string): Promise<TenantLookup> {
    if (id !== undefined) return this.directory.find(config, id, requestId);
    return config.defaultTenant === undefined ? { ok: false, reason: "unknown" } : { ok: true, tenant: config.defaultTenant };
  }

  origin(config: Config, tenant: Tenant): Promise<TenantUpstream> {
    return this.upstreams.for(tenant, config);
  }

  /** Answers one normalized query for one tenant, through the cache. */
  async answer(
    config: Config,
    tenant: Tenant,
    query: BatchQuery,
    directives: RequestDirectives,
    call: CallContext,
  ): Promise<ServeResult> {
    return this.cache.serve(query, { config, origin: await this.origin(config, tenant), directives, call });
  }
}
