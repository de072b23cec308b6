import { type Context, Hono } from "hono";
import { CONTRACTS } from "../src/soap/namespaces.js";

const SOAP_ACTION = CONTRACTS["85"].soapAction;

import { type Behaviour, behaviourForRequest, DEFAULT_BEHAVIOUR, parseBehaviourJson } from "./behaviour.js";
import { actionNotSupported, INVALID_APPLICATION_TOKEN, INVALID_TICKET } from "./errors.js";
import { filterTasks } from "./filter.js";
import {
  badRequest,
  type EmulatorReply,
  failureReply,
  faultReply,
  toResponse,
  UNSUPPORTED_MEDIA_TYPE,
  xmlReply,
} from "./replies.js";
import { type BatchRequest, parseBatchRequest } from "./request-parser.js";
import { SEED_TASKS, type SeedTask } from "./seed.js";
import { exceptionEnvelope, successEnvelope } from "./xml-writer.js";

/** Configuration of one emulated NetServer installation. */
export interface EmulatorOptions {
  /** The only ticket accepted in `Credentials/Ticket`. */
  readonly ticket: string;
  /** Required `ApplicationToken`; undefined = not checked (like an on-site installation). */
  readonly applicationToken?: string | undefined;
  /** Tasks to serve; defaults to {@link SEED_TASKS}. */
  readonly tasks?: readonly SeedTask[] | undefined;
}

/** The last request seen by the Batch.svc endpoint, as reported by `GET /__emulator/requests`. */
export interface RecordedRequest {
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw request body. */
  readonly body: string;
}

/** Path every Batch.svc endpoint ends with; any prefix (e.g. `/Cust12345`) is accepted. */
export const ENDPOINT_SUFFIX = "/Remote/Services85/Batch.svc";

/** The endpoint path of an on-site installation, used by the dev server. */
export const DEFAULT_ENDPOINT_PATH = `/SuperOffice${ENDPOINT_SUFFIX}`;

const ENDPOINT_PATTERN = /^(?:\/[^/]+)*\/Remote\/Services85\/Batch\.svc$/i;

interface EmulatorState {
  behaviour: Behaviour;
  count: number;
  last: RecordedRequest | null;
}

function isSoap11ContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType, ...parameters] = header.split(";").map((part) => part.trim().toLowerCase());
  if (mediaType !== "text/xml") return false;
  const charset = parameters.find((parameter) => parameter.startsWith("charset="));
  return charset === undefined || charset.slice("charset=".length).replace(/"/g, "") === "utf-8";
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function authenticate(request: BatchRequest, options: EmulatorOptions): EmulatorReply | null {
  if (options.applicationToken !== undefined && request.applicationToken !== options.applicationToken) {
    return xmlReply(exceptionEnvelope(INVALID_APPLICATION_TOKEN));
  }
  if (request.ticket !== options.ticket) return xmlReply(exceptionEnvelope(INVALID_TICKET));
  return null;
}

/**
 * Answers one Batch.svc call the way WCF + NetServer would: Content-Type and SOAPAction checks,
 * request deserialization, application token and ticket checks, then the filtered task list.
 */
export function answerBatchCall(
  contentType: string | undefined,
  soapAction: string | undefined,
  body: string,
  options: EmulatorOptions,
): EmulatorReply {
  if (!isSoap11ContentType(contentType)) return UNSUPPORTED_MEDIA_TYPE;
  const action = unquote(soapAction ?? "");
  if (action !== SOAP_ACTION) return faultReply(actionNotSupported(action));
  const parsed = parseBatchRequest(body);
  if (!parsed.ok) return faultReply(parsed.fault);
  const rejection = authenticate(parsed.request, options);
  if (rejection !== null) return rejection;
  const tasks = filterTasks(options.tasks ?? SEED_TASKS, parsed.request.associateIds, parsed.request.state);
  return xmlReply(successEnvelope(tasks));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    result[name.toLowerCase()] = value;
  });
  return result;
}

async function handleEndpoint(c: Context, state: EmulatorState, options: EmulatorOptions): Promise<Response> {
  const body = await c.req.text();
  state.count += 1;
  state.last = { headers: lowerCaseHeaders(c.req.raw.headers), body };
  const chosen = behaviourForRequest(state.behaviour, { fail: c.req.query("fail"), delayMs: c.req.query("delayMs") });
  if (!chosen.ok) return toResponse(badRequest(chosen.error));
  if (chosen.behaviour.delayMs > 0) await sleep(chosen.behaviour.delayMs);
  const normal = (): EmulatorReply => answerBatchCall(c.req.header("content-type"), c.req.header("soapaction"), body, options);
  const { fail } = chosen.behaviour;
  return toResponse(fail === "none" ? normal() : failureReply(fail, normal));
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json<unknown>();
  } catch {
    return undefined;
  }
}

function registerControlRoutes(app: Hono, state: EmulatorState): void {
  app.get("/__emulator/behaviour", (c) => c.json(state.behaviour));
  app.put("/__emulator/behaviour", async (c) => {
    const parsed = parseBehaviourJson(await readJson(c));
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    state.behaviour = parsed.behaviour;
    return c.json(state.behaviour);
  });
  app.get("/__emulator/requests", (c) => c.json({ count: state.count, last: state.last }));
  app.delete("/__emulator/requests", (c) => {
    state.count = 0;
    state.last = null;
    return c.json({ count: 0, last: null });
  });
}

/**
 * Creates an emulated NetServer Services85 Batch.svc (GetBatchTaskInfosByAssociatesAndState only),
 * plus the test controls under `/__emulator/`. Each call has its own state (behaviour, request log).
 *
 * - `POST …/Remote/Services85/Batch.svc[?fail=…&delayMs=…]` — the SOAP 1.1 endpoint.
 * - `GET|PUT /__emulator/behaviour` — persistent `{ fail, delayMs }` (the query string wins).
 * - `GET|DELETE /__emulator/requests` — `{ count, last: { headers, body } | null }` of endpoint POSTs.
 */
export function createNetServerEmulator(options: EmulatorOptions): Hono {
  const state: EmulatorState = { behaviour: DEFAULT_BEHAVIOUR, count: 0, last: null };
  const app = new Hono();
  registerControlRoutes(app, state);
  app.post("*", (c) => (ENDPOINT_PATTERN.test(c.req.path) ? handleEndpoint(c, state, options) : c.notFound()));
  return app;
}
