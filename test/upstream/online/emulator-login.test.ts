import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../../../emulator/certificate.js";
import { NEVER, SEED_TASKS, type SeedTask } from "../../../emulator/seed.js";
import type { BatchTaskState } from "../../../src/model/batch-task.js";
import { decodeBatchResponse } from "../../../src/soap/decode.js";
import { buildEnvelope } from "../../../src/soap/envelope.js";
import { CONTRACTS, type Contract } from "../../../src/soap/namespaces.js";
import { importSigningKey, importVerificationKey } from "../../../src/upstream/online/keys.js";
import { batchServiceUrl } from "../../../src/upstream/online/netserver-url.js";
import { type SignInCredentials, type SignInResult, signIn } from "../../../src/upstream/online/sign-in.js";
import { signSystemToken } from "../../../src/upstream/online/system-token.js";
import { generateTestKeys } from "./key-material.js";
import { onlineEmulator } from "./online-emulator.js";

/**
 * SuperOffice Online sign-in against the emulator over 127.0.0.1, the way the Worker will do it: real fetch, real
 * RSA signatures both ways, real tickets, real SOAP. The emulator's clock and tickets are shared by this file only.
 */

const emulator = onlineEmulator();
const [first, second] = emulator.tenants;
if (first === undefined || second === undefined) throw new Error("global-setup provides two Online tenants");

let partnerKey: CryptoKey;
let certificateKey: CryptoKey;

beforeAll(async () => {
  const partner = await importSigningKey(emulator.partnerPrivateKeyPem);
  if (!partner.ok) throw new Error(partner.reason);
  partnerKey = partner.key;
  const pem = await (await fetch(`${emulator.origin}/__emulator/certificate`)).text();
  expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  const certificate = await importVerificationKey(pem);
  if (!certificate.ok) throw new Error(certificate.reason);
  certificateKey = certificate.key;
});

afterEach(async () => {
  await fetch(`${emulator.origin}/__emulator/clock`, { method: "DELETE" });
  await fetch(`${emulator.origin}/__emulator/tasks`, { method: "DELETE" });
});

function credentials(tenant = first, overrides: Partial<SignInCredentials> = {}): SignInCredentials {
  return {
    contextId: tenant?.contextId ?? "",
    systemUserToken: tenant?.systemUserToken ?? "",
    applicationToken: emulator.applicationToken,
    signingKey: partnerKey,
    verificationKey: certificateKey,
    loginUrl: emulator.loginUrl,
    ...overrides,
  };
}

async function signInAs(tenant = first, overrides: Partial<SignInCredentials> = {}, now = Date.now()): Promise<SignInResult> {
  return signIn(credentials(tenant, overrides), { now: () => now, timeoutMs: 5000 });
}

async function ticketOf(result: SignInResult): Promise<{ ticket: string; netserverUrl: string }> {
  if (!result.ok) throw new Error(`sign-in failed: ${result.detail}`);
  return result;
}

async function batchCall(
  netserverUrl: string,
  ticket: string,
  contract: Contract,
  state: BatchTaskState = "All",
  applicationToken: string = emulator.applicationToken,
) {
  const request = buildEnvelope({ associateIds: [-1, 0], state }, { ticket, applicationToken }, contract);
  const response = await fetch(batchServiceUrl(netserverUrl, contract), {
    method: "POST",
    headers: request.headers,
    body: request.body,
  });
  return decodeBatchResponse(await response.text(), { contract, maxTasks: 10_000 });
}

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.origin}/__emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function requests(): Promise<{ count: number; signIns: number; signInsRefused: number }> {
  return (await (await control("GET", "requests")).json()) as { count: number; signIns: number; signInsRefused: number };
}

/** What the decoder must read from a seeded task in the contract's answer. */
function expected(task: SeedTask, contract: Contract) {
  const {
    tableRight: _t,
    fieldProperties: _f,
    parameterObject,
    lastStarted,
    created,
    fileName,
    cancellationBehaviour,
    ...rest
  } = task;
  const date = (value: string | null) => (value === NEVER ? null : value);
  const services88 = contract.version === "88";
  return {
    ...rest,
    parameterObject: parameterObject === null ? null : Object.fromEntries(parameterObject.map((pair) => [pair.key, pair.value])),
    lastStarted: date(lastStarted),
    created: date(created),
    fileName: services88 ? fileName : null,
    cancellationBehaviour: services88 ? cancellationBehaviour : null,
  };
}

