import type { Context, TypedResponse } from "hono";
import type { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as v from "valibot";
import type { ServeFailure } from "../cache/batch-cache.js";
import { type FieldError, type ProblemDocument, ProblemDocumentSchema } from "../model/problem.js";
import type { AppEnv } from "./app-env.js";

/** The problem types this API answers with; each `type` is documented in the README and in /openapi.json. */
export const PROBLEMS = {
  "invalid-request": { status: 400, title: "Invalid request" },
  unauthorized: { status: 401, title: "Missing or invalid API key" },
  forbidden: { status: 403, title: "This key may not do that" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "payload-too-large": { status: 413, title: "Request body too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "too-many-requests": { status: 429, title: "Too many requests" },
  "configuration-error": { status: 500, title: "The service is misconfigured" },
  "internal-error": { status: 500, title: "Internal error" },
  "upstream-error": { status: 502, title: "SuperOffice answered with an error" },
  "upstream-invalid-response": { status: 502, title: "SuperOffice answered with an unusable response" },
  "upstream-response-too-large": { status: 502, title: "SuperOffice's answer is too large" },
  "upstream-credentials-rejected": { status: 502, title: "SuperOffice rejected the configured credentials" },
  "upstream-authentication-failed": { status: 502, title: "Signing in to SuperOffice failed" },
  "upstream-unavailable": { status: 503, title: "SuperOffice could not be reached" },
  "upstream-busy": { status: 503, title: "Too many calls to SuperOffice under way" },
  "upstream-circuit-open": { status: 503, title: "Calls to SuperOffice are paused after repeated failures" },
  "tenants-unavailable": { status: 503, title: "The tenant directory could not be read" },
  "upstream-timeout": { status: 504, title: "SuperOffice did not answer in time" },
  "not-cached": { status: 504, title: "Not in the cache" },
  "cache-unavailable": { status: 503, title: "The cache could not be changed" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemType = keyof typeof PROBLEMS;

/** The statuses problems are answered with. */
export type ProblemStatus = (typeof PROBLEMS)[ProblemType]["status"];

export function isProblemType(name: string): name is ProblemType {
  return Object.hasOwn(PROBLEMS, name);
}

/** The problem type of each way the cache and the upstream side can fail. */
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

const PROBLEM_TYPE_BASE = "urn:superoffice-batch-edge:problem:";

/**
 * An RFC 9457 problem document, with the request id for support. `detail` must already be safe to show:
 * no stack trace, no secret.
 */
export function problem(
  c: Context<AppEnv>,
  type: ProblemType,
  detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): Response & TypedResponse<ProblemDocument, ProblemStatus, "json"> {
  const { status, title } = PROBLEMS[type];
  const body: ProblemDocument = {
    type: PROBLEM_TYPE_BASE + type,
    title,
    status,
    detail,
    ...(extra.errors === undefined ? {} : { errors: extra.errors }),
    requestId: c.var.requestId,
  };
  const response = new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/problem+json",
      "Cache-Control": "no-store",
      "X-Request-Id": c.var.requestId,
      ...extra.headers,
    },
  });
  return response as Response & TypedResponse<ProblemDocument, ProblemStatus, "json">;
}

/** What a caller reads about a failure the Worker did not foresee: the details are in the log, under the request id. */
export const INTERNAL_ERROR_DETAIL = "An unexpected error occurred; quote the requestId when reporting it.";

/**
 * Hono's own `HTTPException`s (a malformed JSON body, for one) as problem documents too: the problem type of the
 * exception's status, and Hono's fixed message as the detail. An exception may carry a response of its own (a
 * middleware's, in whatever shape it chose): that response is never sent as it is. Only its `WWW-Authenticate`
 * challenge is kept, and its detail when it is already our problem document of that type (bearer-auth's 401, built by
 * `problem()` in auth.ts, says which part of the key was wrong).
 */
export async function problemOfHttpException(c: Context<AppEnv>, error: HTTPException): Promise<Response> {
  // A 4xx is the caller's: the problem of that status. A 5xx (or an unknown status) is ours, whatever a middleware
  // called it: an internal error, never an upstream or configuration problem the Worker did not diagnose.
  const type =
    (error.status < 500
      ? (Object.keys(PROBLEMS) as ProblemType[]).find((name) => PROBLEMS[name].status === error.status)
      : undefined) ?? "internal-error";
  const own = error.res === undefined ? undefined : await ownProblem(error.res, type);
  const detail =
    own?.detail ??
    (type === "internal-error"
      ? INTERNAL_ERROR_DETAIL
      : type === "invalid-request" && /json/i.test(error.message)
        ? "The body is not valid JSON."
        : error.message || PROBLEMS[type].title);
  const challenge = error.res?.headers.get("WWW-Authenticate") ?? undefined;
  return problem(c, type, detail, {
    ...(own?.errors === undefined ? {} : { errors: own.errors }),
    ...(challenge === undefined ? {} : { headers: { "WWW-Authenticate": challenge } }),
  });
}

/** The exception's response as our own problem document of this type, or `undefined` for anything else. */
async function ownProblem(res: Response, type: ProblemType): Promise<ProblemDocument | undefined> {
  if (!/^application\/problem\+json\b/.test(res.headers.get("Content-Type") ?? "")) return undefined;
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(ProblemDocumentSchema, body);
  return parsed.success && parsed.output.type === PROBLEM_TYPE_BASE + type ? parsed.output : undefined;
}
