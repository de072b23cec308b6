import * as v from "valibot";
import { utf8 } from "../../utf8.js";
import { decodeBase64, decodeBase64Url, encodeBase64Url, fromUtf8 } from "./encoding.js";

/**
 * Seals a tenant's ticket for Workers KV with AES-256-GCM under `TICKET_ENCRYPTION_KEY`, so that KV (and whoever can
 * read it) never holds a ticket in plain text. Each seal has a fresh random 96-bit IV; the tenant id is bound in as
 * additional authenticated data, so a sealed ticket copied to another tenant's key does not open.
 */

/** What is kept per tenant: the ticket, the SOAP base it is valid for, and when it was obtained (ms since the epoch). */
export const TicketRecordSchema = v.strictObject({
  ticket: v.pipe(v.string(), v.nonEmpty()),
  netserverUrl: v.pipe(v.string(), v.nonEmpty()),
  obtainedAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type TicketRecord = v.InferOutput<typeof TicketRecordSchema>;

export type VaultKeyResult = { ok: true; key: CryptoKey } | { ok: false; reason: string };

const VERSION = "v1";
const IV_BYTES = 12;

/** The additional data of every seal: what it is, the format version, and the tenant. */
function additionalData(tenantId: string): Uint8Array {
  return utf8(`superoffice-batch-edge/ticket/${VERSION}/${tenantId}`);
}

/** Imports the AES-256-GCM key from base64 (standard or url-safe alphabet) of exactly 32 bytes; not extractable. */
export async function importVaultKey(base64: string): Promise<VaultKeyResult> {
  const text = base64.trim();
  const bytes = decodeBase64(text) ?? decodeBase64Url(text.replace(/=+$/, ""));
  if (bytes === null) return { ok: false, reason: "the key is not base64" };
  if (bytes.length !== 32) return { ok: false, reason: "the key must be base64 of exactly 32 bytes (256 bits)" };
  const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { ok: true, key };
}

/** Encrypts the record for `tenantId`: `v1.<base64url IV>.<base64url ciphertext and tag>`. */
export async function seal(key: CryptoKey, tenantId: string, record: TicketRecord): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = utf8(JSON.stringify(record));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(tenantId) },
    key,
    plaintext,
  );
  return `${VERSION}.${encodeBase64Url(iv)}.${encodeBase64Url(new Uint8Array(ciphertext))}`;
}

/**
 * Decrypts what {@link seal} wrote for the same tenant and key; `null` for anything else (another format, another
 * tenant, another key, a changed byte, a record that no longer matches the schema). Never throws.
 */
export async function open(key: CryptoKey, tenantId: string, sealed: string): Promise<TicketRecord | null> {
  const [version, ivText = "", ciphertextText = "", ...rest] = sealed.split(".");
  if (version !== VERSION || rest.length > 0) return null;
  const iv = decodeBase64Url(ivText);
  const ciphertext = decodeBase64Url(ciphertextText);
  if (iv === null || iv.length !== IV_BYTES || ciphertext === null) return null;
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: additionalData(tenantId) }, key, ciphertext);
  } catch {
    return null;
  }
  const text = fromUtf8(new Uint8Array(plaintext));
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const record = v.safeParse(TicketRecordSchema, json);
  return record.success ? record.output : null;
}
