import * as v from "valibot";
import { type CallContext, timed, timedSync } from "../call-context.js";
import type { UpstreamLimits } from "../config/config.js";
import { log } from "../log.js";
import { type BatchQuery, fitsQuery } from "../model/batch-query.js";
import { type BatchTasksBody, BatchTasksBodySchema } from "../model/batch-task.js";
import { decodeBatchResponse } from "../soap/decode.js";
import { buildEnvelope, type Credentials } from "../soap/envelope.js";
import type { Contract } from "../soap/namespaces.js";
import { readBoundedText } from "./body.js";
import { type ByteBudget, MAX_ANSWERS_AT_THE_LIMIT } from "./byte-budget.js";
import type { FailureKind, UpstreamFailure } from "./failure.js";
import { callerMessage, logText, ownSentence, redactSecrets } from "./messages.js";

export type UpstreamResult = { ok: true; body: BatchTasksBody } | { ok: false; failure: UpstreamFailure };

/** One exchange's target and bounds, and the request it serves (its id goes into every log line, its time into phases). */
export type ExchangeOptions = {
  url: string;
  contract: Contract;
  credentials: Credentials;
  limits: UpstreamLimits;
  now: () => number;
  call: CallContext;
  /** The isolate's budget of answer bytes held at once, shared by all tenants. */
  budget: ByteBudget;
};

const XML_MEDIA_TYPE = /^\s*(text\/xml|application\/xml|application\/soap\+xml|[\w.+-]+\/[\w.-]+\+xml)\s*(;|$)/i;

/**
 * NetServer's exception types that mean the credentials were refused (access, session, security or
 * authentication: `SoAccessDeniedException`, `SoSessionException`, `SecurityException`, …), as opposed to a failure
 * of the operation itself.
 */
const CREDENTIAL_EXCEPTION = /access|session|security|authenticat/i;

/** Everything an exchange learned about a failure: the caller's sentence, and the server's own text for the log. */
type Failed = { ok: false; failure: UpstreamFailure; upstreamText?: string; status?: number };

function failed(kind: FailureKind, detail: string, extra: Omit<Failed, "ok" | "failure"> = {}): Failed {
  return { ok: false, failure: { kind, detail }, ...extra };
}

function secretsOf(credentials: Credentials): string[] {
  return credentials.applicationToken === undefined ? [credentials.ticket] : [credentials.ticket, credentials.applicationToken];
}

