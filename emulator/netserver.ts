import { type Context, Hono } from "hono";
import * as v from "valibot";
import { CONTRACTS, type Contract, type ServicesVersion } from "../src/soap/namespaces.js";
import { type Behaviour, behaviourForRequest, DEFAULT_BEHAVIOUR, parseBehaviourJson } from "./behaviour.js";
import { actionNotSupported, INVALID_APPLICATION_TOKEN, INVALID_TICKET, inContract } from "./errors.js";
import { filterTasks } from "./filter.js";
import {
  answerSignIn,
  certificatePem,
  createIdentity,
  type OnlineOptions,
  type OnlineTenant,
  onlineTenants,
  type SuperOfficeIdentity,
} from "./online.js";
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
import { updateTask } from "./task-control.js";
import { createTicketStore, issueTicket, liveTickets, type TicketStore, useTicket } from "./tickets.js";
import { exceptionEnvelope, type SoExceptionInfo, successEnvelope } from "./xml-writer.js";

/** Configuration of one emulated NetServer installation. */
export interface EmulatorOptions {
  /** A ticket accepted in `Credentials/Ticket` at every endpoint, forever (an on-site installation's). */
  readonly ticket: string;
  /** Required `ApplicationToken`; undefined = not checked (like an on-site installation). */
  readonly applicationToken?: string | undefined;
  /** Tasks to serve; defaults to {@link SEED_TASKS}. */
  readonly tasks?: readonly SeedTask[] | undefined;
  /** SuperOffice Online sign-in for one tenant or several; absent = no login service (an on-site installation). */
  readonly online?: OnlineOptions | readonly OnlineOptions[] | undefined;
  /** Path of the login service, `/Login/` by default: the login URL is `<origin><loginPath>`. */
  readonly loginPath?: string | undefined;
  /** The emulator's own "SuperOffice" RSA private key (PEM) for JWTs; made at start-up when absent. */
  readonly superOfficeKeyPem?: string | undefined;
  /** The wall clock (ms); `Date.now` by default. */
  readonly now?: (() => number) | undefined;
}

/** The last request seen by the Batch.svc endpoint, as reported by `GET /__emulator/requests`. */
export interface RecordedRequest {
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw request body. */
  readonly body: string;
}

/** Path every Services85 Batch.svc endpoint ends with; any prefix (e.g. `/Cust12345`) is accepted. */
export const ENDPOINT_SUFFIX = "/Remote/Services85/Batch.svc";

/** The endpoint path of an on-site installation, used by the dev server. */
export const DEFAULT_ENDPOINT_PATH = `/SuperOffice${ENDPOINT_SUFFIX}`;

/** The login service's default path. */
export const DEFAULT_LOGIN_PATH = "/Login/";

/** `…/<context>/Remote/Services{85|88}/Batch.svc`: the prefix (whose last segment names the tenant) and the version. */
const ENDPOINT_PATTERN = /^((?:\/[^/]+)*)\/Remote\/Services(85|88)\/Batch\.svc$/i;

/** The PartnerSystemUser REST endpoint under the login path. */
const AUTHENTICATE_PATH = "api/PartnerSystemUser/Authenticate";

interface EmulatorState {
  behaviour: Behaviour;
  count: number;
  last: RecordedRequest | null;
  signIns: number;
  signInsRefused: number;
  tasks: readonly SeedTask[];
  readonly tickets: TicketStore;
  clockOffsetMs: number;
}

/** What one Batch.svc call checks its credentials against and serves. */
export interface Installation {
  readonly ticket: string;
  readonly applicationToken: string | undefined;
  readonly tenants: readonly OnlineTenant[];
  readonly tickets: TicketStore;
  /** The ticket clock (ms): the wall clock plus whatever the tests advanced it by. */
  readonly ticketNow: number;
  readonly tasks: readonly SeedTask[];
}

