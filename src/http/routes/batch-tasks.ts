import { type Context, Hono } from "hono";
import type { BatchCache, Served, ServeFailure } from "../../cache/batch-cache.js";
import { parseRequestDirectives } from "../../cache/directives.js";
import type { BatchQuery } from "../../model/batch-query.js";
import type { AppEnv } from "../app-env.js";
import { readBodyLimited } from "../body.js";
import { ifNoneMatchMatches } from "../conditional.js";
import { type FieldError, type InputResult, parseBodyInput, parseQueryInput } from "../input.js";
import { type ProblemType, problem } from "../problem.js";

/** Generous for 1000 ids with whitespace; a larger body is refused before it is read. */
const MAX_QUERY_BODY_BYTES = 64 * 1024;

export const FAILURE_PROBLEM: Record<ServeFailure["kind"], ProblemType> = {
  exception: "upstream-error",
  fault: "upstream-error",
  "bad-response": "upstream-invalid-response",
  "too-large": "upstream-response-too-large",
  timeout: "upstream-timeout",
  unreachable: "upstream-unavailable",
  "credentials-rejected": "upstream-credentials-rejected",
  "authentication-failed": "upstream-authentication-failed",
  busy: "upstream-busy",
  "circuit-open": "upstream-circuit-open",
  "not-cached": "not-cached",
};

/** 200 with the cached body, or 304 when `If-None-Match` already names its tasks; both with the cache headers. */
function respond(c: Context<AppEnv>, { entry, age, ttl, cacheStatus }: Served): Response {
  const headers = {
    ETag: entry.etag,
    "Cache-Status": cacheStatus,
    Age: String(age),
    "Cache-Control": `private, max-age=${Math.max(0, ttl)}`,
  };
  if (ifNoneMatchMatches(c.req.header("If-None-Match"), entry.etag)) return c.body(null, 304, headers);
  return c.body(entry.body, 200, { ...headers, "Content-Type": "application/json; charset=utf-8" });
}

/** The state `SucceededManualCleanup` exists only in Services88: a Services85 tenant could never answer it. */
function contractErrors(c: Context<AppEnv>, query: BatchQuery, field: FieldError): FieldError[] {
  if (query.state !== "SucceededManualCleanup" || c.var.tenant.contract.version !== "85") return [];
  return [{ ...field, detail: "SucceededManualCleanup is a Services88 state; this tenant speaks Services85" }];
}

async function answer(c: Context<AppEnv>, cache: BatchCache, input: InputResult, stateField: FieldError): Promise<Response> {
  const errors = input.ok ? contractErrors(c, input.query, stateField) : input.errors;
  if (!input.ok || errors.length > 0) {
    const count = input.ok ? errors.length : input.count;
    const fields = count === 1 ? "1 invalid field" : `${count} invalid fields`;
    return problem(c, "invalid-request", `The request has ${fields}; see errors.`, { errors });
  }
  const result = await cache.serve(input.query, {
    config: c.var.config,
    origin: c.var.origin,
    directives: parseRequestDirectives(c.req.header("Cache-Control"), c.req.header("Pragma")),
    call: c.var.call,
  });
  if (result.ok) return respond(c, result.served);
  const { kind, detail } = result.failure;
  const retryAfter = "retryAfter" in result.failure ? result.failure.retryAfter : undefined;
  return problem(
    c,
    FAILURE_PROBLEM[kind],
    detail,
    retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } },
  );
}

/** `GET …/batch-tasks` and `POST …/batch-tasks/query`: one operation, one cache, two ways to ask. */
export function batchTasksRoutes(cache: BatchCache) {
  return new Hono<AppEnv>()
    .get("/batch-tasks", (c) => answer(c, cache, parseQueryInput(c.req.queries()), { parameter: "state", detail: "" }))
    .post("/batch-tasks/query", async (c) => {
      if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "")) {
        return problem(c, "unsupported-media-type", "Send the query as Content-Type: application/json.");
      }
      if (!(await readBodyLimited(c, MAX_QUERY_BODY_BYTES)).ok) {
        return problem(c, "payload-too-large", `The body must be at most ${MAX_QUERY_BODY_BYTES} bytes.`);
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return problem(c, "invalid-request", "The body is not valid JSON.");
      }
      return answer(c, cache, parseBodyInput(body), { pointer: "#/state", detail: "" });
    });
}
