import { beforeAll, describe, expect, it } from "vitest";
import { CONTRACTS } from "../../../src/soap/namespaces.js";
import { encodeBase64Url } from "../../../src/upstream/online/encoding.js";
import { CLAIMS, type JwtResult, readSystemUserJwt } from "../../../src/upstream/online/jwt.js";
import { batchServiceUrl, checkNetserverUrl } from "../../../src/upstream/online/netserver-url.js";
import { generateTestKeys, makeJwt, type TestKeys } from "./key-material.js";

const NOW = Date.UTC(2026, 10, 28, 17, 33, 0);
const NOW_SECONDS = NOW / 1000;
const TICKET = "7T:dGhpcyBpcyBhIHRpY2tldA==";
const BASE = "https://sod.superoffice.com/Cust12345/Remote/Services88/";

let superOffice: TestKeys;
let impostor: TestKeys;

beforeAll(async () => {
  [superOffice, impostor] = await Promise.all([generateTestKeys(), generateTestKeys()]);
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [CLAIMS.ticket]: TICKET,
    [CLAIMS.netserverUrl]: BASE,
    [CLAIMS.contextId]: "Cust12345",
    iss: "SuperOffice AS",
    aud: "spn:1248736522",
    iat: String(NOW_SECONDS - 1),
    nbf: NOW_SECONDS - 61,
    exp: NOW_SECONDS + 299,
    ...overrides,
  };
}

const read = (token: string, key: CryptoKey | undefined = superOffice.publicKey, now = NOW) =>
  readSystemUserJwt(token, { verificationKey: key, contextId: "Cust12345", now });

/** A refusal with this reason that quotes neither the token nor the ticket. */
function expectRefused(result: JwtResult, reason: string | RegExp, token: string): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toMatch(reason);
  expect(result.reason).not.toContain(TICKET);
  for (const part of token.split(".")) if (part.length > 8) expect(result.reason).not.toContain(part.slice(0, 16));
}

