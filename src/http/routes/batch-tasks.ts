import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ageSeconds, serveBatchTasks } from "../../cache/batch-tasks.js";
import type { BatchQuery } from "../../model/batch-query.js";
import type { UpstreamFailure } from "../../upstream/client.js";
import { log } from "../../log.js";
import type { AppEnv } from "../app-env.js";
import { parseBodyInput, parseQueryInput, type InputResult } from "../input.js";
import { problem, type ProblemType } from "../problem.js";

/** Generous for 1000 ids with whitespace; a larger body is refused before it is read. */
const MAX_QUERY_BODY_BYTES = 64 * 1024;

const FAILURE_PROBLEM: Record<UpstreamFailure["kind"], ProblemType> = {
  exception: "upstream-error",
  fault: "upstream-error",
  "bad-response": "upstream-invalid-response",
  timeout: "upstream-timeout",
  unreachable: "upstream-unavailable",
};

async function answer(c: Context<AppEnv>, input: InputResult, now: () => number): Promise<Response> {
  if (!input.ok) {
    const fields = input.errors.length === 1 ? "1 invalid field" : `${input.errors.length} invalid fields`;
    return problem(c, "invalid-request", `The request has ${fields}; see errors.`, { errors: input.errors });
  }
  const result = await serveBatchTasks(
    { config: c.var.config, now, waitUntil: (work) => c.executionCtx.waitUntil(work) },
    input.query,
  );
  if (!result.ok) return upstreamProblem(c, input.query, result.failure);
  const { entry, cacheStatus } = result.served;
  return c.body(entry.body, 200, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Status": cacheStatus,
    Age: String(ageSeconds(entry, now())),
  });
}

function upstreamProblem(c: Context<AppEnv>, query: BatchQuery, failure: UpstreamFailure): Response {
  log("warn", "upstream_failed", {
    requestId: c.var.requestId,
    kind: failure.kind,
    detail: failure.detail,
    state: query.state,
    associateCount: query.associateIds.length,
  });
  return problem(c, FAILURE_PROBLEM[failure.kind], failure.detail);
}

/** `GET /v1/batch-tasks` and `POST /v1/batch-tasks/query`: one operation, one cache, two ways to ask. */
export function batchTasksRoutes(now: () => number): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/", (c) => answer(c, parseQueryInput(c.req.queries()), now))
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
        return answer(c, parseBodyInput(body), now);
      },
    );
}
