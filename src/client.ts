import { hc } from "hono/client";
import type { AppType } from "./http/app.js";
import { isProblemType, type ProblemType } from "./http/problem.js";

/**
 * A typed client of this Worker for TypeScript callers, built on `hono/client`: paths, query and body types, and
 * the JSON answers come from the routes themselves (`AppType`), so a renamed field is a compile error.
 *
 * ```ts
 * const api = createClient("https://batch.example.workers.dev", env.BATCH_API_KEY);
 * const response = await api.v1["batch-tasks"].$get({ query: { associateIds: "5,7", state: "Started" } });
 * if (response.ok) for (const task of (await response.json()).tasks) console.log(task.name, task.progressPercent);
 * ```
 */
export function createClient(baseUrl: string, apiKey: string, options: { fetch?: typeof fetch } = {}) {
  return hc<AppType>(baseUrl, { headers: { Authorization: `Bearer ${apiKey}` }, ...options });
}

export type { AppType } from "./http/app.js";
export type { BatchTasksRequest, BatchTasksResult } from "./rpc.js";

/**
 * The problem type and detail of an error thrown by `getBatchTasks` over Workers RPC (whose errors carry only
 * their message, `<problem type>: <detail>`), or `null` for any other error.
 */
export function problemOfRpcError(error: unknown): { type: ProblemType; detail: string } | null {
  if (!(error instanceof Error)) return null;
  const [, type = "", detail = ""] = /^([a-z-]+): ([\s\S]*)$/.exec(error.message) ?? [];
  return isProblemType(type) ? { type, detail } : null;
}
