import type { EarlyAnswerRound } from "./early.js";
import type { HeapSummary, Role, RssByRole } from "./memory.js";
import { ROLE_NAMES } from "./memory.js";

/** A pass/fail statement about a phase, in words a reader can act on. */
export type Check = { ok: boolean; text: string };

/** One phase as reported: what was sent, what came back, what reached SuperOffice, and what was checked. */
export type PhaseResult = {
  id: string;
  name: string;
  requests: number;
  seconds: number;
  outcomes: Record<string, number>;
  planned: readonly string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requestsPerSecond: number | null;
  /** The largest `Server-Timing` value per metric (`upstream`, `decode`, `total`…), when the phase read them. */
  timingMaxMs: Record<string, number>;
  upstreamCalls: number;
  upstreamAllowed: number;
  allowedBecause: string;
  maxConcurrentUpstream: number;
  /** Calls whose SOAP body had already reached the emulator in this phase (retries between the Worker and it). */
  repeatedUpstreamCalls: number;
  /** CPU time each process of `wrangler dev` used during the phase (ms, user + system). */
  cpuMs: RssByRole;
  notes: string[];
  checks: Check[];
  rssAfter: RssByRole;
};

/** The Worker's memory at one point of the run: per-process RSS, and the isolate's heap (when the inspector answered). */
export type MemoryPoint = {
  after: string;
  requestsSoFar: number;
  rss: RssByRole;
  heap: HeapSummary | null;
  /**
   * Inspector events since the previous point (console lines, subrequests' Network events): streamed to us while
   * attached; what wrangler's inspector proxy buffers, without a bound, while no debugger is attached.
   */
  events: { count: number; bytes: number } | null;
};

export type LoadtestReport = {
  date: string;
  commit: string;
  /** What was bundled: the working tree at `commit`, and whether it had uncommitted changes the Worker is built from. */
  bundle: string;
  command: string;
  machine: string;
  loadAverageAtStart: string;
  versions: Record<string, string>;
  seconds: number;
  passed: boolean;
  failures: string[];
  /** Problems outside the Worker (wrangler dev lost an answer the Worker gave): reported, not failed on. */
  warnings: string[];
  phases: PhaseResult[];
  memory: MemoryPoint[];
  memoryVerdict: string[];
  /** Whether the Worker's heap stayed bounded across the hit rounds; null when it was not measured. */
  heapBounded: boolean | null;
  earlyAnswers: EarlyAnswerRound[];
  decode8MiB: { tasks: number; xmlBytes: number; decodeMs: number[]; upstreamMs: number[]; totalMs: number[] } | null;
  /** The buffering of wrangler's inspector proxy, shown with the inspector detached (phases 5 and 5b). */
  bufferedEvidence: { requests: number; replayed: { count: number; bytes: number }; byMethod: string } | null;
  /** How the heap was measured: "taken", or why not. */
  heapSnapshots: string;
  /** The end of `wrangler dev`'s own output (the Worker's console lines at warn and above), for bug reports. */
  workerOutputTail: string;
};

const ms = (value: number): string => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : "–");
const mb = (value: number | undefined): string => (value === undefined ? "–" : value.toFixed(0));
const cell = (text: string): string => text.replaceAll("|", "\\|");

function outcomesText(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => `${count} × ${label}`)
    .join(", ");
}

function phaseTable(phases: readonly PhaseResult[]): string[] {
  const lines = [
    "| phase | requests (s) | outcomes | p50 ms | p99 ms | max ms | upstream calls / allowed | max concurrent upstream | Worker's workerd CPU ms per request | checks |",
    "| ----- | -----------: | -------- | -----: | -----: | -----: | -----------------------: | ----------------------: | ----------------------------------: | ------ |",
  ];
  for (const phase of phases) {
    const failed = phase.checks.filter((check) => !check.ok);
    const rate = phase.requestsPerSecond === null ? "" : `, ${phase.requestsPerSecond.toFixed(0)}/s`;
    const cpu = phase.requests === 0 ? Number.NaN : (phase.cpuMs["worker-workerd"] ?? Number.NaN) / phase.requests;
    lines.push(
      `| ${phase.id}. ${cell(phase.name)} | ${phase.requests} (${phase.seconds.toFixed(1)}${rate}) | ${cell(outcomesText(phase.outcomes))} | ${ms(phase.p50Ms)} | ${ms(phase.p99Ms)} | ${ms(phase.maxMs)} | ${phase.upstreamCalls} / ${phase.upstreamAllowed} | ${phase.maxConcurrentUpstream} | ${ms(cpu)} | ${failed.length === 0 ? "ok" : `**${cell(failed.map((check) => check.text).join("; "))}**`} |`,
    );
  }
  return lines;
}

