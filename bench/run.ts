import { writeFileSync } from "node:fs";
import { BENCHMARKS_MD, CHECK_SIZES } from "./baseline.js";
import { runBundleBench } from "./bundle.js";
import { ratioToSoap, runDecodeBench } from "./decode.js";
import { runHeapBench } from "./heap.js";
import { runHttpBench } from "./http.js";
import { renderReport } from "./report.js";
import { DECODE_SIZES } from "./workload.js";

const HEAP_TASKS = 10000;

function failure(error: unknown): { error: string } {
  return { error: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error) };
}

/** `npm run bench`: decode, memory, guard baseline, hit and miss paths, bundle; then writes BENCHMARKS.md. */
async function main(): Promise<void> {
  const started = performance.now();
  const log = (line: string): void => console.log(line);
  const decode = await runDecodeBench(
    DECODE_SIZES,
    ["ours", "xmldom", "xmldom parse only", "node-soap", "JSON.parse floor"],
    log,
  );
  const heap = runHeapBench(HEAP_TASKS, ["ours", "xmldom", "node-soap"]);
  log(`heap measured for ${HEAP_TASKS} tasks`);
  const guardRows = await runDecodeBench(CHECK_SIZES, ["ours", "node-soap"], log);
  const baseline = Object.fromEntries(guardRows.map((row) => [String(row.tasks), ratioToSoap(row)]));
  const http = await runHttpBench(log).catch(failure);
  const bundle = (() => {
    try {
      return runBundleBench();
    } catch (error) {
      return failure(error);
    }
  })();
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(
    BENCHMARKS_MD,
    renderReport({ decode, heap, heapTasks: HEAP_TASKS, baseline, http, bundle, date: new Date(), seconds }),
  );
  log(`wrote ${BENCHMARKS_MD} in ${seconds.toFixed(0)} s`);
}

await main();
