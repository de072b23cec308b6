import type { BatchQuery } from "../model/batch-query.js";
import { sha256 } from "./digest.js";

/** KV's limit on key length, in bytes. */
const KV_KEY_MAX_BYTES = 512;

async function sha256Hex(text: string): Promise<string> {
  return [...(await sha256(text))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The key of one question within a scope's cache generation (`g<n>`, or `offline` while KV cannot tell the
 * generation): the canonical state and the sorted, de-duplicated associate set, itself hashed when the key would
 * pass 512 bytes. Holds no secret.
 */
export async function entryKey(scope: string, generation: number | "offline", query: BatchQuery): Promise<string> {
  const prefix = `${scope}${generation === "offline" ? generation : `g${generation}`}:${query.state}:`;
  const ids = query.associateIds.join(",");
  return prefix.length + ids.length <= KV_KEY_MAX_BYTES ? prefix + ids : `${prefix}sha256=${await sha256Hex(ids)}`;
}