function phaseNotes(phases: readonly PhaseResult[]): string[] {
  const lines: string[] = [];
  for (const phase of phases) {
    const timing = Object.entries(phase.timingMaxMs)
      .map(([name, value]) => `${name} ${ms(value)}`)
      .join(", ");
    const cpu = Object.entries(phase.cpuMs)
      .map(([role, value]) => `${role} ${ms(value)}`)
      .join(", ");
    const parts = [
      `planned: ${phase.planned.join(", ")}`,
      `allowed upstream calls: ${phase.allowedBecause}`,
      ...(phase.repeatedUpstreamCalls === 0
        ? []
        : [`${phase.repeatedUpstreamCalls} upstream calls repeated a SOAP body already seen`]),
      `CPU ms during the phase: ${cpu}`,
      ...(timing === "" ? [] : [`worst Server-Timing (ms): ${timing}`]),
      ...phase.notes,
    ];
    lines.push(`- **${phase.id}. ${phase.name}**: ${parts.join("; ")}.`);
  }
  return lines;
}

const ROLES: readonly Role[] = ["worker-workerd", "proxy-workerd", "wrangler-node"];

function memoryTable(points: readonly MemoryPoint[]): string[] {
  const lines = [
    `| after | requests so far | ${ROLES.map((role) => `${ROLE_NAMES[role]} RSS MB`).join(" | ")} | Worker heap used after GC MB | heap snapshot self size MB | inspector events since the previous row (MB) |`,
    `| ----- | --------------: | ${ROLES.map(() => "----:").join(" | ")} | ----: | ----: | ----: |`,
  ];
  for (const point of points) {
    const heap = point.heap;
    const backlog = point.events === null ? "–" : `${point.events.count} (${(point.events.bytes / 1024 / 1024).toFixed(1)})`;
    lines.push(
      `| ${cell(point.after)} | ${point.requestsSoFar} | ${ROLES.map((role) => mb(point.rss[role])).join(" | ")} | ${heap === null ? "–" : (heap.usedBytesAfterGc / 1024 / 1024).toFixed(2)} | ${heap === null ? "–" : (heap.selfBytes / 1024 / 1024).toFixed(2)} | ${backlog} |`,
    );
  }
  return lines;
}

function earlyTable(rounds: readonly EarlyAnswerRound[]): string[] {
  const lines = [
    "| # | early answer | ms | then: GET, same agent | chunked POST, same agent | GET, fresh connection |",
    "| ----: | ------------ | -: | --------------------- | ------------------------ | --------------------- |",
  ];
  rounds.forEach((round, index) => {
    const after = round.after.map(
      (exchange) => `${cell(exchange.label)}, ${ms(exchange.ms)} ms${exchange.reusedSocket ? ", reused connection" : ""}`,
    );
    lines.push(
      `| ${index + 1} | ${cell(round.early.step)} → ${cell(round.early.label)} | ${ms(round.early.ms)} | ${after.join(" | ")} |`,
    );
  });
  return lines;
}

/**
 * What the memory measurements established (issue 7 saw \`wrangler dev\`'s RSS rise from 120 to 470 MB over 80,000
 * requests), stated only as far as this run bears it out: bench/loadtest/memory.ts takes the heap snapshots, and
 * `bufferedWhileDetached` in bench/loadtest.ts shows the inspector proxy's buffering.
 */
