import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { CHECK_SIZES } from "./baseline.js";
import { BENCHMARKS_MD, loadtestPart } from "./benchmarks-md.js";
import { runBundleBench } from "./bundle.js";
import { ratioToSoap, runDecodeBench } from "./decode.js";
import { runHeapBench } from "./heap.js";
import { runHttpBench } from "./http.js";
import { measurePipeline } from "./pipeline/measure.js";
import { renderReport } from "./report.js";
import { DECODE_SIZES } from "./workload.js";

const HEAP_TASKS = 10000;

function failure(error: unknown): { error: string } {
  return { error: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error) };
}

/**
 * `npm run bench`: decode and memory in Node, the guard's baseline, the miss pipeline inside workerd, the hit and
 * miss paths through `wrangler dev`, the bundle; then rewrites BENCHMARKS.md, keeping the load test's part.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const log = (line: string): void => console.log(line);
  const decode = await runDecodeBench(
    DECODE_SIZES,
    ["ours", "saxes", "xmldom", "xmldom parse only", "node-soap", "JSON.parse floor"],
    log,
  );
  const heap = runHeapBench(HEAP_TASKS, ["ours", "saxes", "xmldom", "node-soap"]);
  log(`heap measured for ${HEAP_TASKS} tasks`);
  const guardRows = await runDecodeBench(CHECK_SIZES, ["ours", "node-soap"], log);
  const baseline = Object.fromEntries(guardRows.map((row) => [String(row.tasks), ratioToSoap(row)]));
  const pipeline = await measurePipeline({ log }).catch(failure);
  const http = await runHttpBench(log).catch(failure);
  const bundle = await runBundleBench().catch(failure);
  const seconds = (performance.now() - started) / 1000;
  const loadtest = existsSync(BENCHMARKS_MD) ? loadtestPart(readFileSync(BENCHMARKS_MD, "utf8")) : undefined;
  writeFileSync(
    BENCHMARKS_MD,
    renderReport({
      decode,
      heap,
      heapTasks: HEAP_TASKS,
      baseline,
      pipeline,
      http,
      bundle,
      loadtest,
      date: new Date(),
      seconds,
    }),
  );
  log(`wrote ${BENCHMARKS_MD} in ${seconds.toFixed(0)} s`);
}

await main();
