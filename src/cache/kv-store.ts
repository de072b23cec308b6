import * as v from "valibot";
import { log } from "../log.js";

/** A cached answer: the validated JSON body as sent, and when its data left SuperOffice (epoch ms). */
export type CachedEntry = { body: string; fetchedAt: number };

const MetadataSchema = v.object({ fetchedAt: v.pipe(v.string(), v.isoTimestamp()) });

/** KV refuses an `expirationTtl` below 60 seconds. */
export const KV_MIN_TTL_SECONDS = 60;

/** Reads an entry; a KV failure or an entry without usable metadata counts as a miss. */
export async function readEntry(kv: KVNamespace, key: string): Promise<CachedEntry | null> {
  try {
    const { value, metadata } = await kv.getWithMetadata(key, "text");
    const parsed = v.safeParse(MetadataSchema, metadata);
    if (value === null || !parsed.success) return null;
    return { body: value, fetchedAt: Date.parse(parsed.output.fetchedAt) };
  } catch (error) {
    log("warn", "kv_read_failed", { error: String(error) });
    return null;
  }
}

/** Writes an entry; a KV failure is logged and otherwise ignored, since the answer has been served already. */
export async function writeEntry(kv: KVNamespace, key: string, entry: CachedEntry, ttlSeconds: number): Promise<boolean> {
  try {
    await kv.put(key, entry.body, {
      expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds)),
      metadata: { fetchedAt: new Date(entry.fetchedAt).toISOString() },
    });
    return true;
  } catch (error) {
    log("warn", "kv_write_failed", { error: String(error) });
    return false;
  }
}
