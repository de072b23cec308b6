import { sha256 } from "../digest.js";
import type { BatchTasksBody } from "../model/batch-task.js";
import { utf8 } from "../utf8.js";

/**
 * A cached answer: the validated JSON body exactly as sent, in UTF-8, when its data left SuperOffice (epoch ms), and
 * a weak ETag of the tasks alone, so that an unchanged task list keeps its ETag across refreshes. The body is kept
 * as bytes because every tier and every answer wants bytes: KV stores them, a `Response` sends them, the ETag hashes
 * them. Kept as a string, each of the three turned it into UTF-8 again (about 0.5 ms per 1000 tasks in workerd,
 * each time; BENCHMARKS.md section 4b).
 */
export type CachedEntry = { body: Uint8Array<ArrayBuffer>; fetchedAt: number; etag: string };

const TASKS_PREFIX = '{"tasks":';

async function tasksTag(tasksJson: Uint8Array<ArrayBuffer>): Promise<string> {
  const base64 = btoa(String.fromCharCode(...(await sha256(tasksJson)).subarray(0, 18)));
  return `W/"${base64.replaceAll("+", "-").replaceAll("/", "_")}"`;
}

/**
 * Serializes a validated body once, as `{"tasks":[…],"fetchedAt":"…"}`, turns it into UTF-8 once, and tags its
 * tasks: the bytes between the prefix and the `fetchedAt` member that ends the body, both ASCII (`fetchedAt` is an
 * ISO timestamp), so their lengths in characters are their lengths in bytes.
 */
export async function toEntry(body: BatchTasksBody): Promise<CachedEntry> {
  // One flat string, keys in the order written: a template around the tasks' JSON would be a rope, which encoding
  // first copies flat (1.2 ms more at 1000 tasks in workerd).
  const bytes = utf8(JSON.stringify({ tasks: body.tasks, fetchedAt: body.fetchedAt }));
  const suffix = `,"fetchedAt":${JSON.stringify(body.fetchedAt)}}`;
  return {
    body: bytes,
    fetchedAt: Date.parse(body.fetchedAt),
    etag: await tasksTag(bytes.subarray(TASKS_PREFIX.length, bytes.length - suffix.length)),
  };
}

/** The entry's body as text, for the ways out that re-shape it (REST, RPC). */
export function bodyText(entry: CachedEntry): string {
  return new TextDecoder().decode(entry.body);
}
