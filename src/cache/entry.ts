import { sha256 } from "../digest.js";
import type { BatchTasksBody } from "../model/batch-task.js";

/**
 * A cached answer: the validated JSON body exactly as sent, when its data left SuperOffice (epoch ms), and a weak
 * ETag of the tasks alone, so that an unchanged task list keeps its ETag across refreshes.
 */
export type CachedEntry = { body: string; fetchedAt: number; etag: string };

async function tasksTag(tasksJson: string): Promise<string> {
  const base64 = btoa(String.fromCharCode(...(await sha256(tasksJson)).subarray(0, 18)));
  return `W/"${base64.replaceAll("+", "-").replaceAll("/", "_")}"`;
}

/** Serializes a validated body once, as `{"tasks":[…],"fetchedAt":"…"}`, and tags its tasks. */
export async function toEntry(body: BatchTasksBody): Promise<CachedEntry> {
  const tasksJson = JSON.stringify(body.tasks);
  return {
    body: `{"tasks":${tasksJson},"fetchedAt":${JSON.stringify(body.fetchedAt)}}`,
    fetchedAt: Date.parse(body.fetchedAt),
    etag: await tasksTag(tasksJson),
  };
}
