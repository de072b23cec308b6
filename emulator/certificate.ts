import { derElement, TAG } from "../src/upstream/online/der.js";

/**
 * A minimal self-signed X.509 v3 certificate (no extensions), so that the emulator can publish its JWT-signing key the
 * way SuperOffice publishes its own: as a certificate. Pure: the signature comes from the caller (node:crypto in the
 * emulator, WebCrypto in tests), so this module runs in Node and in workerd alike.
 */

/** sha256WithRSAEncryption (1.2.840.113549.1.1.11) with NULL parameters. */
const SHA256_WITH_RSA = derElement(
  TAG.sequence,
  derElement(TAG.oid, Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b)),
  derElement(TAG.null),
);

const COMMON_NAME_OID = Uint8Array.of(0x55, 0x04, 0x03);
const UTF8_STRING = 0x0c;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const VERSION_TAG = 0xa0;

export type CertificateRequest = {
  /** DER SubjectPublicKeyInfo of the RSA key the certificate names. */
  spki: Uint8Array;
  /** Subject and issuer common name (the certificate is self-signed). */
  commonName: string;
  /** Positive serial number octets (big-endian, high bit clear). */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** RSA-SHA256 (PKCS#1 v1.5) signature of the given bytes with the private key matching `spki`. */
  sign: (tbs: Uint8Array) => Promise<Uint8Array>;
};

function name(commonName: string): Uint8Array {
  const attribute = derElement(
    TAG.sequence,
    derElement(TAG.oid, COMMON_NAME_OID),
    derElement(UTF8_STRING, new TextEncoder().encode(commonName)),
  );
  return derElement(TAG.sequence, derElement(0x31, attribute));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function time(date: Date): Uint8Array {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const year = date.getUTCFullYear();
  return year < 2050
    ? derElement(UTC_TIME, new TextEncoder().encode(text.slice(2)))
    : derElement(GENERALIZED_TIME, new TextEncoder().encode(text));
}

/** Builds and signs the certificate; returns its DER bytes. */
export async function buildCertificate(request: CertificateRequest): Promise<Uint8Array> {
  const tbs = derElement(
    TAG.sequence,
    derElement(VERSION_TAG, derElement(TAG.integer, Uint8Array.of(2))),
    derElement(TAG.integer, request.serial),
    SHA256_WITH_RSA,
    name(request.commonName),
    derElement(TAG.sequence, time(request.notBefore), time(request.notAfter)),
    name(request.commonName),
    request.spki,
  );
  const signature = await request.sign(tbs);
  return derElement(TAG.sequence, tbs, SHA256_WITH_RSA, derElement(TAG.bitString, Uint8Array.of(0), signature));
}

/** PEM armour: base64 in 64-character lines between BEGIN and END lines of `label`. */
export function toPem(label: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
