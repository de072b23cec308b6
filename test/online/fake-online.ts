/**
 * A fake SuperOffice Online behind `fetch`, for tests that need to script its answers (a revoked system user, a
 * dropped ticket) more freely than the emulator allows: its login issues `7T:ticket-number-N` in a JWT the Worker
 * does not verify (no certificate configured), and its Batch.svc accepts the tickets in `validTickets`.
 */
import { vi } from "vitest";
import { toPem } from "../../emulator/certificate.js";
import exception from "../fixtures/exception.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { type SendInit, send, testEnv, xmlResponse } from "../helpers.js";
import { generateTestKeys } from "../upstream/online/key-material.js";

export const KEY32 = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)));

const b64url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/**
 * An unsigned-by-us JWT (no certificate configured, so the Worker does not verify it). It expires in 2100: the
 * tests' clocks (real, or test/cache/clock.ts's) are never near it, and the Worker refuses a token without `exp`.
 */
export function jwt(ticket: string, netserver = "https://tenant.test/Cust1/Remote/Services85/"): string {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      "http://schemes.superoffice.net/identity/ticket": ticket,
      "http://schemes.superoffice.net/identity/netserver_url": netserver,
      exp: Date.UTC(2100, 0, 1) / 1000,
    }),
  );
  return `${header}.${payload}.c2ln`;
}

export type FakeOnline = {
  signIns: number;
  batchCalls: { ticket: string }[];
  signInOk: boolean;
  validTickets: Set<string>;
  /** Every ticket the login ever issued. */
  issued: string[];
  nextTicket: number;
};

/** NetServer's answer to a dead ticket, naming it in its message and in its friendly text. */
function rejection(ticket: string): string {
  return exception
    .replace("7T:test-ticket", ticket)
    .replace("Your session has expired.", `Your session (${ticket}) has expired.`);
}

/**
 * A fake SuperOffice Online: login issues 7T:n tickets; Batch.svc accepts tickets in validTickets, and rejects any
 * other with an exception that names the ticket it was sent (as NetServer's own message does), so that tests can
 * see the Worker never passes a ticket on.
 */
export function fakeOnline(): FakeOnline {
  const state: FakeOnline = { signIns: 0, batchCalls: [], signInOk: true, validTickets: new Set(), issued: [], nextTicket: 1 };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const body = await request.text();
    if (request.url.includes("/Login/")) {
      state.signIns += 1;
      if (!state.signInOk)
        return Response.json({ IsSuccessful: false, ErrorMessage: "The system user token is revoked", Token: null });
      const ticket = `7T:ticket-number-${state.nextTicket++}`;
      state.validTickets.add(ticket);
      state.issued.push(ticket);
      return Response.json({ IsSuccessful: true, ErrorMessage: null, Token: jwt(ticket) });
    }
    const ticket = /<Ticket>([^<]*)<\/Ticket>/.exec(body)?.[1] ?? "";
    state.batchCalls.push({ ticket });
    return state.validTickets.has(ticket) ? xmlResponse(wcf) : xmlResponse(rejection(ticket));
  });
  return state;
}

export async function onlineEnv(overrides: Record<string, unknown> = {}) {
  const keys = await generateTestKeys();
  return testEnv({
    SUPEROFFICE_BATCH_URL: undefined,
    SUPEROFFICE_TICKET: undefined,
    SUPEROFFICE_CONTEXT_ID: "Cust1",
    SUPEROFFICE_ENVIRONMENT: "sod",
    SUPEROFFICE_SYSTEM_USER_TOKEN: "SysUser-token-abcdef",
    SUPEROFFICE_APP_TOKEN: "app-token-secret",
    SUPEROFFICE_PRIVATE_KEY: toPem("PRIVATE KEY", keys.pkcs8),
    SUPEROFFICE_LOGIN_URL: "https://login.test/Login/",
    TICKET_ENCRYPTION_KEY: KEY32,
    ...overrides,
  });
}

/**
 * `send`, keeping everything a caller or an operator sees from now on: each response's status line, headers and
 * body (`record` adds one sent otherwise), and every console line. `seen()` is all of it as one text, to check that
 * no ticket is in it.
 */
export function watched(): {
  send: (path: string, init?: SendInit) => Promise<Response>;
  record: (response: Response) => Promise<void>;
  seen: () => string;
} {
  const spies = (["debug", "log", "info", "warn", "error"] as const).map((method) => vi.spyOn(console, method));
  const responses: string[] = [];
  const record = async (response: Response) => {
    responses.push(`${response.status} ${[...response.headers].join("\n")}\n${await response.clone().text()}`);
  };
  return {
    send: async (path, init) => {
      const response = await send(path, init);
      await record(response);
      return response;
    },
    record,
    seen: () => [...responses, ...spies.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(" ")))].join("\n"),
  };
}
