import { hc } from "hono/client";
import type { AppType } from "./http/app.js";
import { isProblemType, PROBLEMS, type ProblemStatus, type ProblemType } from "./http/problem.js";
import type { ProblemDocument } from "./model/problem.js";
import type { batchTasksEntrypoint } from "./rpc.js";

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
 * The `BatchTasks` entrypoint class, for a consumer's binding type: `BATCH: Service<BatchTasksEntrypoint>` (a plain
 * `Fetcher` has no `getBatchTasks`).
 */
export type BatchTasksEntrypoint = ReturnType<typeof batchTasksEntrypoint>;

/**
 * What an error thrown by `getBatchTasks` says: the fields of the problem document HTTP would have answered, with the
 * problem type by its short name.
 */
export type RpcProblem = Pick<ProblemDocument, "title" | "detail" | "requestId"> & { type: ProblemType; status: ProblemStatus };

/**
 * The problem of an error thrown by `getBatchTasks` over Workers RPC, or `null` for any other error. Workers RPC
 * carries only an error's message, so the Worker writes it as `<problem type>: <detail> [requestId <id>]`.
 */
export function problemOfRpcError(error: unknown): RpcProblem | null {
  if (!(error instanceof Error)) return null;
  const [, type = "", detail = "", requestId = ""] = /^([a-z-]+): ([\s\S]*) \[requestId ([^\]\s]+)\]$/.exec(error.message) ?? [];
  if (!isProblemType(type)) return null;
  const { status, title } = PROBLEMS[type];
  return { type, status, title, detail, requestId };
}
