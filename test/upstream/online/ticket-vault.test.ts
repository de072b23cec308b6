import { describe, expect, it } from "vitest";
import { decodeBase64Url, encodeBase64, encodeBase64Url } from "../../../src/upstream/online/encoding.js";
import { importVaultKey, open, seal, type TicketRecord } from "../../../src/upstream/online/ticket-vault.js";

const RECORD: TicketRecord = {
  ticket: "7T:c2VjcmV0LXRpY2tldA==",
  netserverUrl: "https://sod.superoffice.com/Cust12345/Remote/Services88/",
  obtainedAt: Date.UTC(2026, 10, 28, 17, 33),
};

async function vaultKey(): Promise<CryptoKey> {
  const result = await importVaultKey(encodeBase64(crypto.getRandomValues(new Uint8Array(32))));
  if (!result.ok) throw new Error(result.reason);
  return result.key;
}

describe("importVaultKey", () => {
  it("takes base64 (standard or url-safe, padded or not, with blanks) of exactly 32 bytes", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    for (const text of [
      encodeBase64(bytes),
      ` ${encodeBase64(bytes)}\n`,
      encodeBase64Url(bytes),
      encodeBase64(bytes).replace(/=+$/, ""),
    ]) {
      const result = await importVaultKey(text);
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.key.extractable).toBe(false);
    }
  });

  it.each([
    ["16 bytes", encodeBase64(new Uint8Array(16)), "the key must be base64 of exactly 32 bytes (256 bits)"],
    ["33 bytes", encodeBase64(new Uint8Array(33)), "the key must be base64 of exactly 32 bytes (256 bits)"],
    ["empty", "", "the key must be base64 of exactly 32 bytes (256 bits)"],
    ["not base64", "this is not base64 at all!", "the key is not base64"],
  ])("refuses %s with a reason that does not quote it", async (_name, text, reason) => {
    expect(await importVaultKey(text)).toEqual({ ok: false, reason });
  });
});

describe("seal and open", () => {
  it("round-trips a record, and the sealed form holds no plain ticket or URL", async () => {
    const key = await vaultKey();
    const sealed = await seal(key, "Cust12345", RECORD);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("c2VjcmV0");
    expect(sealed).not.toContain("superoffice");
    expect(await open(key, "Cust12345", sealed)).toEqual(RECORD);
  });

  it("uses a fresh IV every time, so sealing the same record twice gives different text", async () => {
    const key = await vaultKey();
    const first = await seal(key, "Cust12345", RECORD);
    const second = await seal(key, "Cust12345", RECORD);
    expect(first.split(".")[1]).not.toBe(second.split(".")[1]);
    expect(first).not.toBe(second);
  });

  it("opens nothing sealed for another tenant, or under another key", async () => {
    const key = await vaultKey();
    const sealed = await seal(key, "Cust12345", RECORD);
    expect(await open(key, "Cust67890", sealed)).toBeNull();
    expect(await open(key, "cust12345", sealed)).toBeNull();
    expect(await open(await vaultKey(), "Cust12345", sealed)).toBeNull();
  });

  it("opens nothing that was changed by a single bit, truncated, or is not a sealed record", async () => {
    const key = await vaultKey();
    const sealed = await seal(key, "Cust12345", RECORD);
    const [version, iv = "", ciphertext = ""] = sealed.split(".");
    const bytes = decodeBase64Url(ciphertext);
    if (bytes === null) throw new Error("not base64url");
    for (const index of [0, bytes.length >> 1, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[index] = (flipped[index] ?? 0) ^ 1;
      expect(await open(key, "Cust12345", `${version}.${iv}.${encodeBase64Url(flipped)}`)).toBeNull();
    }
    const ivBytes = decodeBase64Url(iv) ?? new Uint8Array();
    ivBytes[0] = (ivBytes[0] ?? 0) ^ 1;
    expect(await open(key, "Cust12345", `${version}.${encodeBase64Url(ivBytes)}.${ciphertext}`)).toBeNull();
    for (const text of [sealed.slice(0, -4), `v2.${iv}.${ciphertext}`, `${sealed}.x`, "", "v1..", "v1.!!!.???", RECORD.ticket]) {
      expect(await open(key, "Cust12345", text)).toBeNull();
    }
  });

  it("opens nothing whose plaintext is not a ticket record, even when it decrypts", async () => {
    const key = await vaultKey();
    const sealed = await seal(key, "Cust12345", { ...RECORD, ticket: "" });
    expect(await open(key, "Cust12345", sealed)).toBeNull();
  });
});
