import { fileURLToPath } from "node:url";
import { median } from "../measure.js";
import { cpuMs, packageVersion, startWrangler, type WranglerService, workerdOf } from "../services.js";
import { responseXml } from "../workload.js";

/** The task counts measured by default: those with targets, and two more for the curve. */
export const PIPELINE_SIZES = [10, 50, 200, 1000, 2000] as const;

/**
 * The targets for the whole miss pipeline inside workerd, per run (50 and 1000 tasks), and what they are for:
 * an answer of 2000 tasks within the Workers Free plan's 10 ms of CPU, measured here directly.
 */
export const PIPELINE_TARGETS_MS: Readonly<Record<number, number>> = { 50: 0.2, 1000: 4, 2000: 10 };

/** The previous pipeline is measured up to this size: at 2000 tasks its 21 runs would take seconds per request. */
const PREVIOUS_MAX_TASKS = 1000;

export type PipelineRow = {
  /** "current": the Worker's pipeline; "previous": as before issue 9 (saxes tree decoder, plain valibot). */
  pipeline: "current" | "previous";
  tasks: number;
  xmlBytes: number;
  /** (median t(n=21) − median t(n=1)) / 20: the pipeline's cost per run inside workerd, in ms (the measure). */
  perRunMs: number;
  /**
   * The same difference taken on the CPU time the Worker's workerd process used during each request (Linux `/proc`;
   * NaN elsewhere): unlike wall time it does not grow while workerd waits for a core, so it is the one to trust on a
   * loaded machine.
   */
  cpuPerRunMs: number;
  /**
   * The pipeline's cost per run by workerd's own clock inside the request (bench/pipeline's `elapsedMs` over its
   * runs, the median over requests): the isolate's main thread alone, without the client, the proxy, or garbage
   * collection on other threads. The clock moves in whole milliseconds, so the current pipeline gets requests of
   * INSIDE_RUNS runs where 21 would take only a few.
   */
  insideRunMs: number;
  /** Median request time with one run and with 21 runs, in ms (measured by the client). */
  oneRunMs: number;
  manyRunsMs: number;
  repeats: number;
};

export type PipelineResult = {
  rows: PipelineRow[];
  /** One line per target: met when the per-run cost (wall, the measure) is under the limit; CPU beside it. */
  targets: { tasks: number; limitMs: number; perRunMs: number; cpuPerRunMs: number; met: boolean }[];
  /** workerd's version as wrangler reports it. */
  runtime: string;
};

export type PipelineOptions = {
  sizes?: readonly number[];
  /** Also measure the pipeline as it was before issue 9, side by side (default true): a machine-independent ratio. */
  previous?: boolean;
  /** Timed pairs of requests (n=1, n=21) per size; the medians are taken over them. */
  repeats?: number;
  log?: (line: string) => void;
};

const CONFIG = fileURLToPath(new URL("./wrangler.toml", import.meta.url));
const MANY = 21;

/** Runs per request for `insideRunMs` up to INSIDE_MAX_TASKS tasks (about 40 ms at 50 tasks), and how many requests. */
const INSIDE_RUNS = 201;
const INSIDE_MAX_TASKS = 200;
const INSIDE_REQUESTS = 5;

/** `wrangler dev` of bench/pipeline on a free port of 127.0.0.1, ready once its `GET /` answers 204. */
function startPipelineWorker(): Promise<WranglerService> {
  return startWrangler({ config: CONFIG, readyPath: "/", readyStatus: 204 });
}

type Timing = { wallMs: number; cpuMs: number; insideMs: number };

/**
 * One request: the pipeline `runs` times on `xml`; the client's wall time, workerd's CPU time, and the time the
 * Worker itself took by workerd's clock (`elapsedMs`), in ms.
 */
async function timeRequest(
  url: string,
  workerd: number | undefined,
  xml: string,
  runs: number,
  previous: boolean,
): Promise<Timing> {
  const cpuBefore = workerd === undefined ? Number.NaN : cpuMs(workerd);
  const started = performance.now();
  const response = await fetch(`${url}?n=${runs}${previous ? "&previous" : ""}`, { method: "POST", body: xml });
  const body = await response.text();
  const wallMs = performance.now() - started;
  if (response.status !== 200) throw new Error(`the pipeline Worker answered ${response.status}: ${body.slice(0, 200)}`);
  const { elapsedMs } = JSON.parse(body) as { elapsedMs: number };
  return { wallMs, cpuMs: (workerd === undefined ? Number.NaN : cpuMs(workerd)) - cpuBefore, insideMs: elapsedMs };
}

