import type { BatchQuery } from "../model/batch-query.js";
import { sha256 } from "./digest.js";

/** KV's limit on key length, in bytes. */
const KV_KEY_MAX_BYTES = 512;

async function sha256Hex(text: string): Promise<string> {
  return [...(await sha256(text))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Where one upstream URL's entries live: a hash of the URL, so tenants never share entries and the URL never shows.
 * Every key of that tenant starts with `prefix`.
 */
export type Tenant = { prefix: string; generationKey: string };

export async function tenantOf(upstreamUrl: string): Promise<Tenant> {
  const prefix = `batch:v2:${(await sha256Hex(upstreamUrl)).slice(0, 32)}:`;
  return { prefix, generationKey: `${prefix}generation` };
}

/**
 * The key of one question within a tenant's cache generation (`g<n>`, or `offline` while KV cannot tell the
 * generation): the canonical state and the sorted, de-duplicated associate set, itself hashed when the key would
 * pass 512 bytes. Holds no secret.
 */
export async function entryKey(tenant: Tenant, generation: number | "offline", query: BatchQuery): Promise<string> {
  const prefix = `${tenant.prefix}${generation === "offline" ? generation : `g${generation}`}:${query.state}:`;
  const ids = query.associateIds.join(",");
  return prefix.length + ids.length <= KV_KEY_MAX_BYTES ? prefix + ids : `${prefix}sha256=${await sha256Hex(ids)}`;
}
