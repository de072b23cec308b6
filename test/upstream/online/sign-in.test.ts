import { beforeAll, describe, expect, it, vi } from "vitest";
import { decodeBase64 } from "../../../src/upstream/online/encoding.js";
import { CLAIMS } from "../../../src/upstream/online/jwt.js";
import { type SignInCredentials, type SignInResult, signIn } from "../../../src/upstream/online/sign-in.js";
import { generateTestKeys, makeJwt, type TestKeys } from "./key-material.js";

const NOW = Date.UTC(2026, 10, 28, 17, 33, 42);
const TICKET = "7T:aXNzdWVkLXRpY2tldC0xMjM0NTY3ODk=";
const SYSTEM_USER_TOKEN = "Batch Edge-pzqc70604i";
const APP_TOKEN = "client-secret-4f1e2d";
const BASE = "https://sod.superoffice.com/Cust12345/Remote/Services88/";

let partner: TestKeys;
let superOffice: TestKeys;
let impostor: TestKeys;

beforeAll(async () => {
  [partner, superOffice, impostor] = await Promise.all([generateTestKeys(), generateTestKeys(), generateTestKeys()]);
});

function credentials(overrides: Partial<SignInCredentials> = {}): SignInCredentials {
  return {
    contextId: "Cust12345",
    systemUserToken: SYSTEM_USER_TOKEN,
    applicationToken: APP_TOKEN,
    signingKey: partner.privateKey,
    verificationKey: superOffice.publicKey,
    loginUrl: "https://sod.superoffice.com/Login/",
    ...overrides,
  };
}

const OPTIONS = { now: () => NOW, timeoutMs: 2000 };

type Seen = { url: string; method: string; redirect: string; headers: Headers; body: string };

/** Replaces fetch with a fake login service; each Response is made inside the callback, as workerd requires. */
function fakeLogin(answer: (request: Request) => Response | Promise<Response>): Seen[] {
  const seen: Seen[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    seen.push({
      url: request.url,
      method: request.method,
      redirect: request.redirect,
      headers: request.headers,
      body: await request.clone().text(),
    });
    return answer(request);
  });
  return seen;
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

async function goodToken(overrides: Record<string, unknown> = {}, key: CryptoKey = superOffice.privateKey): Promise<string> {
  const iat = Math.floor(NOW / 1000);
  return makeJwt(
    {
      [CLAIMS.ticket]: TICKET,
      [CLAIMS.netserverUrl]: BASE,
      [CLAIMS.contextId]: "Cust12345",
      iat,
      nbf: iat - 60,
      exp: iat + 300,
      ...overrides,
    },
    key,
  );
}

/** A failure whose text (for the log) carries no piece of the secrets of the exchange, nor the key or login host. */
function expectFailure(result: SignInResult, detail: string | RegExp): void {
  if (result.ok) throw new Error("expected a failure");
  expect(result.detail).toMatch(detail);
  const text = result.detail.toLowerCase();
  for (const secret of [SYSTEM_USER_TOKEN, APP_TOKEN, TICKET]) {
    for (let at = 0; at + 8 <= secret.length; at++) expect(text).not.toContain(secret.slice(at, at + 8).toLowerCase());
  }
  for (const marker of ["-----BEGIN", "sod.superoffice.com"]) expect(result.detail).not.toContain(marker);
}

