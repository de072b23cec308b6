import * as v from "valibot";
import { isXmlText } from "../../soap/xml-escape.js";
import { utf8 } from "../../utf8.js";
import { decodeBase64Url, fromUtf8 } from "./encoding.js";
import { RSA_SHA256 } from "./keys.js";
import { checkNetserverUrl } from "./netserver-url.js";

/** The claims of SuperOffice's system user JWT that this Worker reads. */
export const CLAIMS = {
  ticket: "http://schemes.superoffice.net/identity/ticket",
  netserverUrl: "http://schemes.superoffice.net/identity/netserver_url",
  contextId: "http://schemes.superoffice.net/identity/ctx",
} as const;

/** How far apart SuperOffice's clock and ours may be when `exp` and `nbf` are checked. */
export const CLOCK_SKEW_SECONDS = 120;

/** The longest ticket accepted: real ones are about 60 characters; this bounds what goes into every SOAP header. */
const MAX_TICKET_LENGTH = 2048;

export type JwtOptions = {
  /** SuperOffice's public key: when given, the token must be RS256 and its signature must verify. */
  verificationKey?: CryptoKey | undefined;
  /** The tenant signed in for: when the token names a tenant (`ctx`), it must be this one (in any case). */
  contextId?: string | undefined;
  /** Milliseconds since the epoch. */
  now: number;
};

/** What a system user sign-in gives: the ticket, the tenant's SOAP base, and the JWT's own `exp` (ms). */
export type SystemUserJwt = { ticket: string; netserverUrl: string; expiresAt: number };

export type JwtResult = ({ ok: true } & SystemUserJwt) | { ok: false; reason: string };

const HeaderSchema = v.looseObject({ alg: v.string() });

/** A NumericDate (seconds); also as digits in a string, since SuperOffice writes some times (`iat`) that way. */
const NumericDateSchema = v.union([v.pipe(v.number(), v.finite()), v.pipe(v.string(), v.regex(/^\d{1,12}$/), v.toNumber())]);

const PayloadSchema = v.looseObject({
  [CLAIMS.ticket]: v.optional(
    v.pipe(
      v.string(),
      v.nonEmpty(),
      v.maxLength(MAX_TICKET_LENGTH),
      v.check((ticket) => ticket.trim() === ticket && isXmlText(ticket)),
    ),
  ),
  [CLAIMS.netserverUrl]: v.optional(v.string()),
  [CLAIMS.contextId]: v.optional(v.string()),
  exp: v.optional(NumericDateSchema),
  nbf: v.optional(NumericDateSchema),
});

function fail(reason: string): JwtResult {
  return { ok: false, reason };
}

function decodeJson(segment: string): unknown {
  const bytes = decodeBase64Url(segment);
  const text = bytes === null ? null : fromUtf8(bytes);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function signatureVerifies(key: CryptoKey, signingInput: string, signature: string): Promise<boolean> {
  const bytes = decodeBase64Url(signature);
  if (bytes === null || bytes.length === 0) return false;
  try {
    return await crypto.subtle.verify(RSA_SHA256, key, bytes, utf8(signingInput));
  } catch {
    return false;
  }
}

/**
 * Reads the JWT that SuperOffice's PartnerSystemUser service returns: decodes it, verifies its RS256 signature when
 * a verification key is given (`alg: none` is refused in every case), checks `exp` (required: a token that never
 * expires is not what SuperOffice issues, and could be replayed forever) and `nbf` (when present) against `now` with
 * {@link CLOCK_SKEW_SECONDS} of tolerance, and returns the ticket and the checked `netserver_url`. Every failure is a
 * `reason` that never quotes the token or a claim's value.
 */
export async function readSystemUserJwt(token: string, options: JwtOptions): Promise<JwtResult> {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return fail("the token is not a JWT (three dot-separated parts)");
  const [headerPart = "", payloadPart = "", signaturePart = ""] = parts;
  const header = v.safeParse(HeaderSchema, decodeJson(headerPart));
  if (!header.success) return fail("the token's header is not a JWT header");
  const alg = header.output.alg;
  if (alg.toLowerCase() === "none" || alg === "") return fail("the token is not signed (alg none)");
  if (options.verificationKey !== undefined) {
    if (alg !== "RS256") return fail("the token is not signed with RS256");
    if (!(await signatureVerifies(options.verificationKey, `${headerPart}.${payloadPart}`, signaturePart))) {
      return fail("the token's signature does not verify with the configured certificate");
    }
  }
  const payload = v.safeParse(PayloadSchema, decodeJson(payloadPart));
  if (!payload.success) return fail("the token's claims are not valid (ticket, netserver_url, ctx, exp or nbf)");
  const claims = payload.output;
  const nowSeconds = options.now / 1000;
  if (claims.exp === undefined) return fail("the token has no exp claim (it must say when it expires)");
  if (nowSeconds > claims.exp + CLOCK_SKEW_SECONDS) return fail("the token has expired");
  if (claims.nbf !== undefined && nowSeconds + CLOCK_SKEW_SECONDS < claims.nbf) return fail("the token is not valid yet");
  const contextId = claims[CLAIMS.contextId];
  if (options.contextId !== undefined && contextId !== undefined && contextId.toLowerCase() !== options.contextId.toLowerCase()) {
    return fail("the token is for another tenant");
  }
  const ticket = claims[CLAIMS.ticket];
  if (ticket === undefined) return fail("the token has no ticket claim");
  const netserverUrl = claims[CLAIMS.netserverUrl];
  if (netserverUrl === undefined) return fail("the token has no netserver_url claim");
  const checked = checkNetserverUrl(netserverUrl);
  if (!checked.ok) return fail(checked.reason);
  return { ok: true, ticket, netserverUrl: checked.url, expiresAt: claims.exp * 1000 };
}
