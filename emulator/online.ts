import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import * as v from "valibot";
import type { ServicesVersion } from "../src/soap/namespaces.js";
import { buildCertificate, toPem } from "./certificate.js";
import { SERIAL } from "./seed.js";

/**
 * SuperOffice Online's server-to-server sign-in, as the emulator plays it: `POST <login>/api/PartnerSystemUser/
 * Authenticate` exchanges a signed system user token for a JWT carrying a fresh ticket and the tenant's SOAP base.
 */

/** One SuperOffice Online tenant the emulator signs system users in to. */
export interface OnlineOptions {
  /** The tenant (`Cust12345`): checked against `ContextIdentifier`, and the path segment its tickets work under. */
  readonly contextId: string;
  /** The partner application's client secret, checked against `ApplicationToken` (and sent to Batch.svc). */
  readonly applicationToken: string;
  /** The partner application's public key (PEM SPKI, PKCS#1 or certificate) that verifies `SignedSystemToken`. */
  readonly partnerPublicKeyPem: string;
  /** The system user token the tenant issued to the application; undefined = any token is accepted. */
  readonly systemUserToken?: string | undefined;
  /** The contract named in the `netserver_url` claim; SuperOffice hands out its newest, so `88` by default. */
  readonly servicesVersion?: ServicesVersion | undefined;
}

/** How far the signed timestamp may be from the emulator's clock. */
export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

/**
 * The JWT's lifetime: SuperOffice does not document the system user JWT's; its documented id_token example has
 * `nbf` = `iat` − 60 s and `exp` = `iat` + 300 s, and the emulator does the same. The ticket lives on (6 hours idle).
 */
export const JWT_NOT_BEFORE_SECONDS = 60;
export const JWT_LIFETIME_SECONDS = 300;

/** Claim names of SuperOffice's identity tokens. */
const CLAIM = "http://schemes.superoffice.net/identity/";

/**
 * `ErrorMessage`s of refused sign-ins (HTTP 200, `IsSuccessful: false`, as SuperOffice answers). The
 * `Authorization error: Name (code)` ones follow SuperOffice's documented application authorization error codes
 * (Denied 4, InvalidTimestamp 6, InvalidSignature 7); SuperOffice's exact wording of this service's messages is
 * not documented.
 */
export const SIGN_IN_ERRORS = {
  incomplete: "SignedSystemToken, ApplicationToken and ContextIdentifier are required",
  tokenType: "ReturnTokenType must be JWT: the emulator issues no SAML tokens",
  unknownTenant: "Unknown context identifier",
  denied: "Authorization error: Denied (4)",
  unknownSystemUser: "Unknown system user token",
  timestamp: "Authorization error: InvalidTimestamp (6)",
  signature: "Authorization error: InvalidSignature (7)",
} as const;

/** The emulator's own "SuperOffice" key: it signs JWTs, and its certificate is what a Worker verifies them with. */
export interface SuperOfficeIdentity {
  readonly privateKey: KeyObject;
  /** DER of a self-signed certificate of the public key. */
  readonly certificate: Uint8Array;
  /** `x5t`: base64url SHA-1 of the certificate, as JWT headers name the signing certificate. */
  readonly thumbprint: string;
}

/** Loads the given PEM private key, or makes a 2048-bit RSA key; then certifies it for 10 years. */
export async function createIdentity(privateKeyPem: string | undefined, now: number): Promise<SuperOfficeIdentity> {
  const privateKey =
    privateKeyPem === undefined
      ? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
      : createPrivateKey(privateKeyPem);
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const certificate = await buildCertificate({
    spki: new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" })),
    commonName: "SuperOffice Federated Login (emulator)",
    serial,
    notBefore: new Date(now - 24 * 60 * 60 * 1000),
    notAfter: new Date(now + 10 * 365 * 24 * 60 * 60 * 1000),
    sign: async (tbs) => new Uint8Array(sign("sha256", tbs, privateKey)),
  });
  return { privateKey, certificate, thumbprint: createHash("sha1").update(certificate).digest("base64url") };
}

/** The certificate as SuperOffice publishes its own: PEM. */
export function certificatePem(identity: SuperOfficeIdentity): string {
  return toPem("CERTIFICATE", identity.certificate);
}

/** A configured tenant with its partner key parsed once. */
export interface OnlineTenant {
  readonly options: OnlineOptions;
  readonly partnerKey: KeyObject;
}

/** Parses each tenant's partner key; throws (at start-up) on a key Node cannot read. */
export function onlineTenants(online: OnlineOptions | readonly OnlineOptions[] | undefined): OnlineTenant[] {
  const list: readonly OnlineOptions[] = online === undefined ? [] : Array.isArray(online) ? online : [online as OnlineOptions];
  return list.map((options) => ({ options, partnerKey: createPublicKey(options.partnerPublicKeyPem) }));
}

const SignInRequestSchema = v.looseObject({
  SignedSystemToken: v.pipe(v.string(), v.nonEmpty()),
  ApplicationToken: v.pipe(v.string(), v.nonEmpty()),
  ContextIdentifier: v.pipe(v.string(), v.nonEmpty()),
  ReturnTokenType: v.optional(v.string()),
});

