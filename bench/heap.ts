import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { responseXml } from "./workload.js";

export type HeapRow = { contestant: string; heapGrowth: number; heapUsedGrowth: number; peakRssGrowth: number };

const OUT = fileURLToPath(new URL("./.out/", import.meta.url));
const CHILD = fileURLToPath(new URL("./heap-child.ts", import.meta.url));

/** Median of `runs` fresh processes per contestant, each decoding the `tasks`-task response once. */
export function runHeapBench(tasks: number, contestants: readonly string[], runs = 3): HeapRow[] {
  mkdirSync(OUT, { recursive: true });
  const file = `${OUT}heap-${tasks}.xml`;
  writeFileSync(file, responseXml(tasks));
  return contestants.map((contestant) => {
    const samples = Array.from({ length: runs }, () => {
      const output = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, contestant, file], {
        encoding: "utf8",
      });
      return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as Omit<HeapRow, "contestant">;
    });
    const middle = (pick: (row: Omit<HeapRow, "contestant">) => number): number =>
      samples.map(pick).sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
    return {
      contestant,
      heapGrowth: middle((row) => row.heapGrowth),
      heapUsedGrowth: middle((row) => row.heapUsedGrowth),
      peakRssGrowth: middle((row) => row.peakRssGrowth),
    };
  });
}
