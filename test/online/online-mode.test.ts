import { waitOnExecutionContext } from "cloudflare:test";
import { env as workerEnv } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { createApp } from "../../src/http/app.js";
import { importVaultKey, open, seal } from "../../src/upstream/online/ticket-vault.js";
import { ticketKeyOf } from "../../src/upstream/scope.js";
import exception from "../fixtures/exception.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, dispatch, fakeUpstream, send, testEnv, xmlResponse } from "../helpers.js";
import { pkcs1PrivatePem, rsaKeyValueXml, type TestKeys, testKeysOfPkcs8Pem } from "../upstream/online/key-material.js";
import { watched } from "./fake-online.js";

/**
 * The Worker in SuperOffice Online mode against the Online emulator over 127.0.0.1: real sign-in (RSA-signed system
 * user token, RS256 JWT checked against the emulator's certificate), real tickets in KV, real SOAP. This file is the
 * only user of its emulator, so moving its clock or revoking its tickets disturbs nobody else.
 */
const emulator = inject("workerOnlineEmulator");
const [tenant88, tenant85] = emulator.tenants;
if (tenant88 === undefined || tenant85 === undefined) throw new Error("global-setup provides two Online tenants");

const ENCRYPTION_KEY = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, index) => (index * 37 + 11) % 256)));
let certificate = "";
/** The emulator's partner key, which it checks signatures with, read so that it can be given in every form. */
let partner: TestKeys;

beforeAll(async () => {
  certificate = await (await fetch(`${emulator.origin}/__emulator/certificate`)).text();
  partner = await testKeysOfPkcs8Pem(emulator.partnerPrivateKeyPem);
});

afterEach(async () => {
  for (const control of ["clock", "tickets", "requests"]) {
    await fetch(`${emulator.origin}/__emulator/${control}`, { method: "DELETE" });
  }
});

function onlineEnv(overrides: Record<string, unknown> = {}) {
  return testEnv({
    SUPEROFFICE_BATCH_URL: undefined,
    SUPEROFFICE_TICKET: undefined,
    SUPEROFFICE_CONTEXT_ID: tenant88?.contextId,
    SUPEROFFICE_ENVIRONMENT: "sod",
    SUPEROFFICE_SYSTEM_USER_TOKEN: tenant88?.systemUserToken,
    SUPEROFFICE_APP_TOKEN: emulator.applicationToken,
    SUPEROFFICE_PRIVATE_KEY: emulator.partnerPrivateKeyPem,
    SUPEROFFICE_CERTIFICATE: certificate,
    SUPEROFFICE_LOGIN_URL: emulator.loginUrl,
    SUPEROFFICE_SERVICES_VERSION: "88",
    TICKET_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ...overrides,
  });
}

async function counts(): Promise<{ count: number; signIns: number }> {
  return (await (await fetch(`${emulator.origin}/__emulator/requests`)).json()) as { count: number; signIns: number };
}

const PATH = "/v1/batch-tasks?associateIds=-1,0&state=All";

/**
 * No ticket in what callers and operators saw: none of those given (each was sent to SuperOffice), and nothing in
 * a ticket's shape (`7T:`), since the emulator's are random. The rejections were logged, without one.
 */
function expectNoTicketIn(seen: string, tickets: string[] = []): void {
  expect(seen).toContain('"event":"superoffice_signed_in"');
  for (const ticket of tickets) expect(seen).not.toContain(ticket);
  expect(seen).not.toContain("7T:");
}

type Problem = { type: string; detail: string };