function summarize(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (first === undefined) return "";
  const path = (first.path ?? []).map((item) => (typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`));
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${path.join("").replace(/^\./, "")} ${first.message}${more}`;
}

/** The exchange itself; anything it does not foresee throws, and `fetchBatchTasks` classifies that too. */
async function exchange(
  query: BatchQuery,
  options: ExchangeOptions,
  signal: AbortSignal,
  take: (bytes: number) => boolean,
): Promise<{ ok: true; body: BatchTasksBody } | Failed> {
  const { limits, credentials, contract, call } = options;
  const secrets = secretsOf(credentials);
  const request = buildEnvelope(query, credentials, contract);
  const timeout = () => failed("timeout", `SuperOffice did not answer within ${limits.timeoutMs} ms.`);
  let response: Response;
  try {
    const init = { method: "POST", headers: request.headers, body: request.body, signal, redirect: "manual" } as const;
    response = await timed(call, "upstream", () => fetch(options.url, init));
  } catch {
    return signal.aborted ? timeout() : failed("unreachable", "SuperOffice could not be reached.");
  }
  const fetchedAt = new Date(options.now()).toISOString();
  const { status } = response;
  if (status >= 300 && status < 400) {
    await response.body?.cancel();
    return failed("bad-response", `SuperOffice answered HTTP ${status} (a redirect, not followed).`, { status });
  }
  if (status === 401 || status === 403) {
    await response.body?.cancel();
    return failed("credentials-rejected", callerMessage("credentials-rejected", undefined, []), { status });
  }
  if (!XML_MEDIA_TYPE.test(response.headers.get("Content-Type") ?? "")) {
    await response.body?.cancel();
    return failed("bad-response", `SuperOffice answered HTTP ${status} with a body that is not XML.`, { status });
  }
  const body = await timed(call, "upstream", () => readBoundedText(response, limits.maxBytes, take));
  if (!body.ok) {
    if (body.reason === "read-failed")
      return signal.aborted ? timeout() : failed("unreachable", "SuperOffice's answer broke off.");
    if (body.reason === "over-budget")
      return { ok: false, failure: { kind: "busy", detail: body.detail, retryAfter: 1 }, status };
    const detail = ownSentence(body.detail, secrets);
    return failed(body.reason === "too-large" ? "too-large" : "bad-response", detail, { upstreamText: body.detail, status });
  }
  const decoded = timedSync(call, "decode", () => decodeBatchResponse(body.text, { contract, maxTasks: limits.maxTasks }));
  if (!decoded.ok) {
    if (decoded.failure === "malformed" || decoded.failure === "too-large") {
      const kind = decoded.failure === "too-large" ? "too-large" : "bad-response";
      return failed(kind, `SuperOffice's answer is unusable: ${ownSentence(decoded.detail, secrets)}.`, {
        upstreamText: decoded.detail,
        status,
      });
    }
    const rejected = decoded.failure === "exception" && CREDENTIAL_EXCEPTION.test(decoded.exceptionType ?? "");
    const kind = rejected ? "credentials-rejected" : decoded.failure;
    // Only FriendlyText is written for end users: a fault's text and ExceptionInfo's Message go to the log alone.
    const forCallers = decoded.failure === "exception" ? decoded.friendlyText : undefined;
    return failed(kind, callerMessage(kind, forCallers, secrets), { upstreamText: decoded.detail, status });
  }
  if (status !== 200) return failed("bad-response", `SuperOffice answered HTTP ${status}.`, { status });
  for (const value of decoded.unknown) noteUnknownValue(redactSecrets(value, secrets), call.requestId);
  const checked = timedSync(call, "decode", () => v.safeParse(BatchTasksBodySchema, { tasks: decoded.tasks, fetchedAt }));
  if (!checked.success) {
    const detail = `SuperOffice's answer does not match the BatchTaskInfo contract: ${ownSentence(summarize(checked.issues), secrets)}.`;
    return failed("bad-response", detail, { status });
  }
  const fits = fitsQuery(query);
  const tasks = checked.output.tasks.filter(fits);
  const dropped = checked.output.tasks.length - tasks.length;
  if (dropped > 0)
    log("warn", "upstream_tasks_dropped", { requestId: call.requestId, dropped, reason: "not asked for (associate or state)" });
  return { ok: true, body: { tasks, fetchedAt } };
}

/** Enum values this Worker does not know, each logged once per isolate (a newer server is not an incident). */
const unknownValuesSeen = new Set<string>();

function noteUnknownValue(value: string, requestId: string): void {
  if (unknownValuesSeen.has(value) || unknownValuesSeen.size >= 100) return;
  unknownValuesSeen.add(value);
  log("warn", "upstream_unknown_value", { requestId, value: value.slice(0, 100) });
}

/**
 * Calls `GetBatchTaskInfosByAssociatesAndState` once and returns the schema-validated body (tasks that do not fit
 * the question dropped and logged) or a classified failure, whatever went wrong: every failure is logged once with
 * the request id and SuperOffice's own text (redacted and cut), and reaches callers only as a clean sentence.
 *
 * Bounds: `UPSTREAM_TIMEOUT_MS` covers the exchange from connect to last byte; the body is cut at
 * `UPSTREAM_MAX_BYTES` (decoded bytes, so a gzip bomb stops at the cap); decoding is linear in that and refuses
 * nesting past 32 levels and more than `MAX_TASKS` tasks; and the isolate holds at most three maximal answers at
 * once, whatever the tenants (`ByteBudget`), so concurrent large answers cannot exhaust its 128 MB. Redirects are not
 * followed: they would resend the ticket to wherever `Location` points.
 */
export async function fetchBatchTasks(query: BatchQuery, options: ExchangeOptions): Promise<UpstreamResult> {
  const signal = AbortSignal.timeout(options.limits.timeoutMs);
  const capacity = options.limits.maxBytes * MAX_ANSWERS_AT_THE_LIMIT;
  let taken = 0;
  const take = (bytes: number): boolean => {
    if (!options.budget.take(bytes, capacity)) return false;
    taken += bytes;
    return true;
  };
  let result: { ok: true; body: BatchTasksBody } | Failed;
  try {
    result = await exchange(query, options, signal, take);
  } catch (error) {
    result = failed("bad-response", "SuperOffice's answer could not be processed.", { upstreamText: String(error) });
  } finally {
    options.budget.give(taken);
  }
  if (result.ok) return result;
  const secrets = secretsOf(options.credentials);
  log("warn", "upstream_failed", {
    requestId: options.call.requestId,
    kind: result.failure.kind,
    detail: result.failure.detail,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.upstreamText === undefined ? {} : { upstreamText: logText(result.upstreamText, secrets) }),
    state: query.state,
    associateCount: query.associateIds.length,
  });
  return { ok: false, failure: result.failure };
}
