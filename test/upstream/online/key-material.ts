import { buildCertificate, toPem } from "../../../emulator/certificate.js";
import { derElement, TAG } from "../../../src/upstream/online/der.js";
import { decodeBase64Url, encodeBase64, encodeBase64Url } from "../../../src/upstream/online/encoding.js";

/** An RSA key pair made in the test, in every form an operator could hand the Worker. */
export type TestKeys = {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JsonWebKey;
  pkcs8: Uint8Array;
  spki: Uint8Array;
};

export async function generateTestKeys(): Promise<TestKeys> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
    pkcs8: new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer),
    spki: new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer),
  };
}

/**
 * The same material for a key pair made elsewhere (the emulator's partner key, PKCS#8 PEM from Node), read with
 * WebCrypto so that tests in workerd can hand it to the Worker in every other form.
 */
export async function testKeysOfPkcs8Pem(pem: string): Promise<TestKeys> {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "").replace(/\s+/g, "");
  const pkcs8 = Uint8Array.from(atob(body), (char) => char.charCodeAt(0));
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]);
  const jwk = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  const publicKey = await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n ?? "", e: jwk.e ?? "" }, algorithm, true, [
    "verify",
  ]);
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", publicKey)) as ArrayBuffer);
  return { privateKey, publicKey, jwk, pkcs8, spki };
}

function jwkNumber(jwk: JsonWebKey, field: "n" | "e" | "d" | "p" | "q" | "dp" | "dq" | "qi"): Uint8Array {
  const bytes = decodeBase64Url(jwk[field] ?? "");
  if (bytes === null) throw new Error(`JWK field ${field} is not base64url`);
  return bytes;
}

/** A DER INTEGER of an unsigned big-endian number (a zero octet in front when the high bit is set). */
function unsignedInteger(bytes: Uint8Array): Uint8Array {
  return derElement(TAG.integer, (bytes[0] ?? 0) >= 0x80 ? Uint8Array.of(0, ...bytes) : bytes);
}

/** PKCS#1 `RSAPrivateKey`, built from the JWK's numbers: a route independent of the PKCS#8 export. */
export function pkcs1PrivatePem(keys: TestKeys): string {
  const fields = (["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const).map((field) =>
    unsignedInteger(jwkNumber(keys.jwk, field)),
  );
  return toPem("RSA PRIVATE KEY", derElement(TAG.sequence, derElement(TAG.integer, Uint8Array.of(0)), ...fields));
}

/** PKCS#1 `RSAPublicKey`. */
export function pkcs1PublicPem(keys: TestKeys): string {
  return toPem(
    "RSA PUBLIC KEY",
    derElement(TAG.sequence, unsignedInteger(jwkNumber(keys.jwk, "n")), unsignedInteger(jwkNumber(keys.jwk, "e"))),
  );
}

/** Left-pads to `length` octets, as .NET's `ToXmlString` writes D (modulus width) and P, Q, DP, DQ, InverseQ (half). */
function padded(bytes: Uint8Array, length: number): Uint8Array {
  return bytes.length >= length ? bytes : Uint8Array.of(...new Uint8Array(length - bytes.length), ...bytes);
}

/**
 * .NET's `RSA.ToXmlString(true)`, as SuperOffice's developer portal hands it out. `padD` forces a leading zero octet
 * on D (as .NET writes a D shorter than the modulus) so that the importer's normalization is exercised every run.
 */
export function rsaKeyValueXml(keys: TestKeys, options: { padD?: boolean; indent?: boolean } = {}): string {
  const modulusLength = jwkNumber(keys.jwk, "n").length;
  const d = jwkNumber(keys.jwk, "d");
  const values: [string, Uint8Array][] = [
    ["Modulus", jwkNumber(keys.jwk, "n")],
    ["Exponent", jwkNumber(keys.jwk, "e")],
    ["P", padded(jwkNumber(keys.jwk, "p"), modulusLength / 2)],
    ["Q", padded(jwkNumber(keys.jwk, "q"), modulusLength / 2)],
    ["DP", padded(jwkNumber(keys.jwk, "dp"), modulusLength / 2)],
    ["DQ", padded(jwkNumber(keys.jwk, "dq"), modulusLength / 2)],
    ["InverseQ", padded(jwkNumber(keys.jwk, "qi"), modulusLength / 2)],
    ["D", options.padD ? Uint8Array.of(0, ...d) : padded(d, modulusLength)],
  ];
  const separator = options.indent ? "\r\n  " : "";
  const elements = values.map(([name, bytes]) => `${separator}<${name}>${encodeBase64(bytes)}</${name}>`);
  return `<RSAKeyValue>${elements.join("")}${options.indent ? "\r\n" : ""}</RSAKeyValue>`;
}

/** A self-signed X.509 v3 certificate for the key pair, signed with WebCrypto. */
export async function certificatePem(keys: TestKeys): Promise<string> {
  const der = await buildCertificate({
    spki: keys.spki,
    commonName: "SuperOffice test",
    serial: Uint8Array.of(0x01, 0x23, 0x45),
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2036-01-01T00:00:00Z"),
    sign: async (tbs) =>
      new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, tbs.slice().buffer as ArrayBuffer)),
  });
  return toPem("CERTIFICATE", der);
}

/** A JWT with the given header and claims, signed RS256 with `key` (or with the signature given). */
export async function makeJwt(
  claims: Record<string, unknown>,
  key: CryptoKey,
  header: Record<string, unknown> = { alg: "RS256", typ: "JWT" },
): Promise<string> {
  const encode = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
  return `${input}.${encodeBase64Url(new Uint8Array(signature))}`;
}