describe("signIn", () => {
  it("POSTs the signed system token as JSON, without following redirects, and returns the JWT's ticket and SOAP base", async () => {
    const token = await goodToken();
    const seen = fakeLogin(() => json({ IsSuccessful: true, ErrorMessage: null, Token: token }));
    expect(await signIn(credentials(), OPTIONS)).toEqual({
      ok: true,
      ticket: TICKET,
      netserverUrl: BASE,
      expiresAt: (Math.floor(NOW / 1000) + 300) * 1000,
    });
    expect(seen).toHaveLength(1);
    const [call] = seen;
    if (call === undefined) return;
    expect(call.url).toBe("https://sod.superoffice.com/Login/api/PartnerSystemUser/Authenticate");
    expect(call.method).toBe("POST");
    expect(call.redirect).toBe("manual");
    expect(call.headers.get("Accept")).toBe("application/json");
    expect(call.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = JSON.parse(call.body) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["ApplicationToken", "ContextIdentifier", "ReturnTokenType", "SignedSystemToken"]);
    expect(body).toMatchObject({ ApplicationToken: APP_TOKEN, ContextIdentifier: "Cust12345", ReturnTokenType: "JWT" });
    const prefix = `${SYSTEM_USER_TOKEN}.202611281733.`;
    expect(body.SignedSystemToken?.startsWith(prefix)).toBe(true);
    const signature = decodeBase64(body.SignedSystemToken?.slice(prefix.length) ?? "") ?? new Uint8Array();
    const data = new TextEncoder().encode(prefix.slice(0, -1));
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", partner.publicKey, signature, data)).toBe(true);
  });

  it("says, for the log, that SuperOffice refused, with its message", async () => {
    fakeLogin(() => json({ IsSuccessful: false, ErrorMessage: "Authorization error: InvalidSignature (7)", Token: null }));
    const result = await signIn(credentials(), OPTIONS);
    expectFailure(result, "SuperOffice refused the sign-in (IsSuccessful false): Authorization error: InvalidSignature (7)");
    expect(result).toMatchObject({ refused: true });
  });

  it("hides every piece of an echoed secret in the text for the log, in any case, and cuts a long message", async () => {
    const messages = [
      "See https://status.superoffice.com for details",
      "<html><body>Denied</body></html>",
      "Ticket 7T:aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ= is not valid",
      `Unknown system user token ${SYSTEM_USER_TOKEN}`,
      `Application token ${APP_TOKEN} is not valid`,
      `Unknown user ${SYSTEM_USER_TOKEN.slice(1).toUpperCase()} for application ${APP_TOKEN.slice(0, -1).toLowerCase()}`,
    ];
    for (const ErrorMessage of messages) {
      fakeLogin(() => json({ IsSuccessful: false, ErrorMessage, Token: null }));
      const result = await signIn(credentials(), OPTIONS);
      expectFailure(result, /^SuperOffice refused the sign-in \(IsSuccessful false\): /);
      vi.restoreAllMocks();
    }
    fakeLogin(() => json({ IsSuccessful: false, ErrorMessage: `Denied ${"because ".repeat(100)}`, Token: null }));
    const long = await signIn(credentials(), OPTIONS);
    if (long.ok) throw new Error("expected a failure");
    expect(long.detail.length).toBeLessThan(600);
  });

  it("hides the signed token when it is echoed back in the error, whole or in pieces", async () => {
    fakeLogin(async (request) => {
      const { SignedSystemToken } = (await request.json()) as { SignedSystemToken: string };
      return json({ IsSuccessful: false, ErrorMessage: `Bad token: ${SignedSystemToken}`, Token: null });
    });
    const result = await signIn(credentials(), OPTIONS);
    expectFailure(result, /Bad token: \[redacted\]$/);
  });

  it.each([
    [
      "HTTP 500 with an error message",
      () => json({ Message: "An error has occurred.", ErrorMessage: "db down" }, 500),
      /HTTP 500: db down$/,
    ],
    [
      "an HTML page with HTTP 200",
      () => new Response("<!DOCTYPE html><html>Sign in</html>", { headers: { "Content-Type": "text/html" } }),
      /did not answer with JSON/,
    ],
    [
      "an HTML error page with HTTP 503",
      () => new Response("<html>Service Unavailable</html>", { status: 503, headers: { "Content-Type": "text/html" } }),
      /answered HTTP 503$/,
    ],
    ["JSON of another shape", () => json({ ok: true, token: "x" }), /unexpected shape/],
    ["success without a token", () => json({ IsSuccessful: true, ErrorMessage: null, Token: null }), /sent no token/],
    [
      "a redirect",
      () => new Response(null, { status: 302, headers: { Location: "https://elsewhere.example/" } }),
      /HTTP 302 \(a redirect, not followed\)/,
    ],
  ])("fails cleanly on %s", async (_name, answer, detail) => {
    fakeLogin(answer);
    expectFailure(await signIn(credentials(), OPTIONS), detail);
  });

  it("refuses an answer over 64 KiB, declared or streamed, without reading it all", async () => {
    fakeLogin(
      () => new Response("x".repeat(70_000), { headers: { "Content-Type": "application/json", "Content-Length": "70000" } }),
    );
    expectFailure(await signIn(credentials(), OPTIONS), /larger than 64 KiB/);
    vi.restoreAllMocks();
    let pulled = 0;
    fakeLogin(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              pulled += 1;
              controller.enqueue(new TextEncoder().encode(" ".repeat(16 * 1024)));
            },
          }),
          { headers: { "Content-Type": "application/json" } },
        ),
    );
    expectFailure(await signIn(credentials(), OPTIONS), /larger than 64 KiB/);
    expect(pulled).toBeLessThan(10);
  });

  it("gives up after timeoutMs and says so", async () => {
    fakeLogin(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener("abort", () => reject(request.signal.reason));
        }),
    );
    expectFailure(
      await signIn(credentials(), { now: () => NOW, timeoutMs: 25 }),
      "SuperOffice's login service did not answer within 25 ms",
    );
  });

  it("says the service could not be reached when the connection fails", async () => {
    fakeLogin(() => {
      throw new TypeError("Network connection lost.");
    });
    expectFailure(
      await signIn(credentials(), OPTIONS),
      "SuperOffice's login service could not be reached (the request failed: TypeError: Network connection lost.)",
    );
  });

  it.each([
    ["signed by another key", () => goodToken({}, impostor.privateKey), /signature does not verify/],
    ["expired", () => goodToken({ exp: Math.floor(NOW / 1000) - 600 }), /has expired/],
    ["without a ticket", () => goodToken({ [CLAIMS.ticket]: undefined }), /no ticket claim/],
    [
      "pointing at plain http",
      () => goodToken({ [CLAIMS.netserverUrl]: "http://sod.superoffice.com/Cust12345/Remote/" }),
      /not an https URL/,
    ],
    ["for another tenant", () => goodToken({ [CLAIMS.contextId]: "Cust67890" }), /another tenant/],
  ])("refuses a token %s", async (_name, token, reason) => {
    const jwt = await token();
    fakeLogin(() => json({ IsSuccessful: true, ErrorMessage: null, Token: jwt }));
    const result = await signIn(credentials(), OPTIONS);
    expectFailure(result, reason);
    if (!result.ok) expect(result.detail).toMatch(/^SuperOffice's sign-in token was refused: /);
  });

  it("fails without calling SuperOffice when the key cannot sign", async () => {
    const seen = fakeLogin(() => json({}));
    expectFailure(await signIn(credentials({ signingKey: superOffice.publicKey }), OPTIONS), /could not be signed/);
    expect(seen).toHaveLength(0);
  });
});