/** One Batch.svc HTTP call. */
export interface BatchCall {
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
  readonly body: string;
  /** The contract the URL path names (`Services85` or `Services88`). */
  readonly contract: Contract;
  /** The path segment before `/Remote/` (`Cust12345`), or null when there is none. */
  readonly pathContext: string | null;
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

/**
 * The application token, then the ticket: the static ticket anywhere, or a ticket issued at sign-in, alive on the
 * ticket clock and used under its own tenant's path (which must then also send that tenant's application token).
 */
function authenticate(request: BatchRequest, call: BatchCall, installation: Installation): EmulatorReply | null {
  const refuse = (info: SoExceptionInfo): EmulatorReply =>
    xmlReply(exceptionEnvelope(inContract(info, call.contract), call.contract));
  if (installation.applicationToken !== undefined && request.applicationToken !== installation.applicationToken) {
    return refuse(INVALID_APPLICATION_TOKEN);
  }
  if (request.ticket === installation.ticket) return null;
  const contextId =
    request.ticket === null ? null : useTicket(installation.tickets, request.ticket, call.pathContext, installation.ticketNow);
  if (contextId === null) return refuse(INVALID_TICKET);
  const tenant = installation.tenants.find(({ options }) => options.contextId === contextId);
  if (tenant !== undefined && request.applicationToken !== tenant.options.applicationToken)
    return refuse(INVALID_APPLICATION_TOKEN);
  return null;
}

/**
 * Answers one Batch.svc call the way WCF + NetServer would: Content-Type and SOAPAction checks (the contract's
 * action), request deserialization (the contract's namespace), application token and ticket checks, then the
 * filtered task list in the contract's serialisation.
 */
export function answerBatchCall(call: BatchCall, installation: Installation): EmulatorReply {
  if (!isSoap11ContentType(call.contentType)) return UNSUPPORTED_MEDIA_TYPE;
  const action = unquote(call.soapAction ?? "");
  if (action !== call.contract.soapAction) return faultReply(actionNotSupported(action));
  const parsed = parseBatchRequest(call.body, call.contract);
  if (!parsed.ok) return faultReply(parsed.fault);
  const rejection = authenticate(parsed.request, call, installation);
  if (rejection !== null) return rejection;
  const tasks = filterTasks(installation.tasks, parsed.request.associateIds, parsed.request.state, call.contract);
  return xmlReply(successEnvelope(tasks, call.contract));
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

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json<unknown>();
  } catch {
    return undefined;
  }
}

const ClockAdvanceSchema = v.strictObject(
  {
    advanceSeconds: v.pipe(
      v.number("advanceSeconds must be a number of seconds from 0 to 315360000"),
      v.finite("advanceSeconds must be a number of seconds from 0 to 315360000"),
      v.minValue(0, "advanceSeconds must be a number of seconds from 0 to 315360000"),
      v.maxValue(315_360_000, "advanceSeconds must be a number of seconds from 0 to 315360000"),
    ),
  },
  'expected a JSON object {"advanceSeconds": n} and nothing else',
);

/** One emulator: its options, its mutable state, its clocks, and its Online tenants and identity. */
interface Emulator {
  readonly options: EmulatorOptions;
  readonly state: EmulatorState;
  readonly tenants: readonly OnlineTenant[];
  readonly identity: SuperOfficeIdentity | null;
  readonly wallNow: () => number;
  readonly ticketNow: () => number;
}

async function handleEndpoint(c: Context, emulator: Emulator, match: RegExpExecArray): Promise<Response> {
  const { state, options } = emulator;
  const body = await c.req.text();
  state.count += 1;
  state.last = { headers: lowerCaseHeaders(c.req.raw.headers), body };
  const chosen = behaviourForRequest(state.behaviour, { fail: c.req.query("fail"), delayMs: c.req.query("delayMs") });
  if (!chosen.ok) return toResponse(badRequest(chosen.error));
  if (chosen.behaviour.delayMs > 0) await sleep(chosen.behaviour.delayMs);
  const contract = CONTRACTS[match[2] as ServicesVersion];
  const call: BatchCall = {
    contentType: c.req.header("content-type"),
    soapAction: c.req.header("soapaction"),
    body,
    contract,
    pathContext: (match[1] ?? "").split("/").pop() || null,
  };
  const normal = (): EmulatorReply =>
    answerBatchCall(call, {
      ticket: options.ticket,
      applicationToken: options.applicationToken,
      tenants: emulator.tenants,
      tickets: state.tickets,
      ticketNow: emulator.ticketNow(),
      tasks: state.tasks,
    });
  const { fail } = chosen.behaviour;
  return toResponse(fail === "none" ? normal() : failureReply(fail, normal, contract));
}

/** `POST <login>/api/PartnerSystemUser/Authenticate`: SuperOffice answers refusals with HTTP 200 and `IsSuccessful: false`. */
async function handleSignIn(c: Context, emulator: Emulator, identity: SuperOfficeIdentity): Promise<Response> {
  const { state } = emulator;
  state.signIns += 1;
  const body = await readJson(c);
  if (body === undefined) {
    state.signInsRefused += 1;
    return c.json({ Message: "The request is invalid." }, 400);
  }
  const answer = answerSignIn(body, {
    tenants: emulator.tenants,
    identity,
    origin: new URL(c.req.url).origin,
    now: emulator.wallNow(),
    issueTicket: (contextId) => issueTicket(state.tickets, contextId, emulator.ticketNow()),
  });
  if (!answer.ok) state.signInsRefused += 1;
  return c.json(answer.json);
}

function clockView(emulator: Emulator): { offsetSeconds: number; now: string } {
  return { offsetSeconds: emulator.state.clockOffsetMs / 1000, now: new Date(emulator.ticketNow()).toISOString() };
}

