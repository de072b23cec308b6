import * as v from "valibot";
import { log } from "../log.js";
import type { CachedEntry } from "./entry.js";

const MetadataSchema = v.object({
  fetchedAt: v.pipe(v.string(), v.isoTimestamp()),
  etag: v.pipe(v.string(), v.startsWith('W/"')),
});

/** KV refuses an `expirationTtl` below 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

/** KV's largest value, in bytes. */
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;

/**
 * Reads an entry: `null` when KV has none (or one without usable metadata), `undefined` when KV failed to answer,
 * so that a KV outage is not mistaken for a purge.
 */
export async function readEntry(kv: KVNamespace, key: string, requestId: string): Promise<CachedEntry | null | undefined> {
  try {
    // Bytes, not text: the body goes out as it came in, without decoding and encoding it again.
    const { value, metadata } = await kv.getWithMetadata(key, "arrayBuffer");
    const parsed = v.safeParse(MetadataSchema, metadata);
    if (value === null || !parsed.success) return null;
    return { body: new Uint8Array(value), fetchedAt: Date.parse(parsed.output.fetchedAt), etag: parsed.output.etag };
  } catch (error) {
    log("warn", "kv_read_failed", { requestId, error: String(error) });
    return undefined;
  }
}

/** What KV says of an entry without its body: when its data left SuperOffice. */
export type EntryStamp = { fetchedAt: number };

/**
 * Reads only an entry's metadata, to confirm a copy held in memory without paying for the body (the body's stream
 * is cancelled unread). `null` when KV has none, `undefined` when KV failed to answer.
 */
export async function readEntryStamp(kv: KVNamespace, key: string, requestId: string): Promise<EntryStamp | null | undefined> {
  try {
    const { value, metadata } = await kv.getWithMetadata(key, "stream");
    await value?.cancel();
    const parsed = v.safeParse(MetadataSchema, metadata);
    if (value === null || !parsed.success) return null;
    return { fetchedAt: Date.parse(parsed.output.fetchedAt) };
  } catch (error) {
    log("warn", "kv_read_failed", { requestId, error: String(error) });
    return undefined;
  }
}

/** Writes an entry; a failure (such as 429 for a second write to a key within a second) is logged and ignored. */
export async function writeEntry(
  kv: KVNamespace,
  key: string,
  entry: CachedEntry,
  ttlSeconds: number,
  requestId: string,
): Promise<void> {
  try {
    await kv.put(key, entry.body, {
      expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds)),
      metadata: { fetchedAt: new Date(entry.fetchedAt).toISOString(), etag: entry.etag },
    });
  } catch (error) {
    log("warn", "kv_write_failed", { requestId, error: String(error) });
  }
}

/** Deletes an entry; returns whether KV accepted the deletion. */
export async function deleteEntry(kv: KVNamespace, key: string, requestId: string): Promise<boolean> {
  try {
    await kv.delete(key);
    return true;
  } catch (error) {
    log("warn", "kv_delete_failed", { requestId, error: String(error) });
    return false;
  }
}

/** A tenant's cache generation (0 when never purged); `null` when KV cannot say. */
export async function readGeneration(kv: KVNamespace, key: string, requestId: string): Promise<number | null> {
  try {
    const value = await kv.get(key, "text");
    return value !== null && /^\d+$/.test(value) ? Number(value) : 0;
  } catch (error) {
    log("warn", "kv_read_failed", { requestId, error: String(error) });
    return null;
  }
}

/** Records a new generation; returns whether KV accepted it. */
export async function writeGeneration(kv: KVNamespace, key: string, generation: number, requestId: string): Promise<boolean> {
  try {
    await kv.put(key, String(generation));
    return true;
  } catch (error) {
    log("warn", "kv_write_failed", { requestId, error: String(error) });
    return false;
  }
}
