import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { formatBaseline } from "./baseline.js";
import { markedLoadtestPart } from "./benchmarks-md.js";
import type { BundleResult, FileSize } from "./bundle.js";
import { CONTESTANT_WORK, type ContestantName } from "./contestants.js";
import { type DecodeRow, pairedRatio, ratioToSoap } from "./decode.js";
import type { HeapRow } from "./heap.js";
import { type HitCompare, type HttpResult, MISS_QUERY, type MissCompare, type Summary } from "./http.js";
import type { PipelineResult, PipelineRow } from "./pipeline/measure.js";
import { ROOT, packageVersion as version } from "./services.js";

export type Results = {
  decode: DecodeRow[];
  heap: HeapRow[];
  heapTasks: number;
  baseline: Record<string, number>;
  pipeline: PipelineResult | { error: string };
  http: HttpResult | { error: string };
  bundle: BundleResult | { error: string };
  /** The load test's part of BENCHMARKS.md as it was before this run (kept as it is), or undefined. */
  loadtest: string | undefined;
  date: Date;
  seconds: number;
};

const MB = 1_000_000;

function cpuModel(): string {
  const line = readFileSync("/proc/cpuinfo", "utf8")
    .split("\n")
    .find((text) => text.startsWith("model name"));
  return line?.split(":")[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
}

/** The commit measured, and whether the work tree had changes on top of it. */
function commit(): string {
  try {
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " plus uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
}

const ms = (value: number | undefined): string => (value === undefined ? "–" : value < 10 ? value.toFixed(3) : value.toFixed(1));
const mbps = (bytes: number, value: number | undefined): string =>
  value === undefined ? "–" : (bytes / MB / (value / 1000)).toFixed(1);
const met = (ok: boolean): string => (ok ? "**met**" : "**not met**");

/** A paired ratio of two contestants of a row, or "–" when either was not measured. */
function ratioCell(row: DecodeRow, name: ContestantName, reference: ContestantName): string {
  return row.rounds[name] === undefined || row.rounds[reference] === undefined
    ? "–"
    : pairedRatio(row, name, reference).toFixed(2);
}

function decodeTable(rows: readonly DecodeRow[]): string {
  const header =
    "| tasks | XML bytes | ours ms | ours MB/s | previous (saxes) ms | xmldom ms | xmldom parse only ms | node-soap ms | node-soap MB/s | JSON.parse floor ms (JSON MB/s) | **ours / node-soap** | ours / previous | previous / node-soap | xmldom / node-soap |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const lines = rows.map((row) => {
    const soap = row.ms["node-soap"];
    return `| ${row.tasks} | ${row.xmlBytes} | ${ms(row.ms.ours)} | ${mbps(row.xmlBytes, row.ms.ours)} | ${ms(row.ms.saxes)} | ${ms(row.ms.xmldom)} | ${ms(row.ms["xmldom parse only"])} | ${ms(soap)} | ${mbps(row.xmlBytes, soap)} | ${ms(row.ms["JSON.parse floor"])} (${mbps(row.jsonBytes, row.ms["JSON.parse floor"])}) | **${ratioToSoap(row).toFixed(3)}** | ${ratioCell(row, "ours", "saxes")} | ${ratioCell(row, "saxes", "node-soap")} | ${ratioCell(row, "xmldom", "node-soap")} |`;
  });
  return [header, ...lines].join("\n");
}

/** How the heap table names a contestant. */
const HEAP_LABEL: Record<string, string> = { saxes: "previous (saxes tree decoder, plain valibot)" };

function heapTable(rows: readonly HeapRow[]): string {
  const mb = (bytes: number): string => (bytes / MB).toFixed(1);
  return [
    "| contestant | V8 committed heap growth MB | heap used growth MB | peak RSS growth MB |",
    "|---|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${HEAP_LABEL[row.contestant] ?? row.contestant} | ${mb(row.heapGrowth)} | ${mb(row.heapUsedGrowth)} | ${mb(row.peakRssGrowth)} |`,
    ),
  ].join("\n");
}

/** Issue 9: "no more memory than today at 10,000 tasks", ours against the pipeline before it, on every measure. */
function heapTarget(rows: readonly HeapRow[]): string {
  const ours = rows.find((row) => row.contestant === "ours");
  const before = rows.find((row) => row.contestant === "saxes");
  if (ours === undefined || before === undefined) return "not measured";
  const measures: [string, (row: HeapRow) => number][] = [
    ["committed heap", (row) => row.heapGrowth],
    ["heap used", (row) => row.heapUsedGrowth],
    ["peak RSS", (row) => row.peakRssGrowth],
  ];
  const ok = measures.every(([, pick]) => pick(ours) <= pick(before));
  const text = measures
    .map(([name, pick]) => `${name} ${(pick(ours) / MB).toFixed(1)} vs ${(pick(before) / MB).toFixed(1)} MB`)
    .join(", ");
  return `${met(ok)}: ours vs previous, growth during one decode: ${text} (section 1)`;
}

/** Whether a ratio of ours to the floor meets the issue's "at most 1.25x". */
const FLOOR_LIMIT = 1.25;

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const phase = (summary: Summary, name: string): string => fixed(summary.phases[name] ?? Number.NaN);

function hitFloorTable(hits: readonly HitCompare[]): string {
  const header =
    "| tasks | JSON bytes | ours p50 ms | constant p50 ms | **p50 ours / constant** | median of pair ratios | ours p90 ms | constant p90 ms | ours CPU ms/req | constant CPU ms/req | ours req/s | constant req/s | constant / ours req/s | upstream calls |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const rows = hits.map((hit) => {
    const ratio = hit.ours.p50 / hit.floor.p50;
    const rates = hit.throughput.floor.requestsPerSecond / hit.throughput.ours.requestsPerSecond;
    return `| ${hit.tasks} | ${hit.jsonBytes} | ${fixed(hit.ours.p50, 2)} | ${fixed(hit.floor.p50, 2)} | **${fixed(ratio, 2)}** | ${fixed(hit.pairRatio, 2)} | ${fixed(hit.ours.p90)} | ${fixed(hit.floor.p90)} | ${fixed(hit.ours.cpuMs, 2)} | ${fixed(hit.floor.cpuMs, 2)} | ${fixed(hit.throughput.ours.requestsPerSecond, 0)} | ${fixed(hit.throughput.floor.requestsPerSecond, 0)} | ${fixed(rates, 2)} | ${hit.upstreamCalls} |`;
  });
  return [header, ...rows].join("\n");
}

