import { CHECK_SIZES, CHECK_TOLERANCE, readBaseline } from "./baseline.js";
import { geometricMean, ratioToSoap, runDecodeBench } from "./decode.js";

/**
 * `npm run bench:check`: decodes 10-, 50- and 200-task responses with our decoder and node-soap side by side and fails
 * when our ratio to node-soap (the geometric mean over the three sizes) is more than 25% worse than the one recorded
 * in BENCHMARKS.md. A regression guard on a ratio: machine speed cancels out, and it never fails because an absolute
 * target is missed.
 */
async function main(): Promise<void> {
  const baseline = readBaseline();
  const rows = await runDecodeBench(CHECK_SIZES, ["ours", "node-soap"]);
  const current: number[] = [];
  const recorded: number[] = [];
  for (const row of rows) {
    const ratio = ratioToSoap(row);
    const before = baseline[String(row.tasks)];
    console.log(
      `bench:check ${row.tasks} tasks: ours ${row.ms.ours?.toFixed(3)} ms, node-soap ${row.ms["node-soap"]?.toFixed(3)} ms, ` +
        `ratio ${ratio.toFixed(3)} (recorded ${before ?? "none"})`,
    );
    if (before === undefined) continue;
    current.push(ratio);
    recorded.push(before);
  }
  if (recorded.length === 0) throw new Error("BENCHMARKS.md records no ratio for the sizes bench:check measures");
  const now = geometricMean(current);
  const limit = geometricMean(recorded) * CHECK_TOLERANCE;
  const ok = now <= limit;
  console.log(
    `bench:check ours / node-soap (geometric mean): ${now.toFixed(3)}, limit ${limit.toFixed(3)}: ${ok ? "ok" : "REGRESSED"}`,
  );
  if (!ok) {
    console.error(
      "bench:check failed: the decoder got more than 25% slower relative to node-soap than recorded in BENCHMARKS.md",
    );
    process.exitCode = 1;
  }
}

await main();
