import * as v from "valibot";
import { BatchTasksBodySchema } from "../../src/model/batch-task.js";
import { decodeBatchResponse } from "../../src/soap/decode.js";
import { CONTRACTS } from "../../src/soap/namespaces.js";

/** The `fetchedAt` every run validates (fixed, as in the Node benchmark). */
const FETCHED_AT = "2026-11-28T17:33:11.069Z";

/** The most runs one request may ask for, so a typo cannot pin the process. */
const MAX_RUNS = 1000;

/** The Worker's miss pipeline: decode → valibot → JSON.stringify (what is cached and sent); returns the body's length. */
function pipeline(xml: string): number {
  const decoded = decodeBatchResponse(xml, { contract: CONTRACTS["85"], maxTasks: 10_000 });
  if (!decoded.ok) throw new Error(`the answer did not decode: ${decoded.failure}`);
  return JSON.stringify(v.parse(BatchTasksBodySchema, { tasks: decoded.tasks, fetchedAt: FETCHED_AT })).length;
}

/**
 * `POST /?n=21` with a SOAP answer as the body: runs the pipeline n times on it and answers
 * `{ runs, bytes, elapsedMs }`. workerd's clock does not move while a request computes (it only moves at I/O), so
 * the caller times the request itself and takes the difference between two values of n; `elapsedMs` is reported
 * for runtimes whose clock does move.
 */
export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response(null, { status: 204 });
    const runs = Number(new URL(request.url).searchParams.get("n") ?? "1");
    if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) return new Response("n must be 1 to 1000", { status: 400 });
    const xml = await request.text();
    const started = performance.now();
    let bytes = 0;
    for (let run = 0; run < runs; run++) bytes = pipeline(xml);
    return Response.json({ runs, bytes, elapsedMs: performance.now() - started });
  },
};
