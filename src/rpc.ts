import { WorkerEntrypoint } from "cloudflare:workers";
import type { RequestDirectives } from "./cache/directives.js";
import { newPhases } from "./call-context.js";
import { type Env, loadConfig } from "./config/config.js";
import { invalidFields, parseBodyInput } from "./http/input.js";
import { FAILURE_PROBLEM, type ProblemType } from "./http/problem.js";
import { log } from "./log.js";
import type { BatchTasksBody } from "./model/batch-task.js";
import type { BatchService } from "./service.js";
import { contractIssue } from "./soap/namespaces.js";

/** What a caller over a service binding asks: the same question as the HTTP API, and optionally a tenant. */
export type BatchTasksRequest = {
  associateIds: number[];
  state: string;
  /** A context identifier of `TENANTS`; the default tenant when absent. */
  tenant?: string;
  /** The RFC 9111 request directives, as the HTTP API reads them from `Cache-Control`. */
  cache?: Partial<RequestDirectives>;
};

/** The validated answer, as the HTTP API's body, with what its cache headers would say. */
export type BatchTasksResult = BatchTasksBody & { cacheStatus: string; age: number; etag: string };

/**
 * Errors cross an RPC boundary as their message only (workerd keeps a standard error's message and name, no other
 * property), so the problem type leads the message: `upstream-timeout: SuperOffice did not answer …`.
 */
export function rpcError(type: ProblemType, detail: string): Error {
  return new Error(`${type}: ${detail}`);
}

/**
 * Workers RPC for other Workers: `env.BATCH.getBatchTasks({ associateIds, state })` over a service binding, through
 * the same cache, coalescing and upstream objects as HTTP (one `BatchService` per isolate), with no HTTP, no JSON for
 * the caller to parse, and no API key: the binding is the authorization, so tenant key restrictions do not apply.
 */
export function batchTasksEntrypoint(service: BatchService) {
  return class BatchTasks extends WorkerEntrypoint<Env> {
    async getBatchTasks(request: BatchTasksRequest): Promise<BatchTasksResult> {
      const requestId = crypto.randomUUID();
      const loaded = loadConfig(this.env);
      if (!loaded.ok) throw rpcError("configuration-error", `Invalid configuration: ${loaded.invalidSettings.join("; ")}.`);
      const { config } = loaded;
      const input = parseBodyInput({ associateIds: request?.associateIds, state: request?.state });
      if (!input.ok) {
        const fields = input.errors.map((error) => `${"pointer" in error ? error.pointer : error.parameter} ${error.detail}`);
        throw rpcError("invalid-request", `The request has ${invalidFields(input.count)}: ${fields.join("; ")}.`);
      }
      const found = await service.tenant(config, request.tenant, requestId);
      if (!found.ok) {
        if (found.reason === "unavailable")
          throw rpcError("tenants-unavailable", "The TENANTS document could not be read from KV; retry.");
        if (found.reason === "invalid")
          throw rpcError("configuration-error", `Invalid configuration: ${found.settings.join("; ")}.`);
        throw rpcError("not-found", request.tenant === undefined ? "This deployment has no default tenant." : "No such tenant.");
      }
      const issue = contractIssue(input.query.state, found.tenant.contract);
      if (issue !== null) throw rpcError("invalid-request", `state ${issue}.`);
      const directives: RequestDirectives = {
        noCache: false,
        noStore: false,
        maxAge: undefined,
        onlyIfCached: false,
        ...request.cache,
      };
      const phases = newPhases();
      const call = { requestId, waitUntil: (work: Promise<unknown>) => this.ctx.waitUntil(work), phases };
      const result = await service.answer(config, found.tenant, input.query, directives, call);
      log(result.ok ? "info" : "warn", "rpc", {
        requestId,
        method: "getBatchTasks",
        outcome: result.ok ? result.served.cacheStatus : FAILURE_PROBLEM[result.failure.kind],
        upstreamMs: Math.round(phases.upstream),
        ids: input.query.associateIds.length,
        tenant: found.tenant.id,
      });
      if (!result.ok) throw rpcError(FAILURE_PROBLEM[result.failure.kind], result.failure.detail);
      const { entry, age, cacheStatus } = result.served;
      return { ...(JSON.parse(entry.body) as BatchTasksBody), cacheStatus, age, etag: entry.etag };
    }
  };
}
