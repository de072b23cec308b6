import { beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../../../emulator/certificate.js";
import { readSystemUserJwt } from "../../../src/upstream/online/jwt.js";
import { importSigningKey, importVerificationKey, type KeyResult } from "../../../src/upstream/online/keys.js";
import ecCertificate from "./fixtures/openssl-ec-certificate.pem?raw";
import opensslCertificate from "./fixtures/openssl-rsa-certificate.pem?raw";
import opensslJwt from "./fixtures/openssl-signed.jwt?raw";
import {
  certificatePem,
  generateTestKeys,
  pkcs1PrivatePem,
  pkcs1PublicPem,
  rsaKeyValueXml,
  type TestKeys,
} from "./key-material.js";

let keys: TestKeys;

beforeAll(async () => {
  keys = await generateTestKeys();
});

const DATA = new TextEncoder().encode("SystemUserToken-abc.202611281733");

/** The key signs, and the test's public key verifies what it signed. */
async function expectSigns(result: KeyResult): Promise<void> {
  if (!result.ok) throw new Error(`expected a key, got: ${result.reason}`);
  expect(result.key.type).toBe("private");
  expect(result.key.extractable).toBe(false);
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", result.key, DATA);
  expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", keys.publicKey, signature, DATA)).toBe(true);
}

/** The key verifies what the test's private key signed, and nothing else. */
async function expectVerifies(result: KeyResult): Promise<void> {
  if (!result.ok) throw new Error(`expected a key, got: ${result.reason}`);
  expect(result.key.type).toBe("public");
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, DATA);
  expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", result.key, signature, DATA)).toBe(true);
  expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", result.key, signature, DATA.slice(1))).toBe(false);
}

/** A refusal whose reason quotes no 12-character stretch of the key material (the base64 runs of the text). */
function expectRefusal(result: KeyResult, text: string, reason: RegExp): void {
  if (result.ok) throw new Error("expected a refusal");
  expect(result.reason).toMatch(reason);
  for (const run of text.match(/[A-Za-z0-9+/=]{12,}/g) ?? []) {
    for (let index = 0; index + 12 <= run.length; index += 1) expect(result.reason).not.toContain(run.slice(index, index + 12));
  }
}

describe("importSigningKey", () => {
  it("loads a PEM PKCS#8 private key", async () => {
    await expectSigns(await importSigningKey(toPem("PRIVATE KEY", keys.pkcs8)));
  });

  it("loads a PEM PKCS#1 private key (wrapped into PKCS#8 for WebCrypto)", async () => {
    await expectSigns(await importSigningKey(pkcs1PrivatePem(keys)));
  });

  it("loads the .NET <RSAKeyValue> XML of SuperOffice's developer portal, fixed-width or not, on one line or indented", async () => {
    await expectSigns(await importSigningKey(rsaKeyValueXml(keys)));
    await expectSigns(await importSigningKey(rsaKeyValueXml(keys, { padD: true, indent: true })));
  });

  it.each([
    ["newlines written as \\n", (pem: string) => pem.replaceAll("\n", "\\n")],
    ["CRLF line ends", (pem: string) => pem.replaceAll("\n", "\r\n")],
    ["surrounding quotes and blanks", (pem: string) => `  "${pem.replaceAll("\n", "\\n")}"  `],
    ["base64 on one line", (pem: string) => pem.replace(/\n(?!-----END)/g, "").replace("-----", "\n-----")],
  ])("tolerates %s, as secrets pasted into env vars have", async (_name, mangle) => {
    await expectSigns(await importSigningKey(mangle(toPem("PRIVATE KEY", keys.pkcs8))));
    await expectSigns(await importSigningKey(mangle(pkcs1PrivatePem(keys))));
  });

  it("refuses garbage, truncated and damaged keys with a reason that quotes none of the text", async () => {
    const pkcs8 = toPem("PRIVATE KEY", keys.pkcs8);
    const pkcs1 = pkcs1PrivatePem(keys);
    const cases: [string, RegExp][] = [
      ["", /neither a PEM private key/],
      ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", /neither a PEM private key/],
      [pkcs8.replace(/[A-Za-z0-9+/]{64}\n/, ""), /could not be imported as an RSA key/],
      [pkcs8.replace(/\n[A-Za-z0-9+/]{10}/, "\n%%%%%%%%%%"), /not valid base64/],
      [pkcs1.replace(/[A-Za-z0-9+/]{64}\n/, ""), /could not be imported as an RSA key/],
      [rsaKeyValueXml(keys).replace(/<D>.*<\/D>/, ""), /lacks one of/],
      [rsaKeyValueXml(keys).replace("<P>", "<P>*"), /not valid base64/],
      [rsaKeyValueXml(keys).replace(/<P>.*<\/D>/, ""), /only the public part/],
    ];
    for (const [text, reason] of cases) expectRefusal(await importSigningKey(text), text, reason);
  });

  it("says so when given a public key, a certificate, an encrypted key or a non-RSA key", async () => {
    const ec = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const ecPkcs8 = toPem("PRIVATE KEY", new Uint8Array((await crypto.subtle.exportKey("pkcs8", ec.privateKey)) as ArrayBuffer));
    const encrypted = toPem("ENCRYPTED PRIVATE KEY", keys.pkcs8);
    const legacyEncrypted = pkcs1PrivatePem(keys).replace(
      "KEY-----\n",
      "KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
    );
    const cases: [string, RegExp][] = [
      [toPem("PUBLIC KEY", keys.spki), /public key or certificate, not a private key/],
      [await certificatePem(keys), /public key or certificate, not a private key/],
      [encrypted, /encrypted with a passphrase/],
      [legacyEncrypted, /encrypted with a passphrase/],
      [ecPkcs8, /could not be imported as an RSA key/],
    ];
    for (const [text, reason] of cases) expectRefusal(await importSigningKey(text), text, reason);
  });
});