/** What the sign-in endpoint answers: its JSON, and the tenant when a ticket was issued. */
export type SignInAnswer =
  | { readonly ok: true; readonly json: { IsSuccessful: true; ErrorMessage: null; Token: string } }
  | { readonly ok: false; readonly json: { IsSuccessful: false; ErrorMessage: string; Token: null } };

function refused(message: string): SignInAnswer {
  return { ok: false, json: { IsSuccessful: false, ErrorMessage: message, Token: null } };
}

/** `yyyyMMddHHmm` (UTC) as milliseconds since the epoch; NaN when it is not a real minute. */
function timestampOf(text: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (match === null) return Number.NaN;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute);
  const date = new Date(time);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 ? time : Number.NaN;
}

/** Splits `<token>.<yyyyMMddHHmm>.<base64 signature>` from the right (the token itself may hold dots). */
function splitSignedToken(signed: string): { token: string; timestamp: string; signature: Buffer } | null {
  const last = signed.lastIndexOf(".");
  const middle = signed.lastIndexOf(".", last - 1);
  if (middle <= 0) return null;
  const signature = signed.slice(last + 1);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return null;
  return {
    token: signed.slice(0, middle),
    timestamp: signed.slice(middle + 1, last),
    signature: Buffer.from(signature, "base64"),
  };
}

function signatureVerifies(text: string, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify("sha256", Buffer.from(text), key, signature);
  } catch {
    return false;
  }
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Everything the sign-in needs from the emulator around it. */
export interface SignInContext {
  readonly tenants: readonly OnlineTenant[];
  readonly identity: SuperOfficeIdentity;
  /** The emulator's origin, which the `netserver_url` claim points back at. */
  readonly origin: string;
  /** Wall-clock milliseconds: the signed timestamp is checked against it, and the JWT's times come from it. */
  readonly now: number;
  /** Issues a ticket for the tenant on the emulator's ticket clock. */
  readonly issueTicket: (contextId: string) => string;
}

/** The JWT SuperOffice returns, RS256-signed by the emulator's identity. */
function issueJwt(tenant: OnlineOptions, ticket: string, context: SignInContext): string {
  const iat = Math.floor(context.now / 1000);
  const version = tenant.servicesVersion ?? "88";
  const header = { alg: "RS256", typ: "JWT", x5t: context.identity.thumbprint };
  const payload = {
    sub: `system@${tenant.contextId}`,
    [`${CLAIM}ticket`]: ticket,
    [`${CLAIM}netserver_url`]: `${context.origin}/${tenant.contextId}/Remote/Services${version}/`,
    [`${CLAIM}webapi_url`]: `${context.origin}/${tenant.contextId}/api/`,
    [`${CLAIM}ctx`]: tenant.contextId,
    [`${CLAIM}serial`]: SERIAL,
    [`${CLAIM}is_administrator`]: "False",
    iss: "SuperOffice AS",
    aud: `spn:${SERIAL}`,
    iat: String(iat),
    nbf: iat - JWT_NOT_BEFORE_SECONDS,
    exp: iat + JWT_LIFETIME_SECONDS,
  };
  const input = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), context.identity.privateKey).toString("base64url")}`;
}

/**
 * Answers one `PartnerSystemUser/Authenticate` request body (already parsed JSON), checking in order: the fields,
 * `ReturnTokenType` JWT, the tenant, its application token, the system user token, the RSA-SHA256 signature with
 * the partner's public key, and the timestamp within {@link TIMESTAMP_WINDOW_MS} of the wall clock.
 */
export function answerSignIn(body: unknown, context: SignInContext): SignInAnswer {
  const parsed = v.safeParse(SignInRequestSchema, body);
  if (!parsed.success) return refused(SIGN_IN_ERRORS.incomplete);
  const request = parsed.output;
  if ((request.ReturnTokenType ?? "").toUpperCase() !== "JWT") return refused(SIGN_IN_ERRORS.tokenType);
  const contextId = request.ContextIdentifier.toLowerCase();
  const tenant = context.tenants.find(({ options }) => options.contextId.toLowerCase() === contextId);
  if (tenant === undefined) return refused(SIGN_IN_ERRORS.unknownTenant);
  if (request.ApplicationToken !== tenant.options.applicationToken) return refused(SIGN_IN_ERRORS.denied);
  const signed = splitSignedToken(request.SignedSystemToken);
  if (signed === null) return refused(SIGN_IN_ERRORS.signature);
  const expected = tenant.options.systemUserToken;
  if (expected !== undefined && signed.token !== expected) return refused(SIGN_IN_ERRORS.unknownSystemUser);
  if (!signatureVerifies(`${signed.token}.${signed.timestamp}`, tenant.partnerKey, signed.signature)) {
    return refused(SIGN_IN_ERRORS.signature);
  }
  const timestamp = timestampOf(signed.timestamp);
  if (!(Math.abs(context.now - timestamp) <= TIMESTAMP_WINDOW_MS)) return refused(SIGN_IN_ERRORS.timestamp);
  const ticket = context.issueTicket(tenant.options.contextId);
  return { ok: true, json: { IsSuccessful: true, ErrorMessage: null, Token: issueJwt(tenant.options, ticket, context) } };
}