describe("SuperOffice Online: system-user tickets that renew themselves", () => {
  it("signs in on the first call, then reuses the ticket across requests and, through KV, across isolates", async () => {
    const env = onlineEnv();
    const first = await send(PATH, { headers: authorized(), env });
    expect(first.status).toBe(200);
    expect(await counts()).toMatchObject({ count: 1, signIns: 1 });
    const again = await send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), env, app: createApp() });
    expect(again.status).toBe(200);
    const elsewhere = await send("/v1/batch-tasks?associateIds=5&state=All", { headers: authorized(), env, app: createApp() });
    expect(elsewhere.status).toBe(200);
    expect(await counts()).toMatchObject({ count: 3, signIns: 1 });
  });

  it("keeps the ticket in KV sealed: no ticket, token or tenant in any KV key or value", async () => {
    expect((await send(PATH, { headers: authorized(), env: onlineEnv() })).status).toBe(200);
    const keys = (await workerEnv.BATCH_CACHE.list()).keys.map((key) => key.name);
    expect(keys.some((key) => key.startsWith("ticket:v1:"))).toBe(true);
    const secrets = [tenant88?.systemUserToken ?? "", emulator.applicationToken, "7T:", tenant88?.contextId ?? ""];
    for (const key of keys) {
      const value = (await workerEnv.BATCH_CACHE.get(key, "text")) ?? "";
      for (const secret of secrets) {
        expect(key).not.toContain(secret);
        if (key.startsWith("ticket:")) expect(value).not.toContain(secret);
      }
    }
  });

  it("renews a ticket before it can age out: one obtained 5 hours ago is not used again", async () => {
    const env = onlineEnv();
    expect((await send(PATH, { headers: authorized(), env })).status).toBe(200);
    const loaded = loadConfig(env);
    if (!loaded.ok || loaded.config.defaultTenant === undefined) throw new Error("the Online configuration must load");
    const kvKey = await ticketKeyOf(loaded.config.defaultTenant);
    const vault = await importVaultKey(ENCRYPTION_KEY);
    if (!vault.ok) throw new Error(vault.reason);
    const record = await open(vault.key, "default", (await workerEnv.BATCH_CACHE.get(kvKey, "text")) ?? "");
    if (record === null) throw new Error("the sealed ticket must open");
    const aged = { ...record, obtainedAt: record.obtainedAt - 5 * 3600 * 1000 };
    await workerEnv.BATCH_CACHE.put(kvKey, await seal(vault.key, "default", aged));
    expect((await send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), env, app: createApp() })).status).toBe(200);
    expect(await counts()).toMatchObject({ count: 2, signIns: 2 });
  });

  it("renews a ticket that aged out (6 idle hours on SuperOffice's clock) once, and retries the call once", async () => {
    const { send, seen } = watched();
    const env = onlineEnv();
    const app = createApp();
    expect((await send(PATH, { headers: authorized(), env, app })).status).toBe(200);
    await fetch(`${emulator.origin}/__emulator/clock`, {
      method: "POST",
      body: JSON.stringify({ advanceSeconds: 6 * 3600 + 60 }),
    });
    const renewed = await send(PATH, { headers: authorized({ "Cache-Control": "no-cache" }), env, app });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; stored");
    expect(await counts()).toMatchObject({ count: 3, signIns: 2 });
    expectNoTicketIn(seen());
  });

  it("renews once when SuperOffice revokes the ticket, and makes concurrent requests share that one renewal", async () => {
    const { send, record, seen } = watched();
    const env = onlineEnv();
    const app = createApp();
    expect((await send(PATH, { headers: authorized(), env, app })).status).toBe(200);
    await fetch(`${emulator.origin}/__emulator/tickets`, { method: "DELETE" });
    const requests = Array.from({ length: 5 }, (_, index) =>
      dispatch(`/v1/batch-tasks?associateIds=${index + 1}&state=All`, { headers: authorized(), env, app }),
    );
    for (const { response, ctx } of await Promise.all(requests)) {
      expect(response.status).toBe(200);
      await waitOnExecutionContext(ctx);
      await record(response);
    }
    expect((await counts()).signIns).toBe(2);
    expectNoTicketIn(seen());
  });

  it("retries a rejected call once, never more, and then says the credentials were rejected", async () => {
    const { send, seen } = watched();
    const env = onlineEnv();
    const app = createApp();
    expect((await send(PATH, { headers: authorized(), env, app })).status).toBe(200);
    const real = globalThis.fetch;
    const sent: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url.includes("/Login/")) return real(request);
      const ticket = /<Ticket>([^<]*)<\/Ticket>/.exec(await request.text())?.[1] ?? "";
      sent.push(ticket);
      // SuperOffice's rejection names the ticket, in its message and in its friendly text.
      const rejection = exception
        .replaceAll("Services85", "Services88")
        .replace("7T:test-ticket", ticket)
        .replace("Your session has expired.", `Your session (${ticket}) has expired.`);
      return xmlResponse(rejection);
    });
    const response = await send("/v1/batch-tasks?associateIds=9&state=All", { headers: authorized(), env, app });
    expect(response.status).toBe(502);
    expect(((await response.json()) as Problem).type).toBe("urn:superoffice-batch-edge:problem:upstream-credentials-rejected");
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toBe(sent[1]);
    vi.restoreAllMocks();
    expect((await counts()).signIns).toBe(2);
    expectNoTicketIn(seen(), sent);
  });

  it.each([
    ["a system user token SuperOffice does not know", { SUPEROFFICE_SYSTEM_USER_TOKEN: "Unknown-user-token" }],
    ["another tenant's context", { SUPEROFFICE_CONTEXT_ID: "Cust99999" }],
  ])(
    "answers a refused sign-in (%s) with upstream-authentication-failed, and tries again only after a pause",
    async (_name, overrides) => {
      const env = onlineEnv(overrides);
      const app = createApp();
      const response = await send(PATH, { headers: authorized(), env, app });
      expect(response.status).toBe(502);
      const problem = (await response.json()) as Problem;
      expect(problem.type).toBe("urn:superoffice-batch-edge:problem:upstream-authentication-failed");
      expect(JSON.stringify(problem)).not.toContain(tenant88?.systemUserToken ?? "");
      expect((await send("/v1/batch-tasks?associateIds=5&state=All", { headers: authorized(), env, app })).status).toBe(502);
      expect((await counts()).signIns).toBe(1);
    },
  );

  it("names a private key it cannot read, without showing it, and never calls SuperOffice", async () => {
    const error = vi.spyOn(console, "error");
    const env = onlineEnv({ SUPEROFFICE_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----" });
    const response = await send(PATH, { headers: authorized(), env });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed" });
    expect(text).toContain("SUPEROFFICE_PRIVATE_KEY");
    expect(text).not.toContain("bm90IGEga2V5");
    expect(error.mock.calls.flat().join("\n")).toContain("SUPEROFFICE_PRIVATE_KEY");
    expect(await counts()).toMatchObject({ count: 0, signIns: 0 });
  });

  it("refuses a token whose signature the configured certificate does not verify", async () => {
    const other = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", other.publicKey)) as ArrayBuffer);
    const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----`;
    const response = await send(PATH, { headers: authorized(), env: onlineEnv({ SUPEROFFICE_CERTIFICATE: pem }) });
    expect(response.status).toBe(502);
    expect(((await response.json()) as Problem).type).toBe("urn:superoffice-batch-edge:problem:upstream-authentication-failed");
    expect((await counts()).count).toBe(0);
  });

  it("decodes Services88 answers with the new state and fields, and keeps one JSON shape with Services85", async () => {
    const response = await send("/v1/batch-tasks?associateIds=-1,0&state=SucceededManualCleanup", {
      headers: authorized(),
      env: onlineEnv(),
    });
    expect(response.status).toBe(200);
    const { tasks } = (await response.json()) as {
      tasks: { state: string; fileName: unknown; cancellationBehaviour: unknown }[];
    };
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) expect(task.state).toBe("SucceededManualCleanup");
    const all = (await (await send(PATH, { headers: authorized(), env: onlineEnv() })).json()) as {
      tasks: Record<string, unknown>[];
    };
    expect(all.tasks.some((task) => typeof task["fileName"] === "string")).toBe(true);
    expect(all.tasks.some((task) => typeof task["cancellationBehaviour"] === "string")).toBe(true);
    const on85 = onlineEnv({
      SUPEROFFICE_CONTEXT_ID: tenant85?.contextId,
      SUPEROFFICE_SYSTEM_USER_TOKEN: tenant85?.systemUserToken,
      SUPEROFFICE_SERVICES_VERSION: "85",
    });
    const old = (await (await send(PATH, { headers: authorized(), env: on85 })).json()) as { tasks: Record<string, unknown>[] };
    expect(old.tasks.length).toBeGreaterThan(0);
    expect(Object.keys(old.tasks[0] ?? {})).toEqual(Object.keys(all.tasks[0] ?? {}));
    for (const task of old.tasks) expect([task["fileName"], task["cancellationBehaviour"]]).toEqual([null, null]);
  });

  it("refuses SucceededManualCleanup for a Services85 tenant with 400, without calling SuperOffice", async () => {
    const on85 = onlineEnv({
      SUPEROFFICE_CONTEXT_ID: tenant85?.contextId,
      SUPEROFFICE_SYSTEM_USER_TOKEN: tenant85?.systemUserToken,
      SUPEROFFICE_SERVICES_VERSION: "85",
    });
    const response = await send("/v1/batch-tasks?associateIds=5&state=SucceededManualCleanup", {
      headers: authorized(),
      env: on85,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [{ parameter: "state", detail: expect.stringContaining("Services88") }],
    });
    expect(await counts()).toMatchObject({ count: 0, signIns: 0 });
  });
});

describe("every form of the partner key signs in, end to end", () => {
  /** The forms an operator has, and what pasting them into a secret does to them. */
  const FORMS: [string, () => string][] = [
    ["PEM PKCS#8", () => emulator.partnerPrivateKeyPem],
    ["PEM PKCS#1", () => pkcs1PrivatePem(partner)],
    [".NET <RSAKeyValue> XML", () => rsaKeyValueXml(partner)],
    [
      ".NET <RSAKeyValue> XML, indented with CRLF, after an XML declaration",
      () => `<?xml version="1.0" encoding="utf-8"?>\r\n${rsaKeyValueXml(partner, { padD: true, indent: true })}`,
    ],
    ["PEM in quotes with \\n for newlines", () => `"${emulator.partnerPrivateKeyPem.trim().replaceAll("\n", "\\n")}"`],
    ["PEM after openssl's Bag Attributes", () => `Bag Attributes\n    friendlyName: partner\n${emulator.partnerPrivateKeyPem}`],
  ];

  it.each(FORMS)("SUPEROFFICE_PRIVATE_KEY as %s", async (_form, key) => {
    const response = await send(PATH, { headers: authorized(), env: onlineEnv({ SUPEROFFICE_PRIVATE_KEY: key() }) });
    expect(response.status).toBe(200);
    expect(await counts()).toMatchObject({ count: 1, signIns: 1 });
  });

  it.each(FORMS)("a TENANTS privateKey as %s", async (_form, key) => {
    const tenants = {
      [tenant85.contextId]: {
        environment: "sod",
        systemUserToken: tenant85.systemUserToken,
        privateKey: key(),
        applicationToken: emulator.applicationToken,
        certificate,
        loginUrl: emulator.loginUrl,
      },
    };
    const env = testEnv({
      SUPEROFFICE_BATCH_URL: undefined,
      SUPEROFFICE_TICKET: undefined,
      TENANTS: JSON.stringify(tenants),
      TICKET_ENCRYPTION_KEY: ENCRYPTION_KEY,
    });
    const response = await send(`/v1/tenants/${tenant85.contextId}/batch-tasks?associateIds=-1,0&state=All`, {
      headers: authorized(),
      env,
    });
    expect(response.status).toBe(200);
    expect(await counts()).toMatchObject({ count: 1, signIns: 1 });
  });
});

describe("Online mode's configuration", () => {
  it.each([
    [
      "a fixed ticket mixed with Online settings",
      { SUPEROFFICE_TICKET: "7T:secret-ticket" },
      "SUPEROFFICE_TICKET, SUPEROFFICE_CONTEXT_ID",
    ],
    ["a half-configured Online mode", { SUPEROFFICE_PRIVATE_KEY: undefined }, "SUPEROFFICE_PRIVATE_KEY is missing"],
    ["no encryption key for the ticket", { TICKET_ENCRYPTION_KEY: undefined }, "TICKET_ENCRYPTION_KEY is missing"],
    [
      "an encryption key of the wrong size",
      { TICKET_ENCRYPTION_KEY: btoa("short-secret") },
      "TICKET_ENCRYPTION_KEY must be the base64 of 32",
    ],
    [
      "an unknown environment",
      { SUPEROFFICE_ENVIRONMENT: "prod-secret" },
      "SUPEROFFICE_ENVIRONMENT must be one of sod, stage, online",
    ],
    [
      "a login URL over http",
      { SUPEROFFICE_LOGIN_URL: "http://login.example/secret/" },
      "SUPEROFFICE_LOGIN_URL must be an https URL",
    ],
  ])("is a configuration-error naming the settings, not their values: %s", async (_name, overrides, expected) => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await send(PATH, { headers: authorized(), env: onlineEnv(overrides) });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain(expected);
    for (const secret of ["secret", tenant88?.systemUserToken ?? "", emulator.applicationToken])
      expect(text).not.toContain(secret);
    expect(calls).toHaveLength(0);
  });
});