describe("importVerificationKey", () => {
  it("loads a PEM public key (SPKI) and a PEM PKCS#1 public key", async () => {
    await expectVerifies(await importVerificationKey(toPem("PUBLIC KEY", keys.spki)));
    await expectVerifies(await importVerificationKey(pkcs1PublicPem(keys)));
  });

  it("loads the public key of a PEM X.509 certificate, also with \\n written literally", async () => {
    const certificate = await certificatePem(keys);
    await expectVerifies(await importVerificationKey(certificate));
    await expectVerifies(await importVerificationKey(certificate.replaceAll("\n", "\\n")));
  });

  it("reads a certificate made by OpenSSL (v3, with extensions) and verifies a JWT OpenSSL signed with its key", async () => {
    const key = await importVerificationKey(opensslCertificate);
    if (!key.ok) throw new Error(key.reason);
    const jwt = await readSystemUserJwt(opensslJwt.trim(), { verificationKey: key.key, now: Date.UTC(2026, 10, 28) });
    expect(jwt).toMatchObject({ ok: true, ticket: "7T:openssl-signed-ticket" });
    const other = await importVerificationKey(toPem("PUBLIC KEY", keys.spki));
    if (!other.ok) throw new Error(other.reason);
    expect(await readSystemUserJwt(opensslJwt.trim(), { verificationKey: other.key, now: Date.UTC(2026, 10, 28) })).toMatchObject(
      {
        ok: false,
        reason: "the token's signature does not verify with the configured certificate",
      },
    );
  });

  it("refuses private keys, non-RSA certificates, damaged certificates and garbage without quoting them", async () => {
    const certificate = await certificatePem(keys);
    const cases: [string, RegExp][] = [
      [toPem("PRIVATE KEY", keys.pkcs8), /is a private key/],
      [rsaKeyValueXml(keys), /neither a PEM certificate nor a PEM public key/],
      [ecCertificate, /could not be imported as an RSA key/],
      [certificate.replace(/\n[A-Za-z0-9+/]{64}\n/, "\n"), /could not be read|could not be imported/],
      [toPem("CERTIFICATE", keys.spki), /could not be read/],
      ["-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----", /not valid base64/],
      ["just some text", /neither a PEM certificate nor a PEM public key/],
    ];
    for (const [text, reason] of cases) expectRefusal(await importVerificationKey(text), text, reason);
  });
});