function missFloorTable(misses: readonly MissCompare[]): string {
  const header =
    "| tasks | XML bytes | JSON bytes | never-seen p50 ms | refresh p50 ms | relay p50 ms | **p50 never-seen / relay** | p50 refresh / relay | never-seen − relay ms | refresh − relay ms | median of pair ratios (never-seen, refresh) | CPU ms/req never-seen / refresh / relay |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const rows = misses.map((miss) => {
    const { neverSeen, refresh, relay } = miss;
    return `| ${miss.tasks} | ${miss.xmlBytes} | ${miss.jsonBytes} | ${fixed(neverSeen.p50)} | ${fixed(refresh.p50)} | ${fixed(relay.p50)} | **${fixed(neverSeen.p50 / relay.p50, 2)}** | ${fixed(refresh.p50 / relay.p50, 2)} | ${fixed(neverSeen.p50 - relay.p50)} | ${fixed(refresh.p50 - relay.p50)} | ${fixed(miss.pairRatio.neverSeen, 2)}, ${fixed(miss.pairRatio.refresh, 2)} | ${fixed(neverSeen.cpuMs)} / ${fixed(refresh.cpuMs)} / ${fixed(relay.cpuMs)} |`;
  });
  return [header, ...rows].join("\n");
}

/** Where a request's time goes, from the Worker's own `Server-Timing`, beside the client's latency and workerd's CPU. */
function phaseTable(http: HttpResult): string {
  const cases: [string, Summary][] = [
    ...http.hits.map((hit): [string, Summary] => [`hit, ${hit.tasks} tasks`, hit.ours]),
    ...http.misses.flatMap((miss): [string, Summary][] => [
      [`never-seen miss, ${miss.tasks} tasks`, miss.neverSeen],
      [`forced refresh, ${miss.tasks} tasks`, miss.refresh],
    ]),
  ];
  const header =
    "| request | client p50 ms | client mean ms | `total` | `kv` | `upstream` | `decode` | rest of `total` | outside `total` | workerd CPU ms/req |\n" +
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const rows = cases.map(([name, summary]) => {
    const { total = Number.NaN, kv = 0, upstream = 0, decode = 0 } = summary.phases;
    return `| ${name} | ${fixed(summary.p50, 2)} | ${fixed(summary.mean, 2)} | ${phase(summary, "total")} | ${phase(summary, "kv")} | ${phase(summary, "upstream")} | ${phase(summary, "decode")} | ${fixed(total - kv - upstream - decode)} | ${phase(summary, "outside")} | ${fixed(summary.cpuMs, 2)} |`;
  });
  return [header, ...rows].join("\n");
}

type PipelineTargets = { text: string; targets: string[] };

/** The issue's targets for the pipeline inside workerd: judged on wall time per run (its measure), CPU beside it. */
function pipelineTargetRows(pipeline: PipelineResult): string[] {
  return pipeline.targets.map(
    (target) =>
      `| the whole miss pipeline inside workerd under ${target.limitMs} ms per run at ${target.tasks} tasks (wall; CPU beside) | ${met(target.met)}: ${fixed(target.perRunMs, 3)} ms wall per run (CPU ${fixed(target.cpuPerRunMs, 3)} ms) (section 2; wall time grows on a loaded machine, CPU time does not) |`,
  );
}

function pipelineTable(rows: readonly PipelineRow[], limits: Readonly<Record<number, number>>): string {
  const sizes = [...new Set(rows.map((row) => row.tasks))];
  const header =
    "| tasks | XML bytes | **current wall ms/run** | current CPU ms/run | current ms/run, workerd's clock | current t(n=1) / t(n=21) ms | previous wall ms/run | previous CPU ms/run | current / previous (wall, CPU) | target |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
  const lines = sizes.map((tasks) => {
    const current = rows.find((row) => row.tasks === tasks && row.pipeline === "current");
    const previous = rows.find((row) => row.tasks === tasks && row.pipeline === "previous");
    const limit = limits[tasks];
    const wall = (row: PipelineRow | undefined): number => row?.perRunMs ?? Number.NaN;
    const cpu = (row: PipelineRow | undefined): number => row?.cpuPerRunMs ?? Number.NaN;
    const target = limit === undefined ? "" : `under ${limit} ms: ${met(wall(current) < limit)}`;
    return `| ${tasks} | ${current?.xmlBytes ?? previous?.xmlBytes ?? "–"} | **${fixed(wall(current), 3)}** | ${fixed(cpu(current), 3)} | ${fixed(current?.insideRunMs ?? Number.NaN, 3)} | ${fixed(current?.oneRunMs ?? Number.NaN, 1)} / ${fixed(current?.manyRunsMs ?? Number.NaN, 1)} | ${fixed(wall(previous), 3)} | ${fixed(cpu(previous), 3)} | ${fixed(wall(current) / wall(previous), 2)}, ${fixed(cpu(current) / cpu(previous), 2)} | ${target} |`;
  });
  return [header, ...lines].join("\n");
}