describe("the emulator's SuperOffice Online sign-in", () => {
  it("exchanges a signed system token for a verified JWT whose ticket opens the tenant's Services88 Batch.svc", async () => {
    const before = await requests();
    const result = await signInAs();
    expect(result).toMatchObject({ ok: true, netserverUrl: `${emulator.origin}/Cust12345/Remote/Services88/` });
    if (!result.ok) return;
    expect(result.ticket).toMatch(/^7T:[A-Za-z0-9+/]{40}$/);
    expect(result.expiresAt).toBeGreaterThan(Date.now() + 240_000);
    expect(result.expiresAt).toBeLessThan(Date.now() + 360_000);
    const decoded = await batchCall(result.netserverUrl, result.ticket, CONTRACTS["88"]);
    expect(decoded).toEqual({ ok: true, tasks: SEED_TASKS.map((task) => expected(task, CONTRACTS["88"])), unknown: [] });
    if (!decoded.ok) return;
    expect(decoded.tasks.filter((task) => task.state === "SucceededManualCleanup").map((task) => task.id)).toEqual([4, 112]);
    expect(decoded.tasks.find((task) => task.id === 112)).toMatchObject({
      fileName: "Kontakter Trøndelag & co.csv",
      cancellationBehaviour: "CancelWithWarning",
    });
    expect(decoded.tasks.find((task) => task.id === 106)).toMatchObject({ fileName: null, cancellationBehaviour: null });
    const after = await requests();
    expect(after.signIns - before.signIns).toBe(1);
    expect(after.signInsRefused - before.signInsRefused).toBe(0);
    expect(after.count - before.count).toBe(1);
  });

  it("serves Services85 at the same tenant without Services88's fields, and without tasks in its new state", async () => {
    const { ticket, netserverUrl } = await ticketOf(await signInAs());
    const decoded = await batchCall(netserverUrl, ticket, CONTRACTS["85"]);
    const describable = SEED_TASKS.filter((task) => task.state !== "SucceededManualCleanup");
    expect(describable).toHaveLength(SEED_TASKS.length - 2);
    expect(decoded).toEqual({ ok: true, tasks: describable.map((task) => expected(task, CONTRACTS["85"])), unknown: [] });
    const refused = await batchCall(netserverUrl, ticket, CONTRACTS["85"], "SucceededManualCleanup");
    expect(refused).toMatchObject({ ok: false, failure: "fault" });
    expect(await batchCall(netserverUrl, ticket, CONTRACTS["88"], "SucceededManualCleanup")).toMatchObject({ ok: true });
  });

  it("names the contract configured per tenant in netserver_url, and keeps each tenant's tickets to its own path", async () => {
    const ours = await ticketOf(await signInAs(first));
    const theirs = await ticketOf(await signInAs(second));
    expect(theirs.netserverUrl).toBe(`${emulator.origin}/Cust67890/Remote/Services85/`);
    expect(await batchCall(theirs.netserverUrl, theirs.ticket, CONTRACTS["85"])).toMatchObject({ ok: true });
    expect(await batchCall(theirs.netserverUrl, ours.ticket, CONTRACTS["85"])).toMatchObject({
      ok: false,
      failure: "exception",
      exceptionType: "SoSessionException",
    });
    expect(await batchCall(ours.netserverUrl, theirs.ticket, CONTRACTS["88"])).toMatchObject({
      ok: false,
      exceptionType: "SoSessionException",
    });
  });

  it("wants the application token at Batch.svc with an issued ticket", async () => {
    const { ticket, netserverUrl } = await ticketOf(await signInAs());
    expect(await batchCall(netserverUrl, ticket, CONTRACTS["88"], "All", "another-app")).toMatchObject({
      ok: false,
      exceptionType: "SoApplicationTokenException",
    });
  });

  it.each([
    [
      "a signature by another key",
      async () => ({ signingKey: (await generateTestKeys()).privateKey }),
      "Authorization error: InvalidSignature (7)",
    ],
    ["a wrong application token", async () => ({ applicationToken: "not-the-client-secret" }), "Authorization error: Denied (4)"],
    ["an unknown tenant", async () => ({ contextId: "Cust99999" }), "Unknown context identifier"],
    ["another system user token", async () => ({ systemUserToken: "Someone Else-abc" }), "Unknown system user token"],
  ])("refuses %s with IsSuccessful false and SuperOffice's kind of message", async (_name, overrides, message) => {
    const before = await requests();
    const result = await signInAs(first, await overrides());
    expect(result).toMatchObject({ ok: false, detail: `SuperOffice refused the sign-in (IsSuccessful false): ${message}` });
    const after = await requests();
    expect([after.signIns - before.signIns, after.signInsRefused - before.signInsRefused]).toEqual([1, 1]);
  });

  it("refuses a timestamp more than five minutes from its clock, either way, and accepts one within", async () => {
    for (const skew of [-6 * 60_000, 6 * 60_000]) {
      expect(await signInAs(first, {}, Date.now() + skew)).toMatchObject({
        ok: false,
        detail: "SuperOffice refused the sign-in (IsSuccessful false): Authorization error: InvalidTimestamp (6)",
      });
    }
    for (const skew of [-4 * 60_000, 4 * 60_000]) {
      const SignedSystemToken = await signSystemToken(first.systemUserToken, partnerKey, Date.now() + skew);
      const body = {
        SignedSystemToken,
        ApplicationToken: emulator.applicationToken,
        ContextIdentifier: first.contextId,
        ReturnTokenType: "JWT",
      };
      const response = await fetch(`${emulator.loginUrl}api/PartnerSystemUser/Authenticate`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      expect(await response.json()).toMatchObject({ IsSuccessful: true, ErrorMessage: null });
    }
  });

  it("signs its JWTs with the key of the certificate it publishes, and with no other", async () => {
    const other = await generateTestKeys();
    const wrongCertificate = await importVerificationKey(toPem("PUBLIC KEY", other.spki));
    if (!wrongCertificate.ok) throw new Error(wrongCertificate.reason);
    expect(await signInAs(first, { verificationKey: wrongCertificate.key })).toMatchObject({
      ok: false,
      detail: "SuperOffice's sign-in token was refused: the token's signature does not verify with the configured certificate",
    });
  });

  it("answers a body that is not JSON with HTTP 400, as ASP.NET does", async () => {
    const response = await fetch(`${emulator.loginUrl}api/PartnerSystemUser/Authenticate`, {
      method: "POST",
      body: "SignedSystemToken=x",
    });
    expect(response.status).toBe(400);
  });
});

describe("the emulator's tickets", () => {
  const SESSION = { ok: false, failure: "exception", exceptionType: "SoSessionException" };
  const advance = (seconds: number) => control("POST", "clock", { advanceSeconds: seconds });

  it("live six idle hours on the emulator clock, sliding with each use, then are refused as an expired session", async () => {
    const { ticket, netserverUrl } = await ticketOf(await signInAs());
    const call = () => batchCall(netserverUrl, ticket, CONTRACTS["88"]);
    expect(await call()).toMatchObject({ ok: true });
    await advance(6 * 3600 - 60);
    expect(await call()).toMatchObject({ ok: true });
    await advance(6 * 3600 - 60);
    expect(await call()).toMatchObject({ ok: true });
    await advance(6 * 3600 + 1);
    const expired = await call();
    expect(expired).toMatchObject({
      ...SESSION,
      friendlyText: "Your session has expired or the ticket is not valid. Please log in again.",
    });
    await control("DELETE", "clock");
    expect(await call()).toMatchObject(SESSION);
    const staticTicket = await batchCall(netserverUrl, "7T:online-static-ticket", CONTRACTS["88"]);
    expect(staticTicket).toMatchObject({ ok: true });
  });

  it("can all be revoked at once, after which signing in again gives a working ticket", async () => {
    const { ticket, netserverUrl } = await ticketOf(await signInAs());
    expect(await batchCall(netserverUrl, ticket, CONTRACTS["88"])).toMatchObject({ ok: true });
    const revoked = (await (await control("DELETE", "tickets")).json()) as { revoked: number };
    expect(revoked.revoked).toBeGreaterThan(0);
    expect(await (await control("GET", "tickets")).json()).toEqual({ live: 0 });
    expect(await batchCall(netserverUrl, ticket, CONTRACTS["88"])).toMatchObject(SESSION);
    const renewed = await ticketOf(await signInAs());
    expect(renewed.ticket).not.toBe(ticket);
    expect(await batchCall(renewed.netserverUrl, renewed.ticket, CONTRACTS["88"])).toMatchObject({ ok: true });
  });

  it("refuses a clock that would go backwards or an unknown field", async () => {
    expect((await advance(-1)).status).toBe(400);
    expect((await control("POST", "clock", { advanceSeconds: 1, extra: true })).status).toBe(400);
    expect(await (await control("GET", "clock")).json()).toMatchObject({ offsetSeconds: 0 });
  });
});

describe("the emulator's task control", () => {
  it("changes a task's progress and state for later answers, and restores the seed on DELETE", async () => {
    const { ticket, netserverUrl } = await ticketOf(await signInAs());
    const task102 = async () => {
      const decoded = await batchCall(netserverUrl, ticket, CONTRACTS["88"]);
      return decoded.ok ? decoded.tasks.find((task) => task.id === 102) : undefined;
    };
    expect(await task102()).toMatchObject({ progressPercent: 45, state: "Started" });
    const changed = await control("POST", "tasks/102", { progressPercent: 80, progressDescription: "Writing rows 800/1000" });
    expect(changed.status).toBe(200);
    expect(await task102()).toMatchObject({
      progressPercent: 80,
      progressDescription: "Writing rows 800/1000",
      state: "Started",
    });
    await control("POST", "tasks/102", { progressPercent: 100, state: "Succeeded" });
    expect(await task102()).toMatchObject({
      progressPercent: 100,
      progressDescription: "Writing rows 800/1000",
      state: "Succeeded",
    });
    await control("DELETE", "tasks");
    expect(await task102()).toMatchObject({ progressPercent: 45, state: "Started" });
  });

  it.each([
    ["tasks/102", { progressPercent: 101 }, 400],
    ["tasks/102", { progressPercent: 5.5 }, 400],
    ["tasks/102", { state: "All" }, 400],
    ["tasks/102", { name: "renamed" }, 400],
    ["tasks/999", { progressPercent: 1 }, 404],
  ])("answers POST /__emulator/%s %j with %i", async (path, body, status) => {
    expect((await control("POST", path, body)).status).toBe(status);
  });
});