async function measureSize(worker: WranglerService, tasks: number, repeats: number, previous: boolean): Promise<PipelineRow> {
  const xml = responseXml(tasks);
  const workerd = workerdOf(worker);
  const time = (runs: number) => timeRequest(`${worker.url}/`, workerd, xml, runs, previous);
  for (let warm = 0; warm < 5; warm++) await time(MANY);
  const one: Timing[] = [];
  const many: Timing[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    // Alternate which goes first, so a drift in machine speed lands on both.
    if (repeat % 2 === 0) {
      one.push(await time(1));
      many.push(await time(MANY));
    } else {
      many.push(await time(MANY));
      one.push(await time(1));
    }
  }
  const oneRunMs = median(one.map((timing) => timing.wallMs));
  const manyRunsMs = median(many.map((timing) => timing.wallMs));
  const cpuPerRunMs = (median(many.map((timing) => timing.cpuMs)) - median(one.map((timing) => timing.cpuMs))) / (MANY - 1);
  const insideRuns = !previous && tasks <= INSIDE_MAX_TASKS ? INSIDE_RUNS : MANY;
  const inside: Timing[] = [];
  if (insideRuns === MANY) inside.push(...many);
  else for (let request = 0; request < INSIDE_REQUESTS; request++) inside.push(await time(insideRuns));
  return {
    pipeline: previous ? "previous" : "current",
    tasks,
    xmlBytes: Buffer.byteLength(xml),
    perRunMs: (manyRunsMs - oneRunMs) / (MANY - 1),
    cpuPerRunMs,
    insideRunMs: median(inside.map((timing) => timing.insideMs)) / insideRuns,
    oneRunMs,
    manyRunsMs,
    repeats,
  };
}

/**
 * Starts bench/pipeline under `wrangler dev`, measures the miss pipeline (decode → valibot → JSON.stringify) inside
 * workerd at each size (and, unless `previous: false`, the pipeline before issue 9 beside it up to 1000 tasks), stops
 * it, and returns the per-run costs and the targets (under 0.2 ms at 50 tasks, under 4 ms at 1000, under 10 ms at
 * 2000). Per-run cost = (median t(n=21) − median t(n=1)) / 20, timed by the client, which cancels the request's own
 * cost (upload, routing); the same difference of workerd's CPU time is returned beside it.
 */
export async function measurePipeline(options: PipelineOptions = {}): Promise<PipelineResult> {
  const { sizes = PIPELINE_SIZES, repeats = 15, previous = true, log = () => undefined } = options;
  const worker = await startPipelineWorker();
  try {
    const rows: PipelineRow[] = [];
    for (const tasks of sizes) {
      for (const before of previous && tasks <= PREVIOUS_MAX_TASKS ? [false, true] : [false]) {
        // The previous pipeline costs 5-10 times more per run: fewer repeats keep the run within minutes.
        const row = await measureSize(worker, tasks, before ? Math.ceil(repeats / 3) : repeats, before);
        log(
          `pipeline in workerd (${row.pipeline}), ${tasks} tasks: ${row.perRunMs.toFixed(3)} ms per run (CPU ${row.cpuPerRunMs.toFixed(3)} ms)`,
        );
        rows.push(row);
      }
    }
    const targets = Object.entries(PIPELINE_TARGETS_MS).flatMap(([tasks, limitMs]) => {
      const row = rows.find((candidate) => candidate.tasks === Number(tasks) && candidate.pipeline === "current");
      if (row === undefined) return [];
      return [{ tasks: row.tasks, limitMs, perRunMs: row.perRunMs, cpuPerRunMs: row.cpuPerRunMs, met: row.perRunMs < limitMs }];
    });
    return { rows, targets, runtime: runtimeVersion() };
  } finally {
    await worker.stop();
  }
}

function runtimeVersion(): string {
  return `wrangler ${packageVersion("wrangler")}, workerd ${packageVersion("workerd")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measurePipeline({ log: (line) => console.log(line) });
  console.log(JSON.stringify(result, null, 2));
}
