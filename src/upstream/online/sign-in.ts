import * as v from "valibot";
import { logText } from "../messages.js";
import { type JwtResult, readSystemUserJwt, type SystemUserJwt } from "./jwt.js";
import { signSystemToken } from "./system-token.js";

/** What a system user needs to sign in to one SuperOffice Online tenant. */
export type SignInCredentials = {
  /** The tenant, `Cust12345`. */
  contextId: string;
  systemUserToken: string;
  /** The partner application's client secret. */
  applicationToken: string;
  /** The partner application's RSA private key (`importSigningKey`). */
  signingKey: CryptoKey;
  /** SuperOffice's public key (`importVerificationKey`); without it the JWT's signature is not checked. */
  verificationKey?: CryptoKey | undefined;
  /** SuperOffice's login URL, ending in `/`, e.g. `https://sod.superoffice.com/Login/`. */
  loginUrl: string;
};

export type SignInOptions = {
  /** Milliseconds since the epoch: signs the timestamp and checks the JWT's `exp`/`nbf`. */
  now: () => number;
  /** Budget for the whole exchange, connect to last byte. */
  timeoutMs: number;
};

/**
 * A ticket and the tenant's SOAP base, or why there is none: `detail` is for the log (the HTTP status and
 * SuperOffice's message, every piece of a secret hidden); callers are only ever told that signing in failed.
 * `expiresAt` is the JWT's `exp` in milliseconds, not the ticket's lifetime: SuperOffice documents a ticket as valid
 * for 6 hours, sliding, however soon its JWT expires.
 */
export type SignInResult =
  | ({ ok: true } & SystemUserJwt)
  | {
      ok: false;
      detail: string;
      /** SuperOffice itself said no to these credentials (not a network or format problem). */
      refused: boolean;
    };

/** The PartnerSystemUser REST endpoint, relative to the login URL. */
export const AUTHENTICATE_PATH = "api/PartnerSystemUser/Authenticate";

/** The largest answer read: SuperOffice's is about 2 KB; more is not a sign-in answer. */
export const MAX_ANSWER_BYTES = 64 * 1024;

const MAX_LOGGED_MESSAGE = 500;

/** The answer of `PartnerSystemUser/Authenticate`; a missing `ErrorMessage` or `Token` counts as null. */
const AnswerSchema = v.looseObject({
  IsSuccessful: v.boolean(),
  ErrorMessage: v.nullish(v.string(), null),
  Token: v.nullish(v.string(), null),
});

/** What an error answer may say: ours (`ErrorMessage`), or ASP.NET Web API's own (`Message`). */
const ErrorAnswerSchema = v.looseObject({ ErrorMessage: v.optional(v.string()), Message: v.optional(v.string()) });

type Failure = Extract<SignInResult, { ok: false }>;

function failure(detail: string, refused = false): Failure {
  return { ok: false, detail, refused };
}

/**
 * A server message fit for a log line: runs of white space collapsed, cut, and every run of 8 characters of a secret
 * hidden in any case or URL encoding (SuperOffice may echo what it was sent, in pieces), control characters replaced.
 */
function forLog(text: string, secrets: readonly string[]): string {
  return logText(text.replace(/\s+/g, " ").trim(), secrets, MAX_LOGGED_MESSAGE);
}

type Body = { ok: true; text: string } | { ok: false; tooLarge: true };

