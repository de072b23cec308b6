import { beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../../../emulator/certificate.js";
import { decodeBase64 } from "../../../src/upstream/online/encoding.js";
import { importSigningKey } from "../../../src/upstream/online/keys.js";
import { signSystemToken, systemTokenTimestamp } from "../../../src/upstream/online/system-token.js";
import { generateTestKeys, type TestKeys } from "./key-material.js";

let keys: TestKeys;
let signingKey: CryptoKey;

beforeAll(async () => {
  keys = await generateTestKeys();
  const imported = await importSigningKey(toPem("PRIVATE KEY", keys.pkcs8));
  if (!imported.ok) throw new Error(imported.reason);
  signingKey = imported.key;
});

describe("systemTokenTimestamp", () => {
  it.each([
    [Date.UTC(2026, 10, 28, 17, 33, 59, 999), "202611281733"],
    [Date.UTC(2027, 0, 2, 3, 4, 0, 0), "202701020304"],
    [Date.UTC(2026, 11, 31, 23, 59, 59, 999), "202612312359"],
  ])("writes %i as UTC yyyyMMddHHmm (%s), seconds dropped", (now, expected) => {
    expect(systemTokenTimestamp(now)).toBe(expected);
  });
});

describe("signSystemToken", () => {
  it("signs <token>.<timestamp> with RSA-SHA256 and appends the signature in standard base64", async () => {
    const token = "Batch Edge Ålesund-pzqc70604i.v2";
    const now = Date.UTC(2026, 10, 28, 17, 33, 12);
    const signed = await signSystemToken(token, signingKey, now);
    expect(signed.startsWith(`${token}.202611281733.`)).toBe(true);
    const signature = signed.slice(`${token}.202611281733.`.length);
    expect(signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const bytes = decodeBase64(signature);
    if (bytes === null) throw new Error("not base64");
    expect(bytes).toHaveLength(256);
    const data = new TextEncoder().encode(`${token}.202611281733`);
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", keys.publicKey, bytes, data)).toBe(true);
  });

  it("gives the same bytes as signing the text directly (PKCS#1 v1.5 is deterministic)", async () => {
    const now = Date.UTC(2026, 0, 1, 0, 0);
    const direct = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, new TextEncoder().encode("token.202601010000"));
    const expected = btoa(String.fromCharCode(...new Uint8Array(direct)));
    expect(await signSystemToken("token", signingKey, now)).toBe(`token.202601010000.${expected}`);
  });
});
