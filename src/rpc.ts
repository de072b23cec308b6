import { WorkerEntrypoint } from "cloudflare:workers";
import * as v from "valibot";
import type { RequestDirectives } from "./cache/directives.js";
import { bodyText } from "./cache/entry.js";
import { type CallContext, newPhases } from "./call-context.js";
import { type Env, loadConfig } from "./config/config.js";
import { invalidFields, parseBodyInput } from "./http/input.js";
import { FAILURE_PROBLEM, INTERNAL_ERROR_DETAIL, PROBLEMS, type ProblemType } from "./http/problem.js";
import { log } from "./log.js";
import type { BatchQuerySchema } from "./model/batch-query.js";
import type { BatchTasksBody } from "./model/batch-task.js";
import type { BatchService } from "./service.js";
import { contractIssue } from "./soap/namespaces.js";

const BOOLEAN = "must be true or false";

/**
 * The RFC 9111 request directives the cache honours, as the HTTP API reads them from `Cache-Control`. Unlike a header,
 * whose unknown directives RFC 9111 asks to ignore, a typed call that misspells one (`nocache`) is refused: ignoring it
 * would silently serve from the cache.
 */
const CacheDirectivesSchema = v.strictObject(
  {
    noCache: v.optional(v.boolean(BOOLEAN), false),
    noStore: v.optional(v.boolean(BOOLEAN), false),
    maxAge: v.optional(
      v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(0, "must be at least 0")),
    ),
    onlyIfCached: v.optional(v.boolean(BOOLEAN), false),
  },
  (issue) =>
    issue.expected === "never" ? "is not a known directive (noCache, noStore, maxAge, onlyIfCached)" : "must be an object",
);

/** What a call adds to the HTTP API's question; the question itself is checked as the HTTP body is (`parseBodyInput`). */
const OptionsSchema = v.object({
  /** A context identifier of `TENANTS`; the default tenant when absent. */
  tenant: v.optional(v.string("must be a string")),
  cache: v.optional(CacheDirectivesSchema, {}),
});

/** What a caller over a service binding asks: the same question as the HTTP API, and optionally a tenant and directives. */
export type BatchTasksRequest = v.InferInput<typeof BatchQuerySchema> & v.InferInput<typeof OptionsSchema>;

/** The validated answer, as the HTTP API's body, with what its cache headers would say. */
export type BatchTasksResult = BatchTasksBody & { cacheStatus: string; age: number; etag: string };

/**
 * Errors cross an RPC boundary as their message: Workers RPC documents that a standard error keeps its message and
 * name, and that own properties are not propagated (this workerd passes enumerable ones, which is not promised), so
 * the message carries what a problem document would: the problem type first, the request id last,
 * `upstream-timeout: SuperOffice did not answer … [requestId 0c1d…]` (`problemOfRpcError` in src/client.ts reads it).
 */
export function rpcError(type: ProblemType, detail: string, requestId: string): Error {
  return new Error(`${type}: ${detail} [requestId ${requestId}]`);
}

/** A call's outcome, with what its log line says about it: the tenant and id count once they are known. */
type Outcome = { tenant: string | undefined; ids: number | undefined } & (
  | { ok: true; result: BatchTasksResult }
  | { ok: false; type: ProblemType; detail: string }
);