function pipelineSection(pipeline: Results["pipeline"]): PipelineTargets {
  const heading = "## 2. Miss pipeline inside workerd";
  if ("error" in pipeline)
    return {
      text: `${heading}\n\nNot measured in this run: ${pipeline.error}`,
      targets: [
        "| the whole miss pipeline inside workerd under 4 ms per run at 1000 tasks, under 0.2 ms at 50, under 10 ms at 2000 | not measured (section 2) |",
      ],
    };
  const limits = Object.fromEntries(pipeline.targets.map((target) => [target.tasks, target.limitMs]));
  const repeats = pipeline.rows.find((row) => row.pipeline === "current")?.repeats ?? 0;
  const previousRepeats = pipeline.rows.find((row) => row.pipeline === "previous")?.repeats;
  const text = `${heading}

bench/pipeline is a throwaway Worker under \`wrangler dev\` (${pipeline.runtime}) that, for \`POST /?n=…\` with a SOAP
answer as its body, runs the Worker's miss pipeline n times on it: decode → valibot \`BatchTasksBodySchema\` →
\`JSON.stringify\` (bytes in, the validated JSON string out: what is cached and sent). Same bytes as section 1. The
cost per run is (median t(n=21) − median t(n=1)) / 20, which cancels the request's own cost (upload, routing): issue
9's measure, timed by the client (**wall**), over ${repeats} timed pairs per size${previousRepeats === undefined ? "" : ` (${previousRepeats} for the previous pipeline)`}, the order alternating, after 5 warm-up
requests. Beside it, the same difference of the **CPU** time of the workerd process that runs the Worker (Linux
\`/proc\`, all threads). Wall time also grows while workerd waits for a core that other processes hold, so on a loaded
machine it overstates the pipeline's cost and CPU time is the steadier figure; the targets are judged on wall time, as
the issue defines them. CPU time counts every thread, garbage collection on V8's helper threads included; **workerd's
clock** is the Worker's own measure of its runs (its \`elapsedMs\`, median over requests, divided by the runs), the
isolate's main thread alone: requests of 201 runs up to 200 tasks, as that clock moves in whole milliseconds, and the
21-run requests above. **Previous** is the pipeline before issue 9 (the saxes tree decoder, plain valibot) in the same
Worker and the same run: its ratio to ours does not depend on the machine. The 2000-task row is what the two targets
are for (the issue's words: "so that 2,000 tasks fit the Free plan's 10 ms" of CPU per invocation), measured directly;
the previous pipeline is not measured there, where its 21 runs would take seconds per request.

${pipelineTable(pipeline.rows, limits)}

**The absolute targets on this machine** (recorded by hand). The issue's own figures for the previous pipeline were
1.0 ms at 50 tasks and 22 ms at 1000 inside workerd; this machine runs that same previous pipeline 3.5 to 5.7 times
slower, depending on the hour (the table above, and earlier runs), and the between-requests measure moves by half
within minutes. With the decoder of commit d687c30, two runs of this measure alone gave 0.24–0.26 ms per run at 50
tasks and 3.6–4.1 ms at 1000 (the 1000-task target met in one of them, the 50-task one in neither); the full \`npm run bench\` twenty minutes later gave 0.29 and 6.9
ms, with the previous pipeline at 81 ms and every other contestant slower too. Timed by workerd's own clock inside
the request (the table's column; bench/pipeline's \`elapsedMs\`), the same code cost 0.18–0.19 ms per run at 50
tasks and 3.6–3.8 ms at 1000 in two separate runs; run in a steady state in a Miniflare isolate, 0.16–0.19 and 3.2–3.45 ms (decode 1.7,
valibot 0.25, \`JSON.stringify\` 1.2–1.3 at 1000). The current pipeline costs 0.05–0.09 of the previous one in the
same run, CPU or wall, which on the issue's machine would be about 0.1 ms at 50 tasks and 1–2 ms at 1000: inside both
targets, as a projection, not a measurement. At 2000 tasks the cost grows faster than the task count: 12.4 ms per run
by this measure in a separate run at commit ca62e7a, and 8.4–14 ms in a steady state in a Miniflare isolate against
3.6–6.9 ms at 1000 in the same runs. The extra is the isolate's heap, not our code, by inference: \`JSON.stringify\`
of the same 2000 tasks took 5.5 ms (linear, 2.7 ms per 1000) in a fresh isolate and 9.6–15.8 ms after the isolate
had decoded other answers, and in the latter it crossed from 2.4 to 5.4 ms per 1000 tasks between 1200 and 1400
tasks, for one-byte and UTF-16 answers alike, so not with the output's size in bytes.

**Where the time goes** (\`node --cpu-prof\` on the 945 KB, 1000-task answer; V8 profiles of the Worker through
\`wrangler dev\`'s inspector). In Node, shares of the 1000-task pipeline: \`JSON.stringify\` 33%; the decoder 43% (the
task pattern's compiled code 14%, building captures and values from its match 20%, the envelope, entity references
and parameter pairs 9%); the valibot fast path 11%; garbage collection 4%. The task pattern (src/soap/task-pattern.ts)
halved the decoder: 4.5 ms per 1000 tasks before it, 2.3 ms with it. Five smaller changes at commits 701544e–d687c30
took another 13–18% off it (A/B against 89829b0, interleaved in one process: 2.3 to 1.95 ms per 1000 tasks in Node,
2.0 to 1.7 ms in workerd; the whole pipeline 6–9% in Node and 8% in workerd):
- entity references in matched text are read by an \`indexOf\` loop; \`replace\` with a callback cost a task holding a
  reference about twice what matching the whole task cost (a sixth of the decoder's profile came from the 3 seed
  tasks in 16 that hold one);
- one search for \`&\` serves all tasks, instead of one search of each task's text;
- a dictionary's pairs are read by their fixed shape instead of by a second pattern, and its keys are checked by one
  count of its own keys instead of one lookup each (a lookup hashes a fresh slice of the answer);
- a known state is found by comparison and returned as the shared string, instead of a set lookup that hashes the
  slice.

In the Worker, a never-seen 1000-task miss spent its isolate's busy time (before those five changes, and before the
entry became bytes, section 4b) on reading the
body (strict UTF-8 decoding and copying 948 KB) 26%, \`JSON.stringify\` 20%, the decoder 17%, serialising the KV write
12%, valibot 4%, the ETag's SHA-256 4%. In Node the serialisation alone is 0.01–0.015 of node-soap's time. Tried
without gain: reading UTF-8 bytes instead of characters (\`TextEncoder.encodeInto\` alone costs about 1 ms per run in
workerd), a packed name trie, a lookup table for name characters, predicting each task field's name from the
contract's order instead of the trie (5–10% slower), the task pattern with the \`u\` flag (about 6% slower than
spelling out surrogate pairs) or allowing whitespace between elements (8% slower; WCF writes none, and an indented
answer is read by the character loop), a separate loop for the pattern's string fields (no measurable gain),
\`response.arrayBuffer()\` instead of reading a declared body chunk by chunk (no gain measurable here, and it would
trust \`Content-Length\` to bound the read), and a hand-written serialiser that writes the same JSON by concatenation
(1.5 against 1.4 ms for \`JSON.stringify\` at 1000 tasks in workerd, 1.2 against 0.9 for a one-byte answer).

**What \`JSON.stringify\` costs depends on how V8 holds the strings**, not on our code. Any string of 13 or more
characters cut from the answer (a pattern's capture, any substring) is a slice of it (V8's SlicedString), and
workerd's \`JSON.stringify\` serialises slices far more slowly than flat strings. V8's source says why: its fast
serialiser (\`FastJsonStringifier\` in src/json/json-stringifier.cc, \`TrySerializeSimpleObject\`) takes sequential,
external, thin and internalized strings, and at the first slice or rope it meets (\`default: return SLOW_PATH\`) the
whole call is serialised again by the general serialiser. Any answer with one value of 13 characters or more (a
date with its fraction is 27) holds such a slice, so in practice every call of ours takes the general one. Measured inside workerd at 1000 tasks: 1.3–1.85 ms for the
decoder's tasks against 0.6–0.9 ms for the same values as flat strings (made by \`JSON.parse\`), and, for an answer in
one-byte characters, 0.8–1.3 against 0.35–0.55 ms. Copies cost more than they save: concatenating each string and
letting the serialiser flatten it took 2.35 ms for copying and serialising against 1.85 ms for the slices, and
\`JSON.parse\` of each string 3.15 ms; \`[s, ""].join("")\`, \`"".concat(s)\` and \`s.repeat(1)\` hand back the slice
itself. Only internalizing each string of 13 or more characters (reading it as a property key of an empty object, so
that V8 keeps one copy in its string table and turns the slice into a pointer to it) let the fast serialiser run:
1.0 ms of lookups for 0.65 ms of serialising, against 0.5 and 1.5 ms for the same walk without them. Not done: it
would put every distinct value of every answer into the isolate's string table and old generation, and the
benchmark's answer, 16 seed tasks repeated, would flatter it (a repeated value is found, not added). One character above U+00FF anywhere in an answer (an en dash, a curly quote, an
emoji; one of the 16 seed tasks holds an en dash and an emoji) also makes V8 hold the whole text, and every slice of
it, as UTF-16, which costs the serialiser about half as much again; an answer in Latin-1 characters only (Norwegian
included) avoids that.

**The pipeline's three phases now** (a steady state in a Miniflare isolate, each timed over many runs, recorded by
hand), at 50 and at 1000 tasks: decode 0.09–0.10 and 1.8–1.85 ms (at 1000 tasks, matching the task pattern alone
takes 0.65 ms and building its captures 0.2 ms more), valibot 0.013–0.018 and 0.33 ms, \`JSON.stringify\`
0.063–0.075 and 1.5–2.55 ms (the larger figures when a collection of the previous runs' garbage lands in it). In a
V8 CPU profile of 300 such runs at 1000 tasks (through the inspector, which slows every phase), \`JSON.stringify\`
took 52% of the samples, the decoder 37% and valibot 7.5%: the general serialiser above is now the largest share.

A request of 21 runs allocates tens of megabytes (tasks, strings, validated copies, JSON), so the figures move with the
garbage collector. In some requests the decode and the UTF-16 stringify (not the one-byte one) took 2 to 3 times as
long as in a steady state, by inference the ones in which a major collection was under way. \`node --trace-gc\` shows
the same in Node: while V8 marks the old generation, \`JSON.stringify\` runs 3–4 times and the decoder 1.5 times
slower; and at 10,000 tasks the tasks built so far outgrow V8's young generation, so each scavenge (10–45 ms) copies
them again: the decoder takes 35–40 ms there instead of ten times its 1000-task time, which is why the 10,000-task
ratio in section 1 is about twice the others (with \`--max-semi-space-size=64\` it is linear; returning the validated
input instead of a copy from the valibot fast path, one object per task fewer for the scavenger, was 12–16% faster
there and no faster at 1000). Text built by appending chunks (a V8 rope) is slower still: decoding the 945 KB answer
from a rope took 14 ms in Node against 4.9 ms from a flat string (6.3 against 4.5 ms in workerd); the Worker joins a
streamed answer's pieces once (src/upstream/body.ts), which matters when SuperOffice compresses or chunks its answers,
and section 1 decodes the text as the Worker holds it.
`;
  return { text, targets: pipelineTargetRows(pipeline) };
}