function memoryFinding(heapBounded: boolean | null): string[] {
  const heap =
    heapBounded === null
      ? "This run did not measure the Worker's heap across rounds of hits, so it cannot say whether that heap stays flat."
      : heapBounded
        ? "The Worker's own heap stays flat: a heap snapshot of its isolate (V8 collects garbage first) after each round of hits shows the same heap used, round after round."
        : "**In this run the Worker's heap kept growing across the rounds of hits**, which fails the run (see below).";
  return [
    heap,
    "What grows under `wrangler dev` is mostly wrangler's own processes: its proxy workerd and its node process (the RSS",
    "columns below). One cause is shown by phase 1, which runs with no debugger attached, as `wrangler dev` usually",
    "runs: wrangler's inspector proxy (in the proxy workerd) then keeps every event the runtime sends (each console",
    "line, such as the Worker's one log line per request, and each subrequest's Network events) and replays them all to",
    "the next debugger that connects (its line in the list below). For the rest of the run the load test stays attached,",
    "counts the events and drops them (the table's last column). The RSS figures are reported, not judged: they include",
    "memory that allocators keep after use and, in the Worker's workerd, miniflare's KV simulator and entry Workers",
    "beside the isolate. A deployed Worker runs without any of wrangler's processes.",
  ];
}

/**
 * The Markdown fragment for BENCHMARKS.md: a heading (level 2), the run's facts, one row per phase, the phase
 * notes, the memory table and verdict, the 8 MiB decode, and the early-answer rounds.
 */
export function markdown(report: LoadtestReport): string {
  const verdict = report.passed ? "**passed**" : `**failed**: ${report.failures.map(cell).join("; ")}`;
  const decode = report.decode8MiB;
  const lines = [
    "## Load test (`npm run loadtest`)",
    "",
    "Written by bench/loadtest.ts: `wrangler dev` (default environment, as deployed: `[[ratelimits]]` 600 per 60 s per",
    "key, `UPSTREAM_CONCURRENCY` 6, `UPSTREAM_MAX_BYTES` 8 MiB, `MAX_TASKS` 10,000, `UPSTREAM_TIMEOUT_MS` 10 s) against",
    "the emulator on 127.0.0.1; every phase is count- and time-limited. Latencies are client-side, to the last byte.",
    "",
    "|                    |                                   |",
    "| ------------------ | --------------------------------- |",
    `| result             | ${verdict} |`,
    ...(report.warnings.length === 0 ? [] : [`| warnings           | ${report.warnings.map(cell).join("; ")} |`]),
    `| date               | ${report.date} |`,
    `| command            | \`${report.command}\` (${report.seconds.toFixed(0)} s) |`,
    `| commit             | ${report.commit} |`,
    `| Worker             | ${cell(report.bundle)} |`,
    `| machine            | ${report.machine}; load average at start ${report.loadAverageAtStart} |`,
    `| versions           | ${Object.entries(report.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(", ")} |`,
    "",
    ...phaseTable(report.phases),
    "",
    ...phaseNotes(report.phases),
    "",
    "### Memory",
    "",
    ...memoryFinding(report.heapBounded),
    "",
    `Heap snapshots: ${report.heapSnapshots}. RSS read from /proc for each process of the \`wrangler dev\` tree.`,
    "",
    ...memoryTable(report.memory),
    "",
    ...report.memoryVerdict.map((line) => `- ${line}`),
    "",
    "### Decoding an answer just under 8 MiB",
    "",
    decode === null
      ? "Not measured."
      : `${decode.tasks} tasks, ${decode.xmlBytes} bytes of XML, forced misses (\`Server-Timing\`, ms): decode ${decode.decodeMs.map(ms).join(", ")} (worst **${ms(Math.max(...decode.decodeMs))}**); upstream ${decode.upstreamMs.map(ms).join(", ")}; total ${decode.totalMs.map(ms).join(", ")}.`,
    "",
    "### Early answers on chunked POSTs",
    "",
    ...earlyTable(report.earlyAnswers),
    "",
  ];
  return `${lines.join("\n")}\n`;
}