function registerControlRoutes(app: Hono, emulator: Emulator): void {
  const { state } = emulator;
  app.get("/__emulator/behaviour", (c) => c.json(state.behaviour));
  app.put("/__emulator/behaviour", async (c) => {
    const parsed = parseBehaviourJson(await readJson(c));
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    state.behaviour = parsed.behaviour;
    return c.json(state.behaviour);
  });
  const requests = () => ({ count: state.count, last: state.last, signIns: state.signIns, signInsRefused: state.signInsRefused });
  app.get("/__emulator/requests", (c) => c.json(requests()));
  app.delete("/__emulator/requests", (c) => {
    state.count = 0;
    state.last = null;
    state.signIns = 0;
    state.signInsRefused = 0;
    return c.json(requests());
  });
  app.get("/__emulator/clock", (c) => c.json(clockView(emulator)));
  app.post("/__emulator/clock", async (c) => {
    const parsed = v.safeParse(ClockAdvanceSchema, await readJson(c));
    if (!parsed.success) return c.json({ error: parsed.issues.map((issue) => issue.message).join("; ") }, 400);
    state.clockOffsetMs += Math.round(parsed.output.advanceSeconds * 1000);
    return c.json(clockView(emulator));
  });
  app.delete("/__emulator/clock", (c) => {
    state.clockOffsetMs = 0;
    return c.json(clockView(emulator));
  });
  app.get("/__emulator/tickets", (c) => c.json({ live: liveTickets(state.tickets, emulator.ticketNow()) }));
  app.delete("/__emulator/tickets", (c) => {
    const revoked = state.tickets.size;
    state.tickets.clear();
    return c.json({ revoked });
  });
  app.get("/__emulator/certificate", (c) =>
    emulator.identity === null
      ? c.text("Online sign-in is not enabled on this emulator", 404)
      : c.text(certificatePem(emulator.identity)),
  );
  app.post("/__emulator/tasks/:id{[0-9]+}", async (c) => {
    const result = updateTask(state.tasks, Number(c.req.param("id")), await readJson(c));
    if (!result.ok) return c.json({ error: result.error }, result.status);
    state.tasks = result.tasks;
    return c.json(result.task);
  });
  app.delete("/__emulator/tasks", (c) => {
    state.tasks = emulator.options.tasks ?? SEED_TASKS;
    return c.json({ tasks: state.tasks.length });
  });
}

/** `/Login/` from `Login`, `/Login` or `/Login/` (undefined: {@link DEFAULT_LOGIN_PATH}). */
export function loginPathOf(path: string | undefined): string {
  const trimmed = (path ?? DEFAULT_LOGIN_PATH).replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "/" : `/${trimmed}/`;
}

/**
 * Creates an emulated NetServer Batch.svc (GetBatchTaskInfosByAssociatesAndState only) for Services85 and
 * Services88, optionally with SuperOffice Online's system user sign-in, plus the test controls under
 * `/__emulator/`. Each call has its own state. Resolves once the Online identity (if any) is ready; rejects on an
 * unreadable key.
 *
 * - `POST …/Remote/Services{85|88}/Batch.svc[?fail=…&delayMs=…]` — the SOAP 1.1 endpoint of that contract.
 * - `POST <loginPath>api/PartnerSystemUser/Authenticate` — Online sign-in (only with `online`).
 * - `GET|PUT /__emulator/behaviour` — persistent `{ fail, delayMs }` for Batch.svc (the query string wins).
 * - `GET|DELETE /__emulator/requests` — `{ count, last, signIns, signInsRefused }`: Batch.svc POSTs, the last one,
 *   and sign-in attempts (all, and refused ones).
 * - `GET|POST|DELETE /__emulator/clock` — the ticket clock: `{"advanceSeconds": n}` moves it on; DELETE resets it.
 * - `GET|DELETE /__emulator/tickets` — how many issued tickets are alive; DELETE revokes them all.
 * - `GET /__emulator/certificate` — the PEM X.509 certificate of the key that signs the JWTs (only with `online`).
 * - `POST /__emulator/tasks/<id>` `{progressPercent?, progressDescription?, state?}`; `DELETE /__emulator/tasks`
 *   restores the tasks as configured.
 */
export async function createNetServerEmulator(options: EmulatorOptions): Promise<Hono> {
  const wallNow = options.now ?? Date.now;
  const tenants = onlineTenants(options.online);
  const identity = tenants.length === 0 ? null : await createIdentity(options.superOfficeKeyPem, wallNow());
  const state: EmulatorState = {
    behaviour: DEFAULT_BEHAVIOUR,
    count: 0,
    last: null,
    signIns: 0,
    signInsRefused: 0,
    tasks: options.tasks ?? SEED_TASKS,
    tickets: createTicketStore(),
    clockOffsetMs: 0,
  };
  const emulator: Emulator = { options, state, tenants, identity, wallNow, ticketNow: () => wallNow() + state.clockOffsetMs };
  const loginEndpoint = `${loginPathOf(options.loginPath)}${AUTHENTICATE_PATH}`.toLowerCase();
  const app = new Hono();
  registerControlRoutes(app, emulator);
  app.post("*", (c) => {
    if (identity !== null && c.req.path.toLowerCase() === loginEndpoint) return handleSignIn(c, emulator, identity);
    const match = ENDPOINT_PATTERN.exec(c.req.path);
    return match === null ? c.notFound() : handleEndpoint(c, emulator, match);
  });
  return app;
}