describe("readSystemUserJwt", () => {
  it("returns the ticket, the checked netserver_url and exp in milliseconds for a token SuperOffice signed", async () => {
    expect(await read(await makeJwt(claims(), superOffice.privateKey))).toEqual({
      ok: true,
      ticket: TICKET,
      netserverUrl: BASE,
      expiresAt: (NOW_SECONDS + 299) * 1000,
    });
  });

  it("reads an unverified token when no certificate is configured", async () => {
    const token = await makeJwt(claims(), impostor.privateKey);
    expect(await readSystemUserJwt(token, { now: NOW })).toMatchObject({ ok: true, ticket: TICKET });
  });

  it("refuses a token without exp, verified or not: it would never expire", async () => {
    const verified = await makeJwt(claims({ exp: undefined }), superOffice.privateKey);
    expectRefused(await read(verified), "the token has no exp claim (it must say when it expires)", verified);
    const unverified = await makeJwt(claims({ exp: undefined }), impostor.privateKey);
    expectRefused(await readSystemUserJwt(unverified, { now: NOW }), /has no exp claim/, unverified);
  });

  it("refuses a token signed with another key, or whose claims were changed after signing", async () => {
    const forged = await makeJwt(claims(), impostor.privateKey);
    expectRefused(await read(forged), "the token's signature does not verify with the configured certificate", forged);
    const [header, , signature] = (await makeJwt(claims(), superOffice.privateKey)).split(".");
    const payload = encodeBase64Url(new TextEncoder().encode(JSON.stringify(claims({ [CLAIMS.ticket]: "7T:mine" }))));
    const tampered = `${header}.${payload}.${signature}`;
    expectRefused(await read(tampered), /signature does not verify/, tampered);
  });

  it("never accepts alg none, with or without a certificate, and wants RS256 when verifying", async () => {
    const encode = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
    for (const alg of ["none", "None", "NONE"]) {
      const unsigned = `${encode({ alg, typ: "JWT" })}.${encode(claims())}.`;
      expectRefused(await read(unsigned), "the token is not signed (alg none)", unsigned);
      expectRefused(await readSystemUserJwt(unsigned, { now: NOW }), "the token is not signed (alg none)", unsigned);
    }
    const hs256 = await makeJwt(claims(), superOffice.privateKey, { alg: "HS256", typ: "JWT" });
    expectRefused(await read(hs256), "the token is not signed with RS256", hs256);
  });

  it("refuses an expired token and one not valid yet, allowing 120 s of clock skew", async () => {
    const expired = await makeJwt(claims({ exp: NOW_SECONDS - 121 }), superOffice.privateKey);
    expectRefused(await read(expired), "the token has expired", expired);
    expect(await read(await makeJwt(claims({ exp: NOW_SECONDS - 119 }), superOffice.privateKey))).toMatchObject({ ok: true });
    const early = await makeJwt(claims({ nbf: NOW_SECONDS + 121 }), superOffice.privateKey);
    expectRefused(await read(early), "the token is not valid yet", early);
    expect(await read(await makeJwt(claims({ nbf: NOW_SECONDS + 119 }), superOffice.privateKey))).toMatchObject({ ok: true });
    expect(await read(await makeJwt(claims({ exp: String(NOW_SECONDS + 60) }), superOffice.privateKey))).toMatchObject({
      ok: true,
      expiresAt: (NOW_SECONDS + 60) * 1000,
    });
  });

  it.each([
    ["no ticket claim", { [CLAIMS.ticket]: undefined }, "the token has no ticket claim"],
    ["an empty ticket", { [CLAIMS.ticket]: "" }, /claims are not valid/],
    ["a ticket XML cannot carry", { [CLAIMS.ticket]: "7T:\u0001" }, /claims are not valid/],
    ["a ticket that is not a string", { [CLAIMS.ticket]: 42 }, /claims are not valid/],
    ["no netserver_url claim", { [CLAIMS.netserverUrl]: undefined }, "the token has no netserver_url claim"],
    [
      "a plain-http netserver_url",
      { [CLAIMS.netserverUrl]: "http://sod.superoffice.com/Cust12345/Remote/Services88/" },
      /not an https URL/,
    ],
    [
      "credentials in netserver_url",
      { [CLAIMS.netserverUrl]: "https://u:p@sod.superoffice.com/Cust1/Remote/Services88/" },
      /not an https URL/,
    ],
    ["a netserver_url that is no URL", { [CLAIMS.netserverUrl]: "sod.superoffice.com/Cust12345" }, /is not a URL/],
    ["a netserver_url without /Remote/", { [CLAIMS.netserverUrl]: "https://sod.superoffice.com/Cust12345/api/" }, /Remote/],
    ["another tenant's ctx", { [CLAIMS.contextId]: "Cust99999" }, "the token is for another tenant"],
    ["an exp that is not a date", { exp: "tomorrow" }, /claims are not valid/],
  ])("refuses a token with %s", async (_name, overrides, reason) => {
    const token = await makeJwt(claims(overrides), superOffice.privateKey);
    expectRefused(await read(token), reason, token);
  });

  it("accepts http netserver_url on a loopback host (the emulator) and ctx in another case", async () => {
    for (const base of [
      "http://127.0.0.1:8790/Cust12345/Remote/Services88/",
      "http://localhost/x/Remote/",
      "http://[::1]:1/Remote/Services85",
    ]) {
      const token = await makeJwt(
        claims({ [CLAIMS.netserverUrl]: base, [CLAIMS.contextId]: "cust12345" }),
        superOffice.privateKey,
      );
      expect(await read(token)).toMatchObject({ ok: true, netserverUrl: new URL(base).href });
    }
  });

  it.each([
    ["", "the token is not a JWT (three dot-separated parts)"],
    ["a.b", "the token is not a JWT (three dot-separated parts)"],
    ["a.b.c.d", "the token is not a JWT (three dot-separated parts)"],
    ["!!!.e30.", "the token's header is not a JWT header"],
    [`${encodeBase64Url(new TextEncoder().encode("[1]"))}.e30.`, "the token's header is not a JWT header"],
  ])("refuses %j as not a JWT", async (token, reason) => {
    expectRefused(await read(token), reason, token);
  });

  it("refuses a payload that is not JSON", async () => {
    const header = encodeBase64Url(new TextEncoder().encode(JSON.stringify({ alg: "RS256" })));
    const token = `${header}.${encodeBase64Url(new TextEncoder().encode("not json"))}.sig`;
    expectRefused(await readSystemUserJwt(token, { now: NOW }), /claims are not valid/, token);
  });
});

describe("netserver_url to Batch.svc", () => {
  it.each([
    [BASE, "85", "https://sod.superoffice.com/Cust12345/Remote/Services85/Batch.svc"],
    [BASE, "88", "https://sod.superoffice.com/Cust12345/Remote/Services88/Batch.svc"],
    [
      "https://sod.superoffice.com/Cust12345/Remote/Services86",
      "88",
      "https://sod.superoffice.com/Cust12345/Remote/Services88/Batch.svc",
    ],
    ["http://127.0.0.1:8790/Cust12345/remote", "85", "http://127.0.0.1:8790/Cust12345/remote/Services85/Batch.svc"],
  ] as const)("builds the %s service URL of Services%s", (base, version, expected) => {
    const checked = checkNetserverUrl(base);
    if (!checked.ok) throw new Error(checked.reason);
    expect(batchServiceUrl(checked.url, CONTRACTS[version])).toBe(expected);
  });

  it("refuses a query or fragment in the base", () => {
    expect(checkNetserverUrl(`${BASE}?x=1`)).toMatchObject({ ok: false });
    expect(checkNetserverUrl(`${BASE}#x`)).toMatchObject({ ok: false });
  });
});
