import * as v from "valibot";
import { BatchTaskSchema, BatchTasksBodySchema } from "../../src/model/batch-task.js";
import { decodeBatchResponse, decodeBatchResponseWith } from "../../src/soap/decode.js";
import { CONTRACTS } from "../../src/soap/namespaces.js";
import { parseWithSaxes } from "../../src/soap/xml-saxes.js";

/** The `fetchedAt` every run validates (fixed, as in the Node benchmark). */
const FETCHED_AT = "2026-11-28T17:33:11.069Z";

/** The most runs one request may ask for, so a typo cannot pin the process. */
const MAX_RUNS = 1000;

const OPTIONS = { contract: CONTRACTS["85"], maxTasks: 10_000 };

/** The body schema without its fast path (plain valibot), as the pipeline validated before issue 9. */
const PlainBodySchema = v.strictObject({ ...BatchTasksBodySchema.entries, tasks: v.array(BatchTaskSchema) });

/**
 * The Worker's miss pipeline: decode → valibot → JSON.stringify (what is cached and sent); returns the body's length.
 * `previous` runs the pipeline as it was before issue 9 (the saxes tree decoder, plain valibot), for comparison on
 * the same machine in the same run.
 */
function pipeline(xml: string, previous: boolean): number {
  const decoded = previous ? decodeBatchResponseWith(parseWithSaxes, xml, OPTIONS) : decodeBatchResponse(xml, OPTIONS);
  if (!decoded.ok) throw new Error(`the answer did not decode: ${decoded.failure}`);
  const body = { tasks: decoded.tasks, fetchedAt: FETCHED_AT };
  return JSON.stringify(previous ? v.parse(PlainBodySchema, body) : v.parse(BatchTasksBodySchema, body)).length;
}

/**
 * `POST /?n=21` (and `&previous` for the pipeline before issue 9) with a SOAP answer as the body: runs the pipeline n
 * times on it and answers `{ runs, bytes, elapsedMs }`. The caller times the request itself and takes the difference
 * between two values of n, which cancels the request's own cost; `elapsedMs` is workerd's own clock, which in
 * production does not move while a request computes.
 */
export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response(null, { status: 204 });
    const url = new URL(request.url);
    const runs = Number(url.searchParams.get("n") ?? "1");
    if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) return new Response("n must be 1 to 1000", { status: 400 });
    const previous = url.searchParams.has("previous");
    const xml = await request.text();
    const started = performance.now();
    let bytes = 0;
    for (let run = 0; run < runs; run++) bytes = pipeline(xml, previous);
    return Response.json({ runs, bytes, elapsedMs: performance.now() - started });
  },
};
