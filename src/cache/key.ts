import { sha256, toHex } from "../digest.js";
import type { BatchQuery } from "../model/batch-query.js";

/** KV's limit on key length, in bytes. */
const KV_KEY_MAX_BYTES = 512;

/**
 * The key of one question within a scope's cache generation (`g<n>`, or `offline` while KV cannot tell the
 * generation): the canonical state and the sorted, de-duplicated associate set, itself hashed when the key would
 * pass 512 bytes. Holds no secret.
 */
export async function entryKey(scope: string, generation: number | "offline", query: BatchQuery): Promise<string> {
  const prefix = `${scope}${generation === "offline" ? generation : `g${generation}`}:${query.state}:`;
  const ids = query.associateIds.join(",");
  return prefix.length + ids.length <= KV_KEY_MAX_BYTES ? prefix + ids : `${prefix}sha256=${toHex(await sha256(ids))}`;
}
