import type { BatchQuery } from "../model/batch-query.js";

/** KV's limit on key length, in bytes. */
const KV_KEY_MAX_BYTES = 512;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The KV key of one question: a hash of the upstream URL (so tenants never share entries and the URL never shows),
 * the canonical state, and the sorted, de-duplicated associate set, itself hashed when the key would pass 512 bytes.
 * Holds no secret: tickets and tokens are not part of the question.
 */
export async function cacheKey(upstreamUrl: string, query: BatchQuery): Promise<string> {
  const prefix = `batch:v1:${(await sha256Hex(upstreamUrl)).slice(0, 32)}:${query.state}:`;
  const ids = query.associateIds.join(",");
  return prefix.length + ids.length <= KV_KEY_MAX_BYTES ? prefix + ids : `${prefix}sha256=${await sha256Hex(ids)}`;
}
