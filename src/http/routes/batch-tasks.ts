import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { BatchCache, Served, ServeFailure } from "../../cache/batch-cache.js";
import { parseRequestDirectives } from "../../cache/directives.js";
import type { AppEnv } from "../app-env.js";
import { ifNoneMatchMatches } from "../conditional.js";
import { type InputResult, parseBodyInput, parseQueryInput } from "../input.js";
import { type ProblemType, problem } from "../problem.js";

/** Generous for 1000 ids with whitespace; a larger body is refused before it is read. */
const MAX_QUERY_BODY_BYTES = 64 * 1024;

const FAILURE_PROBLEM: Record<ServeFailure["kind"], ProblemType> = {
  exception: "upstream-error",
  fault: "upstream-error",
  "bad-response": "upstream-invalid-response",
  "too-large": "upstream-invalid-response",
  timeout: "upstream-timeout",
  unreachable: "upstream-unavailable",
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

async function answer(c: Context<AppEnv>, cache: BatchCache, input: InputResult): Promise<Response> {
  if (!input.ok) {
    const fields = input.errors.length === 1 ? "1 invalid field" : `${input.errors.length} invalid fields`;
    return problem(c, "invalid-request", `The request has ${fields}; see errors.`, { errors: input.errors });
  }
  const result = await cache.serve(input.query, {
    config: c.var.config,
    directives: parseRequestDirectives(c.req.header("Cache-Control")),
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  });
  return result.ok ? respond(c, result.served) : problem(c, FAILURE_PROBLEM[result.failure.kind], result.failure.detail);
}

/** `GET /v1/batch-tasks` and `POST /v1/batch-tasks/query`: one operation, one cache, two ways to ask. */
export function batchTasksRoutes(cache: BatchCache): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/", (c) => answer(c, cache, parseQueryInput(c.req.queries())))
    .post(
      "/query",
      bodyLimit({
        maxSize: MAX_QUERY_BODY_BYTES,
        onError: (c) => problem(c, "payload-too-large", `The body must be at most ${MAX_QUERY_BODY_BYTES} bytes.`),
      }),
      async (c) => {
        if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "")) {
          return problem(c, "unsupported-media-type", "Send the query as Content-Type: application/json.");
        }
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return problem(c, "invalid-request", "The body is not valid JSON.");
        }
        return answer(c, cache, parseBodyInput(body));
      },
    );
}
