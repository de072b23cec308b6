import * as v from "valibot";
import type { BatchQuery } from "../model/batch-query.js";
import { type BatchTasksBody, BatchTasksBodySchema } from "../model/batch-task.js";
import { decodeBatchResponse } from "../soap/decode.js";
import { buildEnvelope, type Credentials } from "../soap/envelope.js";
import { CONTRACTS } from "../soap/namespaces.js";

/** Why an upstream call gave no usable answer. `detail` is safe to show callers: no stack trace, no secret. */
export type UpstreamFailure = {
  kind: "exception" | "fault" | "bad-response" | "too-large" | "timeout" | "unreachable";
  detail: string;
};

export type UpstreamResult = { ok: true; body: BatchTasksBody } | { ok: false; failure: UpstreamFailure };

export type UpstreamOptions = {
  url: string;
  credentials: Credentials;
  timeoutMs: number;
  now: () => number;
};

const XML_MEDIA_TYPE = /^\s*(text\/xml|application\/xml|application\/soap\+xml|[\w.+-]+\/[\w.-]+\+xml)\s*(;|$)/i;

/** Removes secrets from text that came from upstream, in case a server echoes what it was sent. */
function redact(text: string, credentials: Credentials): string {
  let clean = text;
  for (const secret of [credentials.ticket, credentials.applicationToken]) {
    if (secret !== undefined) clean = clean.replaceAll(secret, "[redacted]");
  }
  return clean;
}

function transportFailure(signal: AbortSignal, timeoutMs: number, during: string): UpstreamResult {
  return signal.aborted
    ? { ok: false, failure: { kind: "timeout", detail: `SuperOffice did not answer within ${timeoutMs} ms` } }
    : { ok: false, failure: { kind: "unreachable", detail: `SuperOffice could not be reached (${during} failed)` } };
}

function summarize(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (first === undefined) return "";
  const path = (first.path ?? []).map((item) => (typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`));
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${path.join("").replace(/^\./, "")} ${first.message}${more}`;
}

/**
 * Calls `GetBatchTaskInfosByAssociatesAndState` once, within `timeoutMs` for the whole exchange, and returns the
 * schema-validated body or a classified failure. `fetchedAt` is the moment the answer arrived. Redirects are not
 * followed: they would resend the ticket to wherever `Location` points.
 */
export async function fetchBatchTasks(query: BatchQuery, options: UpstreamOptions): Promise<UpstreamResult> {
  const request = buildEnvelope(query, options.credentials, CONTRACTS["85"]);
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(options.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal,
      redirect: "manual",
    });
  } catch {
    return transportFailure(signal, options.timeoutMs, "the request");
  }
  const fetchedAt = new Date(options.now()).toISOString();
  try {
    text = await response.text();
  } catch {
    return transportFailure(signal, options.timeoutMs, "reading the response");
  }
  if (response.status >= 300 && response.status < 400) {
    return {
      ok: false,
      failure: { kind: "bad-response", detail: `SuperOffice answered HTTP ${response.status} (a redirect, not followed)` },
    };
  }
  const contentType = response.headers.get("Content-Type") ?? "";
  if (!XML_MEDIA_TYPE.test(contentType)) {
    const what = contentType === "" ? "no content type" : contentType.split(";")[0];
    return {
      ok: false,
      failure: { kind: "bad-response", detail: `SuperOffice answered HTTP ${response.status} with ${what}, not XML` },
    };
  }
  const decoded = decodeBatchResponse(text, { contract: CONTRACTS["85"], maxTasks: 10_000 });
  if (!decoded.ok) {
    const kind = decoded.failure === "malformed" ? "bad-response" : decoded.failure;
    return { ok: false, failure: { kind, detail: redact(decoded.detail, options.credentials) } };
  }
  if (response.status !== 200) {
    return { ok: false, failure: { kind: "bad-response", detail: `SuperOffice answered HTTP ${response.status}` } };
  }
  const body = v.safeParse(BatchTasksBodySchema, { tasks: decoded.tasks, fetchedAt });
  if (!body.success) {
    const detail = `the response does not match the BatchTaskInfo contract: ${summarize(body.issues)}`;
    return { ok: false, failure: { kind: "bad-response", detail: redact(detail, options.credentials) } };
  }
  return { ok: true, body: body.output };
}
