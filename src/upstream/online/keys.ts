import { derElement, RSA_ALGORITHM_IDENTIFIER, readChildren, readElement, readWhole, TAG } from "./der.js";
import { decodeBase64, encodeBase64Url } from "./encoding.js";

/**
 * Imports the partner application's RSA private key (to sign the system user token) and SuperOffice's public key (to
 * verify the JWT it returns) with WebCrypto, from the forms operators actually have. A failure's `reason` is one of
 * the fixed sentences below: never a part of the key text, which is a secret.
 */
export type KeyResult = { ok: true; key: CryptoKey } | { ok: false; reason: string };

/** RSA-SHA256 with PKCS#1 v1.5 padding: what SuperOffice verifies the signed system token with, and signs JWTs with. */
export const RSA_SHA256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

const REASON = {
  unknownPrivate: "the key is neither a PEM private key (PKCS#8 or PKCS#1) nor an <RSAKeyValue> XML key",
  unknownPublic: "the key is neither a PEM certificate nor a PEM public key",
  encrypted: "the private key is encrypted with a passphrase; export it without one",
  publicGiven: "the text is a public key or certificate, not a private key",
  privateGiven: "the text is a private key; give the certificate or the public key instead",
  base64: "the PEM block is not valid base64",
  notRsaPrivate: "the private key could not be imported as an RSA key",
  notRsaPublic: "the public key could not be imported as an RSA key",
  certificate: "the certificate could not be read (not an X.509 certificate)",
  xmlPublicOnly: "the <RSAKeyValue> holds only the public part (Modulus, Exponent); the private key is needed",
  xmlMissing: "the <RSAKeyValue> lacks one of Modulus, Exponent, P, Q, DP, DQ, InverseQ, D, or repeats one",
  xmlBase64: "a value in the <RSAKeyValue> is not valid base64",
} as const;

type Pem = { label: string; body: string };

/**
 * Undoes what pasting a key into an environment variable does to it: surrounding quotes, `\n` written as two
 * characters, Windows line ends. The settings' schema (`KeyTextSchema`) uses it too, so that configuration accepts
 * exactly the texts the importers below read.
 */
export function normalizeKeyText(text: string): string {
  let clean = text.trim();
  if (clean.length >= 2 && (clean[0] === '"' || clean[0] === "'") && clean.endsWith(clean[0])) clean = clean.slice(1, -1);
  return clean
    .replace(/\\r\\n|\\n|\\r/g, "\n")
    .replace(/\r\n?/g, "\n")
    .trim();
}

/** The first PEM block: its label and its body (headers such as `Proc-Type:` included). */
function firstPem(text: string): Pem | null {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  return match === null ? null : { label: match[1] ?? "", body: match[2] ?? "" };
}

/**
 * Whether a normalized text has the outline the importers look for (an `<RSAKeyValue>` document, or a PEM block
 * anywhere in it): what the settings check before the key itself is imported, at first use.
 */
export function isKeyOutline(clean: string): boolean {
  return clean.includes("<RSAKeyValue") || firstPem(clean) !== null;
}

function pemBytes(pem: Pem): Uint8Array | null {
  return decodeBase64(pem.body);
}

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

async function importPrivate(imported: () => Promise<CryptoKey>): Promise<KeyResult> {
  try {
    return { ok: true, key: await imported() };
  } catch {
    return { ok: false, reason: REASON.notRsaPrivate };
  }
}

function importPkcs8(der: Uint8Array): Promise<KeyResult> {
  return importPrivate(() => crypto.subtle.importKey("pkcs8", toBuffer(der), RSA_SHA256, false, ["sign"]));
}

async function importSpki(spki: Uint8Array): Promise<KeyResult> {
  try {
    return { ok: true, key: await crypto.subtle.importKey("spki", toBuffer(spki), RSA_SHA256, false, ["verify"]) };
  } catch {
    return { ok: false, reason: REASON.notRsaPublic };
  }
}

/** PKCS#8 `PrivateKeyInfo` around a PKCS#1 `RSAPrivateKey`: version 0, rsaEncryption, the key as an OCTET STRING. */
function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  return derElement(
    TAG.sequence,
    derElement(TAG.integer, Uint8Array.of(0)),
    RSA_ALGORITHM_IDENTIFIER,
    derElement(TAG.octetString, pkcs1),
  );
}

/** SPKI `SubjectPublicKeyInfo` around a PKCS#1 `RSAPublicKey`: rsaEncryption, the key as a BIT STRING. */
function pkcs1PublicToSpki(pkcs1: Uint8Array): Uint8Array {
  return derElement(TAG.sequence, RSA_ALGORITHM_IDENTIFIER, derElement(TAG.bitString, Uint8Array.of(0), pkcs1));
}

/**
 * The SubjectPublicKeyInfo of an X.509 certificate: the seventh element of the TBSCertificate when it starts with
 * the explicit `[0]` version (v2 and v3 certificates), else the sixth (v1).
 */
function certificateSpki(der: Uint8Array): Uint8Array | null {
  const certificate = readWhole(der, TAG.sequence);
  if (certificate === null) return null;
  const tbs = readElement(der, certificate.start, certificate.end);
  if (tbs === null || tbs.tag !== TAG.sequence) return null;
  const fields = readChildren(der, tbs);
  if (fields === null) return null;
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
  if (spki === undefined || spki.tag !== TAG.sequence) return null;
  return der.slice(spki.offset, spki.end);
}