type HttpTargets = {
  text: string;
  hitOk: boolean | null;
  missOk: boolean | null;
  missNote: string;
  hitFloor: string;
  missFloor: string;
};

function httpSection(http: Results["http"]): HttpTargets {
  if ("error" in http)
    return {
      text: `## 3. Hit path and 4. Miss path\n\nNot measured in this run: ${http.error}`,
      hitOk: null,
      missOk: null,
      missNote: "",
      hitFloor: "not measured",
      missFloor: "not measured",
    };
  const { hit, miss, hits, misses, settings } = http;
  const ratio = hit.hit.requestsPerSecond / hit.floor.requestsPerSecond;
  const added = miss.worker.p50 - miss.emulator.p50;
  const runtime = miss.relay.p50 - miss.emulator.p50;
  const ours = miss.worker.p50 - miss.relay.p50;
  const beyondDecode = added - miss.decodeMs;
  const hitRatios = hits.map((row) => ({ tasks: row.tasks, ratio: row.ours.p50 / row.floor.p50 }));
  const missRatios = misses.map((row) => ({ tasks: row.tasks, ratio: row.neverSeen.p50 / row.relay.p50 }));
  const verdict = (ratios: { tasks: number; ratio: number }[]): string =>
    `${met(ratios.every((row) => row.ratio <= FLOOR_LIMIT))}: ${ratios.map((row) => `${row.tasks} tasks ${fixed(row.ratio, 2)}`).join(", ")}`;
  const missRounds = Object.entries(settings.rounds)
    .map(([tasks, rounds]) => `${rounds} at ${tasks} tasks`)
    .join(", ");
  const text = `## 3. Hit path

### 3a. Against a constant body of the same bytes (\`wrangler dev\`, sequential requests, interleaved)

Our Worker serving a cached answer (\`GET /v1/batch-tasks?associateIds=<owner of the group>&state=All\`, from the
isolate's memory tier) against the constant-body Worker of bench/floor/constant, which answers the very bytes our Worker
sent (stored into it at the start, ETag included) with the same headers. Both run under \`wrangler dev\` on this machine
at once, with the same static-assets routing (the floor Workers' wrangler.toml has an \`[assets]\` section like ours: under
\`wrangler dev\` a Worker with assets answers through miniflare's asset router, a hop that measured about 0.7 ms of CPU per
request and would otherwise be charged to our code); ${settings.pairs} request pairs per size over one kept-alive connection each, alternating one by one (the order flipping
every pair), after ${Math.ceil(settings.pairs / 10)} warm-up pairs. The task groups are written by the emulator (bench/workload.ts
\`groupTasks\`: the Services85 seed tasks cycled, every field shape). Then throughput: autocannon, ${settings.connections} connections,
${settings.throughputRounds} rounds of ${settings.throughputSeconds} s per contestant, alternating.

The target is judged on **p50 latency**: it is what a caller waits for, and sequential requests keep the two
contestants from competing for the machine's two cores. Throughput under load and workerd's CPU time per request are
shown beside it. CPU ms/req is the CPU time (from \`/proc\`, all threads) of the workerd process that runs the Worker
(\`wrangler dev\` runs two: a proxy on the public port, the same for every Worker, and this one, which also runs
miniflare's entry and asset Workers and the KV simulator); it does not grow when other processes hold the cores, so
it is the steadiest of the three on a shared machine.

${hitFloorTable(hits)}

### 3b. Against \`/healthz\` (autocannon, ${hit.connections} connections, ${hit.rounds} alternating rounds of ${hit.seconds} s each)

| route | requests/s | p50 ms | p99 ms | non-2xx + errors | upstream calls during the load |
|---|---:|---:|---:|---:|---:|
| \`GET ${hit.hit.path}\` (cached) | ${hit.hit.requestsPerSecond.toFixed(0)} | ${hit.hit.p50.toFixed(1)} | ${hit.hit.p99.toFixed(1)} | ${hit.hit.non2xx} | ${hit.hit.upstreamCalls} |
| \`GET /healthz\` (floor) | ${hit.floor.requestsPerSecond.toFixed(0)} | ${hit.floor.p50.toFixed(1)} | ${hit.floor.p99.toFixed(1)} | ${hit.floor.non2xx} | – |

**hit / floor throughput: ${ratio.toFixed(2)}** (target ≥ 0.8: ${met(ratio >= 0.8)}). Zero upstream calls during the hit load shows every
request was served from the cache; the decoder does not run on a hit (the cache stores the validated JSON body, as
the UTF-8 bytes it sends).

## 4. Miss path

### 4a. Against the relay (\`wrangler dev\`, sequential requests, interleaved)

Rounds of three requests, the order rotating every round (${missRounds}, after 5 warm-up rounds):
a miss for a **never-seen** associate set (the group's owner plus an id no one asked for before, so neither memory nor
KV holds it: \`fwd=miss\`), a **forced refresh** of the group's own question, whose answer is in memory
(\`Cache-Control: no-cache\`: \`fwd=request\`), and the **relay** Worker of bench/floor (with the same assets routing as ours, see
3a) relaying the never-seen question's SOAP exchange untouched (the same request bytes our Worker sends; it returns
the XML, our Worker the JSON).
Every request of a round reaches the emulator, which writes the answer anew each time (so its own time is part of
every contestant's).

${missFloorTable(misses)}

CPU ms/req is the CPU time per request of the workerd process that runs the Worker (as in 3a): for our Worker it
includes the KV simulator, which runs in that process, and the work each request leaves to \`waitUntil\` (the KV
write of its answer).

### 4b. Where the time goes

The Worker's \`Server-Timing\` per request (mean ms over the requests above; workerd's clock counts whole milliseconds,
and under \`wrangler dev\` it also advances during CPU work, so \`decode\` is real here, while in production it reads 0):
\`kv\` is the KV reads (cache generation, entry), \`upstream\` the SOAP exchange up to the last byte of the answer
(the emulator's own time included), \`decode\` the XML decode, validation, \`JSON.stringify\` and the ETag's SHA-256;
"rest of \`total\`" is everything else inside the Hono app (routing, authentication, query parsing, cache bookkeeping,
building the response). "Outside \`total\`" is client latency minus \`total\`: workerd receiving the request
and sending the body, middleware outside the timer (request id), the connection and the client.

${phaseTable(http)}

**What stands between these figures and the targets** (recorded by hand from A/B runs of switched copies of the
Worker, interleaved, runtime CPU per request; see also the load test's notes). Hit: what was found and is fixed: the
per-request log line (+0.5–0.7 ms of CPU, now written after the answer leaves), the static-asset lookup in front of
the API (+1.0–1.35 ms, now skipped with \`run_worker_first\`), the API-key check (1.4 ms with 1 key, 2.9 ms with 64,
now the same for any number); what remains at 50 tasks is the middleware chain itself (request id, timing, auth,
tenant, query validation: 0.25–0.35 ms) and \`wrangler dev\`'s own proxying of the answer, the
remaining gap at 50 tasks. Never-seen miss: the KV write of each new answer runs, under \`wrangler dev\`, in the KV
simulator inside the Worker's own workerd process, and costs 11.7–17.8 ms of CPU for a 586 KB value, landing on the
next request (a hit right after a 1000-task never-seen miss: p50 28.6 ms, against 17.7 ms after a 300 ms pause and
14.4 ms with the write skipped). On Cloudflare a KV write is done by the storage service, not in the isolate: only
its serialization is the Worker's. The \`decode\` phase of a 1000-task miss (12–14 ms here, 17–19 ms before the task pattern) also holds the ETag's
SHA-256 and the body's UTF-8 encoding, and runs once per request, not after warm-up as in section 2. A never-seen question no longer waits for a slow KV lookup before asking SuperOffice
(\`KV_HEDGE_MS\`), but a local KV answers within the hedge, so this section does not show that gain.

**The entry is the body's UTF-8 bytes** (commits 5e4f0f8, 764a57f). Before, the cache kept the body as a string, and
three places turned it into UTF-8 again: the ETag's SHA-256 (of the tasks' JSON), KV's \`put\`, and the \`Response\`;
a hit encoded it once more, and a hit from KV also decoded KV's bytes into a string first. In workerd, encoding the
585,000 characters of a 1000-task body (UTF-16, as an answer with one character above U+00FF is) costs 0.5–0.6 ms each
time, and \`new Response(string)\` 0.42–0.58 ms against 0.04 ms for the bytes. Now the body is encoded once, the ETag
hashes the tasks' bytes within it, and KV and every response take the bytes as they are; and the body is serialised as
one flat string (an object literal in the body's key order), where the old template around the tasks' JSON made a
rope, which had to be copied flat before it could be encoded. Measured in a Miniflare isolate (serialising, tagging,
KV's copy and the response, steady state, old and new interleaved, four runs): a miss 5.1–6.6 → 2.8–3.1 ms at 1000
tasks (4.0 with the bytes alone, before the flat string) and 0.195–0.20 → 0.125–0.135 ms at 50; building a hit's
response 0.6–0.7 → about 0.04 ms at 1000 tasks (a copy, not an encoding). The constant-body floor of 3a keeps bytes too, as ours does, so 3a
compares the same work. What it costs: the two ways out that re-shape the body now decode its bytes first, REST once
per entry and selection (it keeps its shapes), Workers RPC on every call, where decoding and parsing a 1000-task body
take 2.3 ms against 1.1 ms for parsing a string (0.09 against 0.06 ms at 50 tasks). The bundle grew by 222 bytes, 134
gzip (7c91b3d → this change).

Where a never-seen 1000-task miss spends the Worker's CPU, from a V8 CPU profile of the Worker itself (unminified,
through \`wrangler dev\`'s inspector, 40 misses, commit 03a881c; shares of the samples in which the isolate was busy):
reading the body (strict UTF-8 decoding of 948 KB and its copy into one buffer) 26%, \`JSON.stringify\` of the tasks
20%, the one-pass decoder with its task pattern 17% (26% before the pattern), the KV write (serializing the entry for
\`put\`) 12%, valibot 4%, the ETag's SHA-256 4%. Outside the decoder, these are the runtime's own native routines on
the answer's bytes, each run once.

### 4c. Forced misses of the seed answer (${miss.requests} sequential, interleaved with the same SOAP call through the relay and straight to the emulator)

Misses forced by \`Cache-Control: no-cache\`; query \`associateIds=${MISS_QUERY.associateIds.join(",")}&state=All\`: all ${miss.tasks} seed tasks a
Services85 answer carries. The relay Worker (bench/floor) runs under the same \`wrangler dev\` and only passes the SOAP
call through: it is the runtime's own cost of one subrequest, as \`/healthz\` is for the hit path.

| | p50 ms | p99 ms |
|---|---:|---:|
| through the Worker (forced miss) | ${miss.worker.p50.toFixed(2)} | ${miss.worker.p99.toFixed(2)} |
| through the relay Worker (runtime floor) | ${miss.relay.p50.toFixed(2)} | ${miss.relay.p99.toFixed(2)} |
| emulator directly | ${miss.emulator.p50.toFixed(2)} | ${miss.emulator.p99.toFixed(2)} |
| **Worker-added: Worker − emulator** | **${added.toFixed(2)}** | |
| of which the runtime's subrequest: relay − emulator | ${runtime.toFixed(2)} | |
| of which our code: Worker − relay | ${ours.toFixed(2)} | |
| decode of this ${miss.tasks}-task answer (ours, in Node) | ${miss.decodeMs.toFixed(3)} | |

Target "Worker-added under 2 ms plus decode", as defined (Worker − emulator − decode = ${beyondDecode.toFixed(2)} ms): ${met(beyondDecode < 2)}.
Our code's share (Worker − relay − decode = ${(ours - miss.decodeMs).toFixed(2)} ms): ${met(ours - miss.decodeMs < 2)}; the rest is what
\`wrangler dev\`'s workerd spends on any outbound fetch, which no Worker code avoids.`;
  const missNote = `Worker − emulator − decode ${beyondDecode.toFixed(2)} ms, of which the runtime's subrequest ${runtime.toFixed(2)} ms and our code ${(ours - miss.decodeMs).toFixed(2)} ms`;
  return {
    text,
    hitOk: ratio >= 0.8,
    missOk: beyondDecode < 2,
    missNote,
    hitFloor: verdict(hitRatios),
    missFloor: verdict(missRatios),
  };
}

