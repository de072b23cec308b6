import { type Context, Hono, type MiddlewareHandler, type TypedResponse } from "hono";
import { validator } from "hono/validator";
import type { Served, ServeFailure } from "../../cache/batch-cache.js";
import { parseRequestDirectives } from "../../cache/directives.js";
import type { BatchQuery } from "../../model/batch-query.js";
import type { BatchTasksBody } from "../../model/batch-task.js";
import type { BatchService } from "../../service.js";
import { contractIssue } from "../../soap/namespaces.js";
import type { AppEnv } from "../app-env.js";
import { readBodyLimited } from "../body.js";
import { ifNoneMatchMatches } from "../conditional.js";
import { type FieldError, type InputResult, invalidFields, parseBodyInput, parseQueryInput } from "../input.js";
import { FAILURE_PROBLEM, problem } from "../problem.js";

/** Generous for 1000 ids with whitespace; a larger body is refused before it is read. */
export const MAX_QUERY_BODY_BYTES = 64 * 1024;

/** The problem answer of a failure, with `Retry-After` when the failure says when to retry. */
export function failureProblem(c: Context<AppEnv>, failure: ServeFailure) {
  const retryAfter = "retryAfter" in failure ? failure.retryAfter : undefined;
  const headers = retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } };
  return problem(c, FAILURE_PROBLEM[failure.kind], failure.detail, headers);
}

/** The cache headers of an answer; `etag` may be a variant of the entry's (another representation of it). */
export function cacheHeaders({ age, ttl, cacheStatus }: Served, etag: string): Record<string, string> {
  return { ETag: etag, "Cache-Status": cacheStatus, Age: String(age), "Cache-Control": `private, max-age=${Math.max(0, ttl)}` };
}

/** 200 with the cached body, or 304 when `If-None-Match` already names its tasks; both with the cache headers. */
function respond(c: Context<AppEnv>, served: Served) {
  const headers = cacheHeaders(served, served.entry.etag);
  if (ifNoneMatchMatches(c.req.header("If-None-Match"), served.entry.etag)) return c.body(null, 304, headers);
  // The body is the JSON text the cache holds, sent as is; typed as the schema's JSON for `hono/client` callers.
  const json: Response = c.body(served.entry.body, 200, { ...headers, "Content-Type": "application/json; charset=utf-8" });
  return json as Response & TypedResponse<BatchTasksBody, 200, "json">;
}

/** The 400 problem of invalid input: how many fields are wrong, and the first of them. */
export function invalidInput(c: Context<AppEnv>, errors: FieldError[], count: number) {
  return problem(c, "invalid-request", `The request has ${invalidFields(count)}; see errors.`, { errors });
}

/**
 * Turns parsed input into the validated query, or a 400 problem; a state the tenant's contract lacks is a 400 too.
 * `stateField` names the state in this input's form (a parameter, or a JSON pointer).
 */
export function checkedQuery(
  c: Context<AppEnv>,
  input: InputResult,
  stateField: Omit<FieldError, "detail">,
): BatchQuery | ReturnType<typeof invalidInput> {
  if (!input.ok) return invalidInput(c, input.errors, input.count);
  const issue = contractIssue(input.query.state, c.var.tenant.contract);
  return issue === null ? input.query : invalidInput(c, [{ ...stateField, detail: issue } as FieldError], 1);
}

/**
 * Admits a JSON body of at most `MAX_QUERY_BODY_BYTES`, read (and buffered) here so that nothing reads more; the
 * validator after it parses the JSON. Anything else is answered at once, its body cancelled.
 */
export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "")) {
    return problem(c, "unsupported-media-type", "Send the query as Content-Type: application/json.");
  }
  if (!(await readBodyLimited(c, MAX_QUERY_BODY_BYTES)).ok) {
    return problem(c, "payload-too-large", `The body must be at most ${MAX_QUERY_BODY_BYTES} bytes.`);
  }
  await next();
};

/** Asks the cache (and so perhaps SuperOffice) for the request's tenant, with the request's cache directives. */
export function serve(c: Context<AppEnv>, service: BatchService, query: BatchQuery) {
  c.set("idCount", query.associateIds.length);
  const directives = parseRequestDirectives(c.req.header("Cache-Control"), c.req.header("Pragma"));
  return service.cache.serve(query, { config: c.var.config, origin: c.var.origin, directives, call: c.var.call });
}

/** `GET …/batch-tasks` and `POST …/batch-tasks/query`: one operation, one cache, two ways to ask. */
export function batchTasksRoutes(service: BatchService) {
  return new Hono<AppEnv>()
    .get(
      "/batch-tasks",
      validator("query", (_value, c) => checkedQuery(c, parseQueryInput(c.req.queries()), { parameter: "state" })),
      async (c) => {
        const result = await serve(c, service, c.req.valid("query"));
        return result.ok ? respond(c, result.served) : failureProblem(c, result.failure);
      },
    )
    .post(
      "/batch-tasks/query",
      jsonBody,
      validator("json", (value: unknown, c) => checkedQuery(c, parseBodyInput(value), { pointer: "#/state" })),
      async (c) => {
        const result = await serve(c, service, c.req.valid("json"));
        return result.ok ? respond(c, result.served) : failureProblem(c, result.failure);
      },
    );
}