const XML_FIELDS = [
  ["Modulus", "n"],
  ["Exponent", "e"],
  ["P", "p"],
  ["Q", "q"],
  ["DP", "dp"],
  ["DQ", "dq"],
  ["InverseQ", "qi"],
  ["D", "d"],
] as const;

/** The text of `<name>` when it occurs exactly once; `null` when absent, `undefined` when repeated. */
function xmlValue(xml: string, name: string): string | null | undefined {
  const matches = [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))];
  if (matches.length > 1) return undefined;
  return matches[0]?.[1] ?? null;
}

/** A big-endian unsigned integer without leading zero octets, as JWK wants it (.NET pads D, P, Q, … to fixed widths). */
function minimal(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  return bytes.subarray(start);
}

/** .NET's `RSA.ToXmlString(true)`, the form SuperOffice's developer portal hands out, as a JWK. */
async function importXml(xml: string): Promise<KeyResult> {
  const fields: Record<string, string> = {};
  const values = XML_FIELDS.map(([element]) => xmlValue(xml, element));
  if (values[0] && values[1] && values.slice(2).every((value) => value === null))
    return { ok: false, reason: REASON.xmlPublicOnly };
  for (const [index, [, field]] of XML_FIELDS.entries()) {
    const value = values[index];
    if (value === null || value === undefined) return { ok: false, reason: REASON.xmlMissing };
    const bytes = decodeBase64(value);
    if (bytes === null || bytes.length === 0) return { ok: false, reason: REASON.xmlBase64 };
    fields[field] = encodeBase64Url(minimal(bytes));
  }
  const jwk: JsonWebKey = { kty: "RSA", alg: "RS256", ...fields };
  return importPrivate(() => crypto.subtle.importKey("jwk", jwk, RSA_SHA256, false, ["sign"]));
}

/**
 * Imports the partner's RSA private key for RSASSA-PKCS1-v1_5 with SHA-256, from PEM PKCS#8 (`BEGIN PRIVATE KEY`),
 * PEM PKCS#1 (`BEGIN RSA PRIVATE KEY`, wrapped into PKCS#8 since WebCrypto reads only that), or .NET's
 * `<RSAKeyValue>` XML. Whitespace, CRLF, literal `\n` and surrounding quotes are tolerated. The key is not extractable.
 */
export async function importSigningKey(text: string): Promise<KeyResult> {
  const clean = normalizeKeyText(text);
  if (clean.includes("<RSAKeyValue")) return importXml(clean);
  const pem = firstPem(clean);
  if (pem === null) return { ok: false, reason: REASON.unknownPrivate };
  if (pem.label === "ENCRYPTED PRIVATE KEY" || /^Proc-Type:.*ENCRYPTED/m.test(pem.body))
    return { ok: false, reason: REASON.encrypted };
  if (pem.label === "PUBLIC KEY" || pem.label === "RSA PUBLIC KEY" || pem.label === "CERTIFICATE") {
    return { ok: false, reason: REASON.publicGiven };
  }
  if (pem.label !== "PRIVATE KEY" && pem.label !== "RSA PRIVATE KEY") return { ok: false, reason: REASON.unknownPrivate };
  const der = pemBytes(pem);
  if (der === null) return { ok: false, reason: REASON.base64 };
  if (pem.label === "PRIVATE KEY") return importPkcs8(der);
  if (readWhole(der, TAG.sequence) === null) return { ok: false, reason: REASON.notRsaPrivate };
  return importPkcs8(pkcs1ToPkcs8(der));
}

/**
 * Imports SuperOffice's RSA public key for verifying RS256 JWTs, from a PEM X.509 certificate (`BEGIN CERTIFICATE`,
 * as SuperOffice publishes it: only its SubjectPublicKeyInfo is used, the certificate's validity and chain are not
 * checked), a PEM SPKI public key (`BEGIN PUBLIC KEY`) or a PEM PKCS#1 public key (`BEGIN RSA PUBLIC KEY`).
 */
export async function importVerificationKey(text: string): Promise<KeyResult> {
  const clean = normalizeKeyText(text);
  if (clean.includes("<RSAKeyValue")) return { ok: false, reason: REASON.unknownPublic };
  const pem = firstPem(clean);
  if (pem === null) return { ok: false, reason: REASON.unknownPublic };
  if (pem.label.includes("PRIVATE KEY")) return { ok: false, reason: REASON.privateGiven };
  if (pem.label !== "CERTIFICATE" && pem.label !== "PUBLIC KEY" && pem.label !== "RSA PUBLIC KEY") {
    return { ok: false, reason: REASON.unknownPublic };
  }
  const der = pemBytes(pem);
  if (der === null) return { ok: false, reason: REASON.base64 };
  if (pem.label === "PUBLIC KEY") return importSpki(der);
  if (pem.label === "RSA PUBLIC KEY") {
    return readWhole(der, TAG.sequence) === null
      ? { ok: false, reason: REASON.notRsaPublic }
      : importSpki(pkcs1PublicToSpki(der));
  }
  const spki = certificateSpki(der);
  return spki === null ? { ok: false, reason: REASON.certificate } : importSpki(spki);
}