/** The issue's limit on the Worker bundle: 100 KB (10^5 bytes) of gzip. */
const BUNDLE_GZIP_LIMIT = 100_000;

function sizeTable(files: readonly FileSize[], total: boolean): string {
  const sum = (pick: (file: FileSize) => number): number => files.reduce((all, file) => all + pick(file), 0);
  return [
    "| file | bytes | gzip bytes |",
    "|---|---:|---:|",
    ...files.map((file) => `| \`${file.name}\` | ${file.bytes} | ${file.gzipBytes} |`),
    ...(total ? [`| total | ${sum((file) => file.bytes)} | ${sum((file) => file.gzipBytes)} |`] : []),
  ].join("\n");
}

type BundleTargets = { text: string; target: string };

function bundleSection(bundle: Results["bundle"]): BundleTargets {
  const heading = "## 5. Bundle and static assets (`wrangler deploy --dry-run --outdir bench/.out/bundle`)";
  if ("error" in bundle)
    return { text: `${heading}\n\nNot measured in this run: ${bundle.error}`, target: "not measured (section 5)" };
  const main = bundle.files.find((file) => file.name === "index.js");
  const target =
    main === undefined
      ? "not measured: the bundle has no index.js (section 5)"
      : `${met(main.gzipBytes < BUNDLE_GZIP_LIMIT)}: \`index.js\` ${main.gzipBytes} bytes gzip, ${main.bytes} raw (section 5)`;
  const missing =
    bundle.missingAssets.length === 0
      ? ""
      : `\n\nNot in public/ at this run, so not measured: ${bundle.missingAssets.map((name) => `\`${name}\``).join(", ")} (copied there by \`npm run assets\`).`;
  const text = `${heading}

The Worker, as \`wrangler deploy\` would upload it (gzip: Node's zlib at its default level)${bundle.wranglerTotal === "" ? "" : `; wrangler's own count: "${bundle.wranglerTotal}"`}.

${sizeTable(bundle.files, false)}

Target "Worker bundle under 100 KB gzip" (${BUNDLE_GZIP_LIMIT} bytes of \`index.js\` gzip): ${target.replace(/ \(section 5\)$/, "")}.

Module start-up: **${bundle.startupMs.toFixed(1)} ms**, the median over ${bundle.startupRuns} fresh Node processes of \`await import()\` of the
bundled \`index.js\` (parse, compile and top-level evaluation of the whole Worker module; excludes process and workerd
start). Node has no \`cloudflare:workers\` (workerd's built-in module; src/rpc.ts extends its \`WorkerEntrypoint\`), so a
module resolve hook stands in for it with \`WorkerEntrypoint\` an empty class and \`env\` an empty object, all the
module's top level needs. A one-line module imported the same way, in processes alternating with those, takes
${bundle.startupFloorMs.toFixed(1)} ms: Node's own cost of loading any file, included in the Worker's figure. Recorded once by hand before the
parser change (commit 0a7d164, xmldom bundled): 379197 bytes, 85258 gzip.

What each of issue 10's additions costs the bundle, recorded once by hand (commit 5e66c99, minified as deployed:
233192 bytes raw, 68887 gzip; each row is the whole bundle built without that addition, subtracted from the whole
bundle with it; gzip -9):

| addition | raw bytes | gzip bytes |
|---|---:|---:|
| OpenAPI document served at \`/openapi.json\` (src/http/openapi.generated.json; the generator, \`@valibot/to-json-schema\`, is not bundled) | 58442 | 9814 |
| observability: \`Server-Timing\` (\`hono/timing\` and the kv, upstream and decode phases of src/call-context.ts), the per-request log line (src/http/observability.ts), \`hono/request-id\` and the request id in every log line | 3422 | 1208 |
| SuperOffice REST route (src/http/routes/rest.ts and its \`/api/*\` middleware) | 2987 | 1029 |
| Workers RPC entrypoint (src/rpc.ts, the \`BatchTasks\` export of src/index.ts) | 2931 | 988 |
| typed client (src/client.ts, \`hono/client\`): imported by callers, not by the Worker (neither is among the bundle's sources) | 0 | 0 |
| monitor page and API reference (public/): static assets, see below | 0 | 0 |

The observability row leaves in what the rest of the Worker needs: a request id (a bare \`crypto.randomUUID()\`, which
problems and RPC errors still carry, and the parameters that pass it down), the other log lines (src/log.ts) and
\`hono/combine\` (authentication's \`except\`). Of its cost, \`Server-Timing\` and the request line are 2714 bytes raw,
1054 gzip; \`hono/request-id\` instead of a bare id 231 raw, 92 gzip; the id in the other log lines 477 raw, 62 gzip.
REST and RPC removed together save 5918 bytes raw, 1960 gzip (one row at commit 46e16f4: 3851 raw, 1298 gzip).

Minifying (\`minify = true\` in wrangler.toml, with source maps uploaded) takes the whole bundle at that commit from
462353 bytes raw, 99906 gzip, to 233192 raw, 68887 gzip: unminified it would sit at the 100 KB limit.

Issue 9's task pattern (src/soap/task-pattern.ts), the plain attribute-value patterns and the other changes of the same
session (commit d36dd3a to 114094b, \`wrangler deploy --dry-run\` of each, recorded by hand) grew \`index.js\` from
232514 to 235853 bytes raw (+3339) and from 69090 to 70335 gzip (+1245). The five smaller decoder changes of the
next session (section 2; commit 89829b0 to ca62e7a, measured the same way) added 635 bytes raw and 236 gzip.

### Static assets (public/)

The monitor page (\`/\`), the API reference page (\`/docs\`) and their files: every file in public/ but \`_headers\` and
what public/.assetsignore leaves out, served by Workers static assets. Workers uploads them beside the script, with
their own limits (25 MiB per file), so they do not count toward the Worker bundle's size above.

${sizeTable(bundle.assets, true)}${missing}`;
  return { text, target };
}

/** What the load test's part says until `npm run loadtest` has written it. */
const LOADTEST_NOT_RUN = `## Load test (\`npm run loadtest\`)

Not recorded yet: \`npm run loadtest\` writes its figures here (and bench/.out/loadtest.md).`;

/** BENCHMARKS.md from one run's results; the load test's part is kept as it was. */
export function renderReport(results: Results): string {
  const { decode } = results;
  const ratios = decode.map((row) => ratioToSoap(row));
  const ratioList = (digits: number): string =>
    decode.map((row, index) => `${row.tasks}: ${ratios[index]?.toFixed(digits)}`).join(", ");
  const fifty = decode.find((row) => row.tasks === 50)?.ms.ours;
  const pipeline = pipelineSection(results.pipeline);
  const http = httpSection(results.http);
  const bundle = bundleSection(results.bundle);
  const parseOnlyRatios = decode
    .map(
      (row) => `${row.tasks}: ${((row.ms["xmldom parse only"] ?? Number.NaN) / (row.ms["node-soap"] ?? Number.NaN)).toFixed(2)}`,
    )
    .join(", ");
  const work = (Object.entries(CONTESTANT_WORK) as [ContestantName, string][]).map(([name, text]) => `- **${name}**: ${text}`);
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts), except the load test's part, which \`npm run loadtest\` writes between its
markers and \`npm run bench\` keeps as it is; do not edit by hand. Absolute times on this shared 2-core machine are
noisy: most targets are judged on ratios measured side by side in one run; those of the miss pipeline inside workerd
are absolute times per run, as issue 9 defines them (wall time, with CPU time beside it).

| | |
|---|---|
| date | ${results.date.toISOString()} |
| command | \`npm run bench\` (${results.seconds.toFixed(0)} s) |
| commit | ${commit()} |
| machine | ${cpus().length} cores (\`nproc\`), ${cpuModel()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} |
| Node | ${process.version} |
| wrangler / workerd | ${version("wrangler")} / ${version("workerd")} |
| saxes / @xmldom/xmldom / soap (node-soap) | ${version("saxes")} / ${version("@xmldom/xmldom")} / ${version("soap")} |
| valibot / autocannon | ${version("valibot")} / ${version("autocannon")} |

## Targets

| target | result |
|---|---|
| decode at least as fast as node-soap at every size (ours / node-soap ≤ 1.0) | ${met(ratios.every((ratio) => ratio <= 1))}: ${ratioList(2)} (section 1) |
| decode at least 20 times as fast as node-soap at every size (ours / node-soap ≤ 0.05) | ${met(ratios.every((ratio) => ratio <= 0.05))}: ${ratioList(3)} (section 1) |
| a 50-task response decoded in under 5 ms (Node) | ${met(fifty !== undefined && fifty < 5)}: ${ms(fifty)} ms (section 1) |
${pipeline.targets.join("\n")}
| no more memory than before issue 9 at ${results.heapTasks} tasks | ${heapTarget(results.heap)} |
| a hit costs at most ${FLOOR_LIMIT} × a constant body of the same bytes (p50 latency) | ${http.hitFloor} (section 3a) |
| a never-seen miss costs at most ${FLOOR_LIMIT} × the relay of the same SOAP exchange (p50 latency) | ${http.missFloor} (section 4a) |
| hit-path throughput ≥ 0.8 × \`/healthz\` | ${http.hitOk === null ? "not measured" : met(http.hitOk)} (section 3b) |
| Worker-added miss latency < 2 ms + decode | ${http.missOk === null ? "not measured" : `${met(http.missOk)}: ${http.missNote}`} (section 4c) |
| Worker bundle under 100 KB gzip | ${bundle.target} |

## 1. Decode (the miss path's CPU), in one Node process

Same bytes for every contestant: a WCF-style answer written by the emulator's \`successEnvelope\` with synthetic tasks
cycling over the 16 seed tasks (nils, escapes, Unicode, parameters, Carrier members). Each contestant is warmed up,
then timed in interleaved rounds whose order rotates; the table shows the median ms per response, and each ratio is
the median of the per-round ratios. MB/s is XML bytes per second (JSON bytes for the floor).

${work.join("\n")}

${decodeTable(decode)}

Memory for the ${results.heapTasks}-task response (${((decode.find((row) => row.tasks === results.heapTasks)?.xmlBytes ?? 0) / MB).toFixed(1)} MB of XML), one decode in a fresh process after a full GC, median of 3
processes. Growth includes garbage not yet collected, so it is an upper bound on what the decode needs at its peak;
ours, the previous pipeline and xmldom include the validated copy and the JSON string, node-soap only its object tree.

${heapTable(results.heap)}

### Which decoder, and why

The Worker decodes an answer with the **one-pass decoder** (src/soap/one-pass.ts): a scanner that reads the text once,
checks well-formedness as it goes (tags nest and close, namespace declarations and prefixes, the five predefined
entities and character references, CDATA, comments, processing instructions, the XML declaration) and builds the task
objects directly, with no parser events and no element tree for the task list. A task as WCF writes it (members in
WSDL order, no whitespace, plain text with the predefined entities) is matched whole by one regular expression, the
**task pattern** (src/soap/task-pattern.ts), which V8 compiles to machine code; the decoder's own character loop reads
everything else, so the pattern is a shortcut, never a decision, and test/soap/differential.test.ts holds each of its
guards to a case that fails without it. It refuses any DOCTYPE and nesting beyond the depth limit itself. Whatever else it does not handle (non-ASCII names, XML 1.1, a byte order mark,
bindings of the reserved \`xml\`/\`xmlns\` names, any well-formedness error) it declines, never guesses: the **saxes tree
decoder** (src/soap/xml-saxes.ts; namespace-aware, XML 1.0 and Namespaces conforming, no DTD processing) reads that
answer instead, so every well-formedness error is reported by a conforming parser. The two share the decoding rules
(src/soap/rules.ts: what an answer means, every refusal and its message), one copy of each, and the choice between
them is made in one place (\`decodeBatchResponse\` in src/soap/decode.ts). \`@xmldom/xmldom\` (src/soap/xml-xmldom.ts) is
the reference: test/soap/differential.test.ts requires the three to give the same answer (the same tasks, or a
refusal of the same kind) on every fixture and on more than 20,000 generated documents (fast-check: random task sets
written by the emulator's writer, namespace layouts, whitespace, entities and CDATA in text, truncations, byte
flips). xmldom stays in the project for that test, this benchmark and the emulator; the Worker does not import it.

Validation: \`BatchTasksBodySchema\` (src/model/batch-task.ts) tries each task first on a fast path that makes the
schema's checks with the same predicates in one function and builds the same output. It only ever accepts, and only
what the schema accepts; whatever it does not accept, the valibot schema itself judges and reports, so every issue and
message stays valibot's. test/soap/schema-fast-path.test.ts holds the two to the same outcome on every kind of input.

Why not xmldom: its parser alone is slower than node-soap's entire decode: xmldom parse only / node-soap =
${parseOnlyRatios}. Profiling showed the time in xmldom's \`grammar.js\` \`reg()\` (a large Unicode RegExp rebuilt per
end tag, xmldom#950) and the GC it causes, which no code outside the library can avoid. Why not saxes alone: it was
the parser of the pipeline before issue 9 (**previous** above and in section 2), and issue 9's profile found its event
machinery, not the decoding logic, taking most of the time; the one-pass decoder keeps it for what it declines.

Not re-measured by this script, recorded once by hand before the change to saxes (the original xmldom decoder of
commit 0a7d164, same pipeline): 50 tasks 7.7 ms vs node-soap 5.3 ms (ratio 1.45); 1000 tasks 254 ms vs 98 ms (ratio
2.59).

${pipeline.text}

${http.text}

${bundle.text}

${markedLoadtestPart(results.loadtest ?? LOADTEST_NOT_RUN)}

## Regression guard

\`npm run bench:check\` (run by .ci/run after the tests) decodes ${Object.keys(results.baseline).join(", ")}-task responses with ours and node-soap side by side
and fails when the geometric mean of the three ratios is more than 25% above the geometric mean of the ones recorded
here. Each ratio is the median of per-round ratios (ours and node-soap timed back to back in each round). These were
measured by the same two-contestant run that the check performs, not taken from the table above:

\`\`\`
${formatBaseline(results.baseline)}
\`\`\`
`;
}