/** A JSON pointer to an option, as `parseBodyInput` names the question's fields. */
function pointer(issue: v.BaseIssue<unknown>): string {
  return `#${(issue.path ?? []).map((item) => `/${String(item.key).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("")}`;
}

/**
 * One call, as a result rather than a throw, so that `getBatchTasks` writes its log line and builds its error in one
 * place whatever step failed. The question is checked before the configuration, so that even a configuration error's
 * log line says how many ids were asked.
 */
async function answer(service: BatchService, env: Env, request: BatchTasksRequest, call: CallContext): Promise<Outcome> {
  const input = parseBodyInput({ associateIds: request?.associateIds, state: request?.state });
  const options = v.safeParse(OptionsSchema, { tenant: request?.tenant, cache: request?.cache });
  const ids = input.ok ? input.query.associateIds.length : undefined;
  const asked = options.success ? options.output.tenant : undefined;
  // A refusal before a tenant is found: its log line names the tenant asked for.
  const refused = (type: ProblemType, detail: string): Outcome => ({ ok: false, type, detail, tenant: asked, ids });
  if (!input.ok || !options.success) {
    const fields = [
      ...(input.ok ? [] : input.errors.map((error) => `${"pointer" in error ? error.pointer : error.parameter} ${error.detail}`)),
      ...(options.success ? [] : options.issues.map((issue) => `${pointer(issue)} ${issue.message}`)),
    ];
    const count = (input.ok ? 0 : input.count) + (options.success ? 0 : options.issues.length);
    const detail = `The request has ${invalidFields(count)}: ${fields.join("; ")}.`;
    return refused("invalid-request", detail);
  }
  const loaded = loadConfig(env, call.requestId);
  if (!loaded.ok) {
    return refused("configuration-error", `Invalid configuration: ${loaded.invalidSettings.join("; ")}.`);
  }
  const { config } = loaded;
  const found = await service.tenant(config, asked, call.requestId);
  if (!found.ok) {
    if (found.reason === "unavailable")
      return refused("tenants-unavailable", "The TENANTS document could not be read from KV; retry.");
    if (found.reason === "invalid") return refused("configuration-error", `Invalid configuration: ${found.settings.join("; ")}.`);
    return refused("not-found", asked === undefined ? "This deployment has no default tenant." : "No such tenant.");
  }
  const tenant = found.tenant.id;
  const issue = contractIssue(input.query.state, found.tenant.contract);
  if (issue !== null) return { ok: false, type: "invalid-request", detail: `state ${issue}.`, tenant, ids };
  const directives: RequestDirectives = { maxAge: undefined, ...options.output.cache };
  const served = await service.answer(config, found.tenant, input.query, directives, call);
  if (!served.ok) return { ok: false, type: FAILURE_PROBLEM[served.failure.kind], detail: served.failure.detail, tenant, ids };
  const { entry, age, cacheStatus } = served.served;
  const result = { ...(JSON.parse(bodyText(entry)) as BatchTasksBody), cacheStatus, age, etag: entry.etag };
  return { ok: true, result, tenant, ids };
}

/**
 * Workers RPC for other Workers: `env.BATCH.getBatchTasks({ associateIds, state })` over a service binding, through
 * the same cache, coalescing and upstream objects as HTTP (one `BatchService` per isolate), with no HTTP, no JSON for
 * the caller to parse, and no API key: the binding is the authorization, so tenant key restrictions do not apply.
 */
export function batchTasksEntrypoint(service: BatchService) {
  return class BatchTasks extends WorkerEntrypoint<Env> {
    /**
     * Writes one `rpc` log line per call, whatever its outcome (as HTTP writes one `request` line), so that the
     * request id an error carries finds the call's logs.
     */
    async getBatchTasks(request: BatchTasksRequest): Promise<BatchTasksResult> {
      const requestId = crypto.randomUUID();
      const phases = newPhases();
      const call = { requestId, waitUntil: (work: Promise<unknown>) => this.ctx.waitUntil(work), phases };
      const outcome = await answer(service, this.env, request, call).catch((error: unknown): Outcome => {
        log("error", "unhandled_error", { requestId, error: String(error) });
        return { ok: false, type: "internal-error", detail: INTERNAL_ERROR_DETAIL, tenant: undefined, ids: undefined };
      });
      log(outcome.ok ? "info" : "warn", "rpc", {
        requestId,
        method: "getBatchTasks",
        status: outcome.ok ? 200 : PROBLEMS[outcome.type].status,
        outcome: outcome.ok ? outcome.result.cacheStatus : outcome.type,
        upstreamMs: Math.round(phases.upstream),
        ids: outcome.ids,
        tenant: outcome.tenant,
      });
      if (!outcome.ok) throw rpcError(outcome.type, outcome.detail, requestId);
      return outcome.result;
    }
  };
}