/** Reads at most `MAX_ANSWER_BYTES`, refusing (and cancelling) a longer answer. Throws when the transfer fails. */
async function readBounded(response: Response): Promise<Body> {
  const declared = Number(response.headers.get("Content-Length") ?? "0");
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    return { ok: false, tooLarge: true };
  }
  if (response.body === null) return { ok: true, text: "" };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    total += chunk.value.byteLength;
    if (total > MAX_ANSWER_BYTES) {
      await reader.cancel();
      return { ok: false, tooLarge: true };
    }
    chunks.push(chunk.value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, text: new TextDecoder().decode(bytes) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function transportFailure(signal: AbortSignal, timeoutMs: number, during: string, error: unknown, secrets: readonly string[]) {
  if (signal.aborted) return failure(`SuperOffice's login service did not answer within ${timeoutMs} ms`);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
  return failure(`SuperOffice's login service could not be reached (${during} failed: ${forLog(message, secrets)})`);
}

function refusal(message: string | null, secrets: readonly string[]): Failure {
  return failure(
    message === null
      ? "SuperOffice refused the sign-in (IsSuccessful false, no ErrorMessage)"
      : `SuperOffice refused the sign-in (IsSuccessful false): ${forLog(message, secrets)}`,
    true,
  );
}

function tokenFailure(result: Extract<JwtResult, { ok: false }>): Failure {
  return failure(`SuperOffice's sign-in token was refused: ${result.reason}`);
}

/**
 * Exchanges the system user token for a ticket: signs `<token>.<yyyyMMddHHmm>`, POSTs it with the application token
 * and the context identifier to `<loginUrl>api/PartnerSystemUser/Authenticate` (JSON, within `timeoutMs`, redirects
 * not followed, at most 64 KiB read), then reads and checks the returned JWT. Never throws: every failure (network,
 * timeout, HTTP status, body, refusal, token) is an `ok: false` result.
 */
export async function signIn(credentials: SignInCredentials, options: SignInOptions): Promise<SignInResult> {
  const { contextId, systemUserToken, applicationToken, signingKey, verificationKey, loginUrl } = credentials;
  let signedSystemToken: string;
  try {
    signedSystemToken = await signSystemToken(systemUserToken, signingKey, options.now());
  } catch {
    return failure("the system user token could not be signed with the configured private key");
  }
  const secrets = [
    signedSystemToken,
    signedSystemToken.slice(signedSystemToken.lastIndexOf(".") + 1),
    systemUserToken,
    applicationToken,
  ];
  let url: URL;
  try {
    url = new URL(AUTHENTICATE_PATH, loginUrl);
  } catch {
    return failure("the login URL is not a URL");
  }
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8", Accept: "application/json" },
      body: JSON.stringify({
        SignedSystemToken: signedSystemToken,
        ApplicationToken: applicationToken,
        ContextIdentifier: contextId,
        ReturnTokenType: "JWT",
      }),
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return transportFailure(signal, options.timeoutMs, "the request", error, secrets);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    return failure(`SuperOffice's login service answered HTTP ${response.status} (a redirect, not followed)`);
  }
  let body: Body;
  try {
    body = await readBounded(response);
  } catch (error) {
    return transportFailure(signal, options.timeoutMs, "reading the answer", error, secrets);
  }
  if (!body.ok) return failure(`SuperOffice's login service sent an answer larger than ${MAX_ANSWER_BYTES / 1024} KiB`);
  const json = parseJson(body.text);
  if (response.status < 200 || response.status > 299) {
    const error = v.safeParse(ErrorAnswerSchema, json);
    const message = error.success ? (error.output.ErrorMessage ?? error.output.Message) : undefined;
    const said = message === undefined ? "" : `: ${forLog(message, secrets)}`;
    return failure(
      `SuperOffice's login service answered HTTP ${response.status}${said}`,
      response.status === 401 || response.status === 403,
    );
  }
  if (json === undefined) return failure("SuperOffice's login service did not answer with JSON");
  const answer = v.safeParse(AnswerSchema, json);
  if (!answer.success) return failure("SuperOffice's login service answered JSON of an unexpected shape");
  const { IsSuccessful, ErrorMessage, Token } = answer.output;
  if (!IsSuccessful) return refusal(ErrorMessage, secrets);
  if (Token === null || Token === "") return failure("SuperOffice reported a successful sign-in but sent no token");
  const jwt = await readSystemUserJwt(Token, { verificationKey, contextId, now: options.now() });
  if (!jwt.ok) return tokenFailure(jwt);
  return jwt;
}
