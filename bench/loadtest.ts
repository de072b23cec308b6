import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { CONTRACTS } from "../src/soap/namespaces.js";
import { BENCHMARKS_MD, withLoadtestPart } from "./benchmarks-md.js";
import { tasksUnder } from "./loadtest/answers.js";
import { cannon, drive, type Sample, type Summary, sample, summarize } from "./loadtest/drive.js";
import { earlyAnswerRounds } from "./loadtest/early.js";
import { freezeWorker, startFrozenWorker } from "./loadtest/freeze.js";
import { connectInspector, type Inspector } from "./loadtest/inspector.js";
import { KeyPool, RATE_LIMIT, rateLimitAllows, windowOf } from "./loadtest/keys.js";
import {
  cpuByRole,
  heapSnapshot,
  ROLE_NAMES,
  type Role,
  type RssByRole,
  roleOf,
  rssByRole,
  rssSampler,
} from "./loadtest/memory.js";
import { type Check, type LoadtestReport, type MemoryPoint, markdown, type PhaseResult } from "./loadtest/report.js";
import { type EmulatorService, packageVersion, processTree, ROOT, startEmulator, type WranglerService } from "./services.js";

/**
 * `npm run loadtest` (issue 7): `wrangler dev` as deployed and the emulator on 127.0.0.1, driven through phases of
 * bounded load (each count- and time-limited); fails (exit code 1) on an unplanned 5xx or other unplanned answer,
 * more upstream calls than the limits allow, hostile answers that take seconds or balloon the Worker's memory, a
 * hang after an early answer, or a Worker heap that keeps growing across repeated hit rounds. Writes
 * bench/.out/loadtest.json and bench/.out/loadtest.md, and (unless `LOADTEST_ONLY` picks phases) the same fragment into
 * BENCHMARKS.md between its loadtest markers (bench/benchmarks-md.ts). About 3 minutes.
 */

/** The Worker's limits as deployed (wrangler.toml, src/upstream/*): what the upstream bounds are computed from. */
const UPSTREAM_CONCURRENCY = 6;
const FRESH_SECONDS = 30;
const FAILURES_TO_OPEN = 5;
const COOL_DOWN_SECONDS = 30;
const UPSTREAM_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A hostile answer must cost the Worker's workerd at most this much CPU (issue 7: "no answer can hold an isolate for
 * seconds"), measured from /proc, so that a busy machine's queueing does not count; and the Worker's own time for it
 * (`Server-Timing: total`) must stay under `HANG_MS`. The client's wait is reported too, but under `wrangler dev` it
 * includes wrangler's proxy, which spends far more CPU than the Worker on large upstream bodies (see the report).
 */
const CPU_PER_ANSWER_MS = 1000;
const HANG_MS = 10_000;
/** The Worker's workerd may not grow by more than this while refusing a hostile answer (production isolates: 128 MB). */
const BALLOON_MB = 200;
/** Heap growth after GC across the repeated hit rounds that counts as "keeps growing", when every round adds to it. */
const HEAP_GROWTH_MB = 4;

const API_KEY_COUNT = 64;
const HIT_REQUESTS = 6000;
const HIT_SECONDS = 8;
const HIT_ROUNDS = 4;
/** No phase may take longer than this; a phase that does is reported as hanging and the run goes on. */
const PHASE_LIMIT_MS = 90_000;

const HIT_PATH = "/v1/batch-tasks?associateIds=5,7,12,42&state=All";
const STALE_PATH = "/v1/batch-tasks?associateIds=12&state=All";
const EVERY_TASK_PATH = "/v1/batch-tasks?associateIds=-1,0&state=All";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The outcome label of a request the Worker answered (it logged so) but whose answer never reached the client. */
const LOST_IN_WRANGLER = "answered by the Worker, lost in wrangler dev";

type Run = { summary: Summary & { requestsPerSecond?: number }; notes?: string[]; checks?: Check[] };

type PhaseSpec = {
  id: string;
  name: string;
  /** Every request asks a question never asked before, so an upstream call that repeats a SOAP body is a retry. */
  distinct?: boolean;
  planned: readonly string[];
  run: () => Promise<Run>;
  /** The most upstream calls the Worker's limits allow for what the phase saw, and why. */
  allowed: (facts: { startMs: number; endMs: number; summary: Summary }) => { allowed: number; because: string };
};

type UpstreamStats = { calls: number; inFlight: number; maxInFlight: number; repeated: number };

function difference(after: RssByRole, before: RssByRole): RssByRole {
  const result: RssByRole = {};
  for (const [role, value] of Object.entries(after) as [Role, number][]) result[role] = value - (before[role] ?? 0);
  return result;
}

/** `work`, or a rejection once `ms` have passed: a hanging phase must not hang the run. */
/** `LOADTEST_ONLY=6c,7b` runs only those phases (`M`: the memory rounds); for reproducing one finding quickly. */
const only = process.env.LOADTEST_ONLY?.split(",").map((id) => id.trim());
const want = (id: string): boolean => only === undefined || only.includes(id);

function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}

/** Uncommitted changes to what the bundle is made of: another engineer's work in progress is part of what is tested. */
function bundleSource(): string {
  try {
    const changed = execFileSync("git", ["status", "--porcelain", "--", "src", "wrangler.toml", "public", "package.json"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter((line) => line.trim() !== "").length;
    return `wrangler deploy --dry-run of the working tree at ${commit()}, ${changed === 0 ? "no uncommitted changes" : `${changed} uncommitted changes`} in src/, public/, wrangler.toml, package.json; served by wrangler dev --no-bundle`;
  } catch {
    return "wrangler deploy --dry-run of the working tree";
  }
}

function count(summary: Summary, label: string): number {
  return summary.outcomes[label] ?? 0;
}

class Loadtest {
  readonly phases: PhaseResult[] = [];
  readonly memory: MemoryPoint[] = [];
  readonly memoryVerdict: string[] = [];
  /** Whether the Worker's heap stayed bounded across the hit rounds; null when no heap snapshots were taken. */
  heapBounded: boolean | null = null;
  readonly failures: string[] = [];
  /** What went wrong outside the Worker (in wrangler dev): reported, not failed on. */
  readonly warnings: string[] = [];
  heapSnapshots = "taken";
  requestsSoFar = 0;
  decode8MiB: LoadtestReport["decode8MiB"] = null;
  earlyAnswers: LoadtestReport["earlyAnswers"] = [];
  private distinct = 1_000_000;
  private requestIds = 0;
  private readonly lost: { requestId: string; path: string; label: string }[] = [];
  inspector: Inspector | null = null;
  private eventsCounted = { count: 0, bytes: 0 };
  bufferedEvidence: LoadtestReport["bufferedEvidence"] = null;

  constructor(
    public worker: WranglerService,
    readonly emulator: EmulatorService,
    readonly pool: KeyPool,
    readonly say: (line: string) => void,
    /** Stops the current `wrangler dev` and starts another (fresh KV state), for when it stopped answering. */
    private readonly replaceWorker: () => Promise<WranglerService>,
  ) {}

  /**
   * Whether `wrangler dev` still answers `/healthz` (two tries, 5 s each). When it does not, that is a failure of
   * the phase before, and a new one is started so that the remaining phases still tell something.
   */
  async ensureAlive(after: string): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if ((await sample(this.url("/healthz"), {}, 5000)).label === "200") return;
    }
    const failure = `wrangler dev stopped answering (even /healthz) after ${after}; RSS MB ${JSON.stringify(rssByRole(this.worker.pid))}; restarted it for the remaining phases`;
    this.failures.push(failure);
    this.say(failure);
    this.detachInspector();
    this.worker = await this.replaceWorker();
    await this.attachInspector();
  }

  /** The pid of the workerd running the Worker (wrangler replaces it on a reload or after a crash). */
  runtimePid(): number | null {
    return processTree(this.worker.pid).find((process) => roleOf(process) === "worker-workerd")?.pid ?? null;
  }

  url(path: string): string {
    return `${this.worker.url}${path}`;
  }

  /** A question nobody asked before: a fresh associate set, so a guaranteed cache miss. */
  distinctPath(): string {
    this.distinct += 1;
    return `/v1/batch-tasks?associateIds=${this.distinct}&state=All`;
  }

  /**
   * A GET with the API key, and an `X-Request-Id` of our own (the Worker keeps it in its logs), so that for a request
   * that got no answer we can show what the Worker logged about it, if anything.
   */
  async get(path: string, key: string, headers: Record<string, string> = {}, timeoutMs?: number): Promise<Sample> {
    this.requestIds += 1;
    const requestId = `loadtest-${this.requestIds}`;
    const result = await sample(
      this.url(path),
      { headers: { Authorization: `Bearer ${key}`, "X-Request-Id": requestId, ...headers } },
      timeoutMs,
    );
    if (result.label.startsWith("no answer") || result.label.startsWith("network error")) {
      this.lost.push({ requestId, path, label: result.label });
    }
    return result;
  }

  /**
   * What the Worker logged (seen through the inspector) about each request of this phase that got no answer. When
   * the Worker logged its answer (`"event":"request"` with a status), the answer was lost after it, in wrangler dev:
   * that outcome is relabelled "<status> answered by the Worker, lost in wrangler dev" and is a warning, not a failure
   * of the Worker.
   */
  private explainLost(outcomes: Record<string, number>): string[] {
    const lost = this.lost.splice(0);
    if (lost.length === 0) return [];
    if (this.inspector === null)
      return [`${lost.length} requests got no answer; the inspector was not attached, so the Worker's logs are unknown`];
    const lines = this.inspector.consoleLines();
    return lost.map(({ requestId, path, label }) => {
      const logged = lines.filter((line) => line.includes(`"${requestId}"`));
      const status = logged
        .map((line) => /"event":"request".*"status":(\d{3})/.exec(line)?.[1])
        .find((found) => found !== undefined);
      if (status !== undefined && (outcomes[label] ?? 0) > 0) {
        outcomes[label] = (outcomes[label] ?? 0) - 1;
        if (outcomes[label] === 0) delete outcomes[label];
        const relabelled = `${status} ${LOST_IN_WRANGLER}`;
        outcomes[relabelled] = (outcomes[relabelled] ?? 0) + 1;
        this.warnings.push(`${requestId} (${path}): the Worker answered ${status}, the client got "${label}"`);
      }
      return `${requestId} (${path}): ${label}; the Worker logged ${logged.length === 0 ? "nothing for it (it never finished, or never reached the Worker)" : logged.map((line) => line.slice(0, 300)).join(" / ")}`;
    });
  }

  async control(method: "GET" | "PUT" | "POST", path: string, body?: unknown): Promise<unknown> {
    const init: RequestInit = body === undefined ? { method } : { method, body: JSON.stringify(body) };
    const response = await fetch(`${this.emulator.origin}${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  }

  behave(behaviour: { fail?: string; delayMs?: number }): Promise<unknown> {
    return this.control("PUT", "/__emulator/behaviour", behaviour);
  }

  upstream(): Promise<UpstreamStats> {
    return this.control("GET", "/__loadtest/upstream") as Promise<UpstreamStats>;
  }

  async phase(spec: PhaseSpec): Promise<PhaseResult | null> {
    const before = await this.upstream();
    await this.control("POST", "/__loadtest/upstream/reset");
    const cpuBefore = cpuByRole(this.worker.pid);
    const runtimeBefore = this.runtimePid();
    const startMs = Date.now();
    let run: Run;
    try {
      run = await within(PHASE_LIMIT_MS, `phase ${spec.id} (${spec.name})`, spec.run());
    } catch (error) {
      this.failures.push(String(error instanceof Error ? error.message : error));
      const cpu = difference(cpuByRole(this.worker.pid), cpuBefore);
      this.say(
        `${spec.id}. ${spec.name}: ${String(error)}; CPU ms meanwhile ${JSON.stringify(cpu)}, RSS MB now ${JSON.stringify(rssByRole(this.worker.pid))}`,
      );
      return null;
    }
    const endMs = Date.now();
    const cpuMs = difference(cpuByRole(this.worker.pid), cpuBefore);
    // A call the phase started may still be finishing (a background refresh): let it land in this phase.
    await sleep(200);
    const after = await this.upstream();
    const calls = after.calls - before.calls;
    const { summary } = run;
    const lostNotes = this.explainLost(summary.outcomes);
    const { allowed, because } = spec.allowed({ startMs, endMs, summary });
    const checks: Check[] = [];
    for (const [label, times] of Object.entries(summary.outcomes)) {
      if (spec.planned.includes(label) || label.endsWith(LOST_IN_WRANGLER)) continue;
      const status = Number(label.split(" ")[0]);
      checks.push({ ok: false, text: `${status >= 500 ? "unplanned 5xx" : "unplanned outcome"}: ${times} × ${label}` });
    }
    checks.push({
      ok: calls <= allowed,
      text:
        calls <= allowed ? `${calls} upstream calls ≤ ${allowed}` : `${calls} upstream calls, more than the ${allowed} allowed`,
    });
    checks.push({
      ok: after.maxInFlight <= UPSTREAM_CONCURRENCY,
      text: `${after.maxInFlight} concurrent upstream calls (UPSTREAM_CONCURRENCY ${UPSTREAM_CONCURRENCY})`,
    });
    const runtimeAfter = this.runtimePid();
    checks.push({
      ok: runtimeAfter === runtimeBefore,
      text:
        runtimeAfter === runtimeBefore
          ? "the Worker's workerd kept running"
          : `the Worker's workerd was replaced during the phase (pid ${runtimeBefore} → ${runtimeAfter}): a crash or a reload`,
    });
    if (spec.distinct === true) {
      checks.push({
        ok: after.repeated === 0,
        text: `${after.repeated} upstream calls repeated a question already sent (a retry between the Worker and SuperOffice)`,
      });
    }
    checks.push(...(run.checks ?? []));
    const result: PhaseResult = {
      id: spec.id,
      name: spec.name,
      requests: summary.requests,
      seconds: summary.seconds,
      outcomes: summary.outcomes,
      planned: spec.planned,
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      maxMs: summary.maxMs,
      requestsPerSecond: run.summary.requestsPerSecond ?? null,
      timingMaxMs: summary.timingMaxMs,
      upstreamCalls: calls,
      upstreamAllowed: allowed,
      allowedBecause: because,
      maxConcurrentUpstream: after.maxInFlight,
      repeatedUpstreamCalls: spec.distinct === true ? after.repeated : 0,
      cpuMs,
      notes: [...(run.notes ?? []), ...lostNotes],
      checks,
      rssAfter: rssByRole(this.worker.pid),
    };
    this.requestsSoFar += summary.requests;
    this.phases.push(result);
    for (const check of checks) if (!check.ok) this.failures.push(`phase ${spec.id} (${spec.name}): ${check.text}`);
    const outcomes = Object.entries(summary.outcomes)
      .map(([label, times]) => `${times}×${label}`)
      .join(", ");
    const failed = checks.filter((check) => !check.ok).map((check) => check.text);
    this.say(
      `${spec.id}. ${spec.name}: ${summary.requests} requests in ${summary.seconds.toFixed(1)} s (${outcomes}); p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms; upstream ${calls}/${allowed}${spec.distinct === true && after.repeated > 0 ? ` (${after.repeated} repeated)` : ""}, max ${after.maxInFlight} at once; Worker CPU ${(cpuMs["worker-workerd"] ?? 0).toFixed(0)} ms${failed.length === 0 ? "" : ` — FAILED: ${failed.join("; ")}`}`,
    );
    return result;
  }

  /**
   * Attaches to the Worker's inspector for the rest of the run (or until `detachInspector`). While no debugger is
   * attached, wrangler dev's inspector proxy keeps every event the runtime sends (each console line, each
   * subrequest's Network events) and replays them all to the next debugger that connects; after heavy phases that
   * replay made it grow past 2 GB and stop answering altogether. Attached, the events stream to us instead, are
   * counted, and dropped.
   */
  async attachInspector(): Promise<boolean> {
    try {
      this.inspector = await connectInspector(this.worker.inspectorPort);
      this.eventsCounted = { count: 0, bytes: 0 };
      return true;
    } catch (error) {
      this.heapSnapshots = `not taken (${String(error).slice(0, 200)}); RSS only`;
      this.inspector = null;
      return false;
    }
  }

  detachInspector(): void {
    this.inspector?.close();
    this.inspector = null;
  }

  /** Inspector events received so far on the current connection, heap snapshot chunks left out. */
  private eventTotals(): { count: number; bytes: number; byMethod: string } {
    const events = Object.entries(this.inspector?.events() ?? {}).filter(([method]) => !method.startsWith("HeapProfiler."));
    return {
      count: events.reduce((sum, [, event]) => sum + event.count, 0),
      bytes: events.reduce((sum, [, event]) => sum + event.bytes, 0),
      byMethod: events.map(([method, event]) => `${method} ${event.count}`).join(", "),
    };
  }

  /**
   * RSS of every process, the inspector events since the previous point (what wrangler's proxy would otherwise have
   * buffered), and a heap snapshot of the Worker's isolate (V8 collects garbage first).
   */
  async memoryPoint(after: string): Promise<MemoryPoint> {
    const rss = rssByRole(this.worker.pid);
    let heap: MemoryPoint["heap"] = null;
    let events: MemoryPoint["events"] = null;
    const { inspector } = this;
    if (inspector !== null) {
      try {
        const totals = this.eventTotals();
        events = { count: totals.count - this.eventsCounted.count, bytes: totals.bytes - this.eventsCounted.bytes };
        this.eventsCounted = totals;
        heap = await heapSnapshot(inspector);
        this.say(
          `memory after ${after}: ${Object.entries(rss)
            .map(([role, mb]) => `${role} ${mb.toFixed(0)} MB`)
            .join(
              ", ",
            )}; heap used after GC ${(heap.usedBytesAfterGc / 1024 / 1024).toFixed(2)} MB; inspector events so far: ${totals.byMethod || "none"}`,
        );
      } catch (error) {
        this.heapSnapshots = `not taken at every point (${String(error).slice(0, 200)})`;
        this.say(`memory after ${after}: RSS only (${String(error).slice(0, 200)})`);
      }
    } else this.say(`memory after ${after}: RSS only (no inspector)`);
    const point = { after, requestsSoFar: this.requestsSoFar, rss, heap, events };
    this.memory.push(point);
    return point;
  }

  /**
   * wrangler dev's buffering, shown: with the inspector detached, `run` (the Worker logs a line per request), then
   * what the proxy replays when we attach, and how each process's memory moved meanwhile.
   */
  async bufferedWhileDetached(run: () => Promise<unknown>): Promise<void> {
    this.detachInspector();
    await sleep(500);
    const before = rssByRole(this.worker.pid);
    const requestsBefore = this.requestsSoFar;
    await run();
    const during = rssByRole(this.worker.pid);
    if (!(await this.attachInspector())) return;
    // The proxy replays its buffer once its connection to the runtime is up: wait for events, then for quiet.
    let last = -1;
    for (let waited = 0; waited < 15_000; waited += 500) {
      await sleep(500);
      const now = this.eventTotals().count;
      if (now > 0 && now === last) break;
      last = now;
    }
    const replayed = this.eventTotals();
    this.eventsCounted = replayed;
    const requests = this.requestsSoFar - requestsBefore;
    const grew = (role: Role) => ((during[role] ?? 0) - (before[role] ?? 0)).toFixed(0);
    this.bufferedEvidence = { requests, replayed: { count: replayed.count, bytes: replayed.bytes }, byMethod: replayed.byMethod };
    this.memoryVerdict.push(
      `wrangler dev's inspector proxy buffers while no debugger is attached: over ${requests} requests (phase 1, hits) with no debugger attached, the proxy workerd grew ${grew("proxy-workerd")} MB (the Worker's workerd ${grew("worker-workerd")} MB, wrangler's node ${grew("wrangler-node")} MB); on attaching, it replayed ${replayed.count} events, ${(replayed.bytes / 1024 / 1024).toFixed(1)} MB of CDP JSON (${replayed.byMethod}), about ${(replayed.bytes / Math.max(1, requests)).toFixed(0)} bytes per request.`,
    );
  }

  /** Phase 1, and the repeated hit rounds: cached GETs through autocannon, keys spread within their rate limit. */
  hits(id: string, name: string, amount: number, maxSeconds: number): Promise<PhaseResult | null> {
    return this.phase({
      id,
      name,
      planned: ["200"],
      run: async () => {
        const keys = this.pool.forRequests(amount + 20, maxSeconds + 10);
        const [first = "", second = ""] = keys;
        const primed = await this.get(HIT_PATH, first);
        const check = await this.get(HIT_PATH, second);
        const hit = /; hit/.test(check.cacheStatus ?? "");
        const summary = await cannon({
          origin: this.worker.url,
          path: HIT_PATH,
          connections: 10,
          amount,
          maxSeconds,
          keys: keys.slice(2),
        });
        return {
          summary,
          notes: [`10 connections; ${this.pool.keys.length} API keys configured, ${new Set(keys).size} used`],
          checks: [
            {
              ok: summary.unanswered <= 10 && summary.requests > 0,
              text: `${summary.requests} answers; ${summary.unanswered} requests got no answer`,
            },
            { ok: primed.label === "200", text: `priming GET: ${primed.label}` },
            { ok: hit, text: `the GET after priming was ${hit ? "a hit" : `not a hit: ${check.cacheStatus}`}` },
          ],
        };
      },
      allowed: ({ summary }) => ({
        allowed: 1 + Math.ceil(summary.seconds / FRESH_SECONDS),
        because: `the priming miss, plus one background refresh per ${FRESH_SECONDS} s fresh period`,
      }),
    });
  }

  forcedMisses(): Promise<PhaseResult | null> {
    const total = 500;
    return this.phase({
      id: "2",
      name: "forced misses (Cache-Control: no-cache), one key",
      planned: ["200"],
      run: async () => {
        const keys = this.pool.forRequests(total, 40);
        const { samples, seconds } = await drive(total, 10, 15, (index) =>
          this.get(HIT_PATH, keys[index] ?? "", { "Cache-Control": "no-cache" }),
        );
        const collapsed = samples.filter((each) => /collapsed/.test(each.cacheStatus ?? "")).length;
        return {
          summary: summarize(samples, seconds),
          notes: [`10 concurrent loops; ${collapsed} answers collapsed onto another request's upstream call`],
        };
      },
      allowed: ({ summary }) => ({ allowed: summary.requests, because: "at most one call per forced miss" }),
    });
  }

  distinctKeys(): Promise<PhaseResult | null> {
    const total = 1500;
    const [key = ""] = this.pool.fresh(1, 70);
    return this.phase({
      id: "3",
      name: "distinct keys (a fresh associate set per request), one API key",
      distinct: true,
      planned: ["200", "429 too-many-requests", "503 upstream-busy"],
      run: async () => {
        const start = Date.now();
        const { samples, seconds } = await drive(total, 16, 25, () => this.get(this.distinctPath(), key));
        const summary = summarize(samples, seconds);
        const through = summary.requests - count(summary, "429 too-many-requests");
        const allows = rateLimitAllows(1, start, Date.now());
        return {
          summary,
          notes: [`16 concurrent loops; the rate limit let ${through} of ${summary.requests} through (at most ${allows})`],
          checks: [
            {
              ok: through <= allows,
              text: `the rate limit let ${through} requests of one key through, ${through <= allows ? "within" : "more than"} ${allows}`,
            },
          ],
        };
      },
      allowed: ({ startMs, endMs, summary }) => {
        const windows = windowOf(endMs) - windowOf(startMs) + 1;
        const through = summary.requests - count(summary, "429 too-many-requests");
        return {
          allowed: Math.min(RATE_LIMIT * windows, through),
          because: `one key: ${RATE_LIMIT} requests per window × ${windows} rate-limit window(s) touched, and one call per request let through (${through})`,
        };
      },
    });
  }

  slowUpstream(): Promise<PhaseResult | null> {
    const delayMs = 2500;
    return this.phase({
      id: "4",
      name: `slow upstream (emulator delayMs ${delayMs}), distinct keys`,
      distinct: true,
      planned: ["200", "503 upstream-busy"],
      run: async () => {
        const keys = this.pool.forRequests(300, 30);
        await this.behave({ delayMs });
        try {
          const { samples, seconds } = await drive(300, 24, 8, (index) => this.get(this.distinctPath(), keys[index] ?? ""));
          const busy = samples.filter((each) => each.label === "503 upstream-busy").map((each) => each.ms);
          const busyP50 = busy.sort((a, b) => a - b)[Math.floor(busy.length / 2)] ?? Number.NaN;
          return {
            summary: summarize(samples, seconds),
            notes: [`24 concurrent loops for 8 s; 503 upstream-busy answered after ${busyP50.toFixed(0)} ms (median)`],
          };
        } finally {
          await this.behave({});
        }
      },
      allowed: ({ summary }) => ({
        allowed: count(summary, "200"),
        because: "one call per 200 answer (a refused request makes none), never more than 6 at once",
      }),
    });
  }

  /** Phases 6a–6c: answers too large to read, refused at the cap; how fast, and how much the Worker's process grows. */
  oversized(id: string, mode: "oversized" | "oversized-chunked" | "gzip-bomb", name: string): Promise<PhaseResult | null> {
    const total = 3;
    return this.phase({
      id,
      name,
      distinct: true,
      planned: ["502 upstream-response-too-large"],
      run: async () => {
        const keys = this.pool.forRequests(total, 60);
        await this.behave({ fail: mode });
        const before = rssByRole(this.worker.pid)["worker-workerd"] ?? 0;
        const cpuBefore = cpuByRole(this.worker.pid)["worker-workerd"] ?? 0;
        const sampler = rssSampler(this.worker.pid, 50);
        try {
          const { samples, seconds } = await drive(total, 1, 60, (index) => this.get(this.distinctPath(), keys[index] ?? ""));
          const cpu = (cpuByRole(this.worker.pid)["worker-workerd"] ?? 0) - cpuBefore;
          const peak = sampler.stop()["worker-workerd"] ?? 0;
          const hostile = this.hostile(samples, cpu, samples.length);
          return {
            summary: summarize(samples, seconds),
            notes: [
              `sequential; ${ROLE_NAMES["worker-workerd"]}: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`,
              ...hostile.notes,
            ],
            checks: [
              ...hostile.checks,
              {
                ok: peak - before <= BALLOON_MB,
                text: `the Worker's workerd grew by ${(peak - before).toFixed(0)} MB (limit ${BALLOON_MB})`,
              },
            ],
          };
        } finally {
          sampler.stop();
          await this.behave({});
        }
      },
      allowed: ({ summary }) => ({ allowed: summary.requests, because: "one call per request" }),
    });
  }

  /**
   * Whether hostile answers were refused fast: the Worker's workerd spent at most `CPU_PER_ANSWER_MS` of CPU per
   * answer (`answers` counts every request it served meanwhile), and none took `HANG_MS` or more to arrive.
   */
  hostile(samples: readonly Sample[], cpuMs: number, answers: number): { notes: string[]; checks: Check[] } {
    const perAnswer = cpuMs / Math.max(1, answers);
    // The Worker's own time (Server-Timing `total`): under wrangler dev the client also waits for wrangler's proxy.
    const hanging = samples.filter((each) => (each.timing.total ?? each.ms) >= HANG_MS).length;
    return {
      notes: [
        `each answer (ms): ${samples.map((each) => each.ms.toFixed(0)).join(", ")}; Worker's own total (Server-Timing, ms): ${samples.map((each) => (each.timing.total ?? Number.NaN).toFixed(0)).join(", ")}`,
        `the Worker's workerd used ${cpuMs.toFixed(0)} ms of CPU for ${answers} answers (${perAnswer.toFixed(0)} ms each)`,
      ],
      checks: [
        {
          ok: perAnswer <= CPU_PER_ANSWER_MS,
          text: `${perAnswer.toFixed(0)} ms of the Worker's CPU per answer (limit ${CPU_PER_ANSWER_MS})`,
        },
        { ok: hanging === 0, text: `${hanging} answers took the Worker ${HANG_MS / 1000} s or more` },
      ],
    };
  }

  deep(): Promise<PhaseResult | null> {
    const perRound = 3;
    const rounds = 2;
    return this.phase({
      id: "7",
      name: "deeply nested answers (100,000 nested elements)",
      distinct: true,
      planned: ["502 upstream-invalid-response"],
      run: async () => {
        const keys = this.pool.forRequests(perRound * rounds + rounds, 60);
        const samples: Sample[] = [];
        const start = performance.now();
        const before = rssByRole(this.worker.pid)["worker-workerd"] ?? 0;
        const cpuBefore = cpuByRole(this.worker.pid)["worker-workerd"] ?? 0;
        const sampler = rssSampler(this.worker.pid, 50);
        try {
          for (let round = 0; round < rounds; round++) {
            await this.behave({ fail: "deep" });
            for (let index = 0; index < perRound; index++) samples.push(await this.get(this.distinctPath(), keys.pop() ?? ""));
            // Fewer than FAILURES_TO_OPEN invalid answers in a row, then a good one: the circuit stays closed.
            await this.behave({});
            await this.get(this.distinctPath(), keys.pop() ?? "");
          }
        } finally {
          await this.behave({});
        }
        const cpu = (cpuByRole(this.worker.pid)["worker-workerd"] ?? 0) - cpuBefore;
        const peak = sampler.stop()["worker-workerd"] ?? 0;
        const hostile = this.hostile(samples, cpu, samples.length + rounds);
        return {
          summary: summarize(samples, (performance.now() - start) / 1000),
          notes: [
            `sequential, ${perRound} per round, a good answer between rounds (keeps the circuit closed; not counted in requests)`,
            ...hostile.notes,
            `${ROLE_NAMES["worker-workerd"]}: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`,
          ],
          checks: hostile.checks,
        };
      },
      allowed: ({ summary }) => ({ allowed: summary.requests + rounds, because: "one call per request, plus the good answers" }),
    });
  }

  decodeLargest(): Promise<PhaseResult | null> {
    const plan = tasksUnder(UPSTREAM_MAX_BYTES, CONTRACTS["85"]);
    const total = 3;
    return this.phase({
      id: "7b",
      name: `an answer just under 8 MiB (${plan.tasks} tasks, ${plan.bytes} bytes), forced misses`,
      planned: ["200"],
      run: async () => {
        const keys = this.pool.forRequests(total, 90);
        await this.control("PUT", "/__loadtest/tasks", { count: plan.count });
        const sampler = rssSampler(this.worker.pid, 50);
        const before = rssByRole(this.worker.pid)["worker-workerd"] ?? 0;
        try {
          const { samples, seconds } = await drive(total, 1, 90, (index) =>
            this.get(EVERY_TASK_PATH, keys[index] ?? "", { "Cache-Control": "no-cache" }, 60_000),
          );
          const peak = sampler.stop()["worker-workerd"] ?? 0;
          const wrong = samples.filter((each) => {
            if (each.label !== "200") return false;
            const body = JSON.parse(each.body) as { tasks?: unknown[] };
            return body.tasks?.length !== plan.tasks;
          }).length;
          const metric = (name: string) => samples.map((each) => each.timing[name] ?? Number.NaN);
          this.decode8MiB = {
            tasks: plan.tasks,
            xmlBytes: plan.bytes,
            decodeMs: metric("decode"),
            upstreamMs: metric("upstream"),
            totalMs: metric("total"),
          };
          return {
            summary: summarize(samples, seconds),
            notes: [
              `sequential; decode (Server-Timing) ms: ${metric("decode")
                .map((value) => value.toFixed(0))
                .join(", ")}`,
              `${ROLE_NAMES["worker-workerd"]}: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`,
            ],
            checks: [{ ok: wrong === 0, text: `${wrong} answers did not hold the ${plan.tasks} tasks` }],
          };
        } finally {
          sampler.stop();
          await this.control("PUT", "/__loadtest/tasks", { count: null });
        }
      },
      allowed: ({ summary }) => ({ allowed: summary.requests, because: "one call per forced miss" }),
    });
  }

  earlyAnswerPhase(): Promise<PhaseResult | null> {
    const rounds = 3;
    return this.phase({
      id: "8",
      name: "early answers on chunked POSTs (413, 415), then requests on the same and on fresh connections",
      planned: ["413 payload-too-large", "415 unsupported-media-type", "200"],
      run: async () => {
        const [key = ""] = this.pool.forRequests(rounds * 2 * 4 + 2, 60);
        const start = performance.now();
        this.earlyAnswers = await earlyAnswerRounds(this.worker.url, key, rounds, 5000);
        const exchanges = this.earlyAnswers.flatMap((round) => [round.early, ...round.after]);
        const samples: Sample[] = exchanges.map((each) => ({
          label: each.label,
          ms: each.ms,
          timing: {},
          cacheStatus: null,
          body: "",
        }));
        const misplaced = this.earlyAnswers.filter((round) => !round.early.label.startsWith(round.early.step.slice(0, 3))).length;
        const failedAfter = this.earlyAnswers.flatMap((round) => round.after).filter((each) => each.label !== "200");
        const reused = this.earlyAnswers.flatMap((round) => round.after).filter((each) => each.reusedSocket).length;
        // "The next request from any client": afterwards, new clients must still get answers.
        const probes = [await sample(this.url("/healthz"), {}, 5000), await this.get(HIT_PATH, key, {}, 5000)];
        samples.push(...probes);
        const dead = probes.filter((each) => each.label !== "200");
        return {
          summary: summarize(samples, (performance.now() - start) / 1000),
          notes: [
            `${rounds} rounds; ${reused} follow-ups went over the kept-alive connection of the early answer (the others got a new one)`,
          ],
          checks: [
            { ok: misplaced === 0, text: `${misplaced} early answers were not the planned 413/415` },
            {
              ok: dead.length === 0,
              text: `afterwards, ${dead.length} of ${probes.length} requests from a new client failed (${dead.map((each) => each.label).join("; ")})`,
            },
            {
              ok: failedAfter.length === 0,
              text: `${failedAfter.length} requests after an early answer failed (${failedAfter.map((each) => `${each.step}: ${each.label}`).join("; ")})`,
            },
          ],
        };
      },
      allowed: ({ summary }) => ({ allowed: summary.requests, because: "at most one call per request" }),
    });
  }

  /** Phase 5a, last (the circuit stays open for 30 s): a failing upstream, circuit breaker. */
  failing(): Promise<PhaseResult | null> {
    const total = 200;
    return this.phase({
      id: "5",
      name: "failing upstream (SOAP faults), distinct keys",
      distinct: true,
      planned: ["502 upstream-error", "503 upstream-circuit-open"],
      run: async () => {
        const keys = this.pool.forRequests(total, 40);
        await this.behave({ fail: "fault" });
        const { samples, seconds } = await drive(total, 10, 20, (index) => this.get(this.distinctPath(), keys[index] ?? ""));
        const summary = summarize(samples, seconds);
        const open = count(summary, "503 upstream-circuit-open");
        return {
          summary,
          notes: ["10 concurrent loops"],
          checks: [
            {
              ok: open > 0,
              text: `${open} answers were 503 upstream-circuit-open (the circuit ${open > 0 ? "opened" : "never opened"})`,
            },
          ],
        };
      },
      allowed: ({ summary }) => {
        const probes = Math.floor(summary.seconds / COOL_DOWN_SECONDS);
        return {
          allowed: FAILURES_TO_OPEN - 1 + UPSTREAM_CONCURRENCY + probes,
          because: `${FAILURES_TO_OPEN - 1} failures before the one that opens the circuit, ${UPSTREAM_CONCURRENCY} admitted at once at most, ${probes} probe(s) after ${COOL_DOWN_SECONDS} s cool-downs`,
        };
      },
    });
  }

  /**
   * Phase 5b: a cached entry served stale-if-error while the circuit is open. Each answer logs one line
   * (`served_stale_if_error`), so this is also the log-heavy load that tells whether wrangler dev keeps what the
   * Worker logs.
   */
  staleIfError(): Promise<PhaseResult | null> {
    const total = 2000;
    return this.phase({
      id: "5b",
      name: "failing upstream, a cached key with Cache-Control: no-cache (stale-if-error; one log line each)",
      planned: ["200"],
      run: async () => {
        const keys = this.pool.forRequests(total, 40);
        const { samples, seconds } = await drive(total, 10, 10, (index) =>
          this.get(STALE_PATH, keys[index] ?? "", { "Cache-Control": "no-cache" }),
        );
        const stale = samples.filter((each) => /stale-if-error/.test(each.cacheStatus ?? "")).length;
        return {
          summary: summarize(samples, seconds),
          notes: [`10 concurrent loops; ${stale} answers were stale-if-error`],
          checks: [{ ok: stale === samples.length, text: `${samples.length - stale} answers were not stale-if-error` }],
        };
      },
      allowed: ({ summary }) => ({
        allowed: 1 + Math.floor(summary.seconds / COOL_DOWN_SECONDS),
        because: "the circuit is open: a probe per 30 s cool-down at most",
      }),
    });
  }

  /** Whether the Worker's memory keeps growing across the repeated hit rounds, and whose memory grows. */
  judgeMemory(hitPoints: readonly MemoryPoint[], controlPoint: MemoryPoint | undefined): void {
    const first = hitPoints[0];
    const last = hitPoints[hitPoints.length - 1];
    if (first === undefined || last === undefined) return;
    const requests = last.requestsSoFar - first.requestsSoFar;
    const heaps = hitPoints.map((point) => point.heap?.usedBytesAfterGc ?? null);
    if (heaps.every((value): value is number => value !== null)) {
      const mbs = heaps.map((value) => value / 1024 / 1024);
      const growth = (mbs[mbs.length - 1] ?? 0) - (mbs[0] ?? 0);
      const rising = mbs.every((value, index) => index === 0 || value > (mbs[index - 1] ?? 0) + 0.25);
      const growing = growth > HEAP_GROWTH_MB && rising;
      this.heapBounded = !growing;
      this.memoryVerdict.push(
        `Worker heap (V8, after the GC of a heap snapshot) across ${hitPoints.length - 1} hit rounds (${requests} requests): ${mbs.map((value) => value.toFixed(2)).join(" → ")} MB, ${growing ? "**keeps growing**" : "bounded"}.`,
      );
      if (growing)
        this.failures.push(`the Worker's heap grew by ${growth.toFixed(1)} MB across the hit rounds, every round adding to it`);
    } else {
      const mbs = hitPoints.map((point) => point.rss["worker-workerd"] ?? 0);
      const growth = (mbs[mbs.length - 1] ?? 0) - (mbs[0] ?? 0);
      const rising = mbs.every((value, index) => index === 0 || value > (mbs[index - 1] ?? 0) + 2);
      this.memoryVerdict.push(
        `No heap snapshots; ${ROLE_NAMES["worker-workerd"]} RSS across the hit rounds: ${mbs.map((value) => value.toFixed(0)).join(" → ")} MB.`,
      );
      if (growth > 50 && rising)
        this.failures.push(`the Worker's workerd RSS grew by ${growth.toFixed(0)} MB across the hit rounds`);
    }
    for (const role of ["worker-workerd", "proxy-workerd", "wrangler-node"] as const) {
      const from = first.rss[role] ?? 0;
      const to = last.rss[role] ?? 0;
      this.memoryVerdict.push(
        `${ROLE_NAMES[role]} RSS across the hit rounds: ${from.toFixed(0)} → ${to.toFixed(0)} MB (${to - from >= 0 ? "+" : ""}${(to - from).toFixed(0)}).`,
      );
    }
    if (controlPoint !== undefined) {
      const worker = (controlPoint.rss["worker-workerd"] ?? 0) - (last.rss["worker-workerd"] ?? 0);
      const proxy = (controlPoint.rss["proxy-workerd"] ?? 0) - (last.rss["proxy-workerd"] ?? 0);
      this.memoryVerdict.push(
        `Control, \`/healthz\` only (no auth, cache or KV; ${controlPoint.requestsSoFar - last.requestsSoFar} requests): Worker's workerd ${worker >= 0 ? "+" : ""}${worker.toFixed(0)} MB, proxy workerd ${proxy >= 0 ? "+" : ""}${proxy.toFixed(0)} MB.`,
      );
    }
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const say = (line: string): void =>
    console.log(`[loadtest ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  const outDir = join(ROOT, "bench", ".out");
  mkdirSync(outDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), "loadtest-"));
  const loadAverageAtStart = loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
  const pool = KeyPool.named(API_KEY_COUNT, Date.now);
  say(`load average ${loadAverageAtStart}; bundling the Worker (wrangler deploy --dry-run) and starting the emulator`);
  const bundle = bundleSource();
  const [frozenResult, emulatorResult] = await Promise.allSettled([
    freezeWorker(workDir),
    startEmulator("bench/loadtest/emulator.ts"),
  ]);
  if (frozenResult.status === "rejected" || emulatorResult.status === "rejected") {
    if (emulatorResult.status === "fulfilled") await emulatorResult.value.stop();
    rmSync(workDir, { recursive: true, force: true });
    const reason =
      frozenResult.status === "rejected"
        ? frozenResult.reason
        : emulatorResult.status === "rejected"
          ? emulatorResult.reason
          : "";
    console.error(`the load test could not start: ${String(reason)}`);
    return 1;
  }
  const frozen = frozenResult.value;
  const emulator = emulatorResult.value;
  let worker: WranglerService | undefined;
  const stopAll = async (): Promise<void> => {
    await worker?.stop();
    await emulator.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    worker?.kill();
    emulator.kill();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  const onExit = (): void => {
    worker?.kill();
    emulator.kill();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", onExit);
  let test: Loadtest | undefined;
  let starts = 0;
  const startWorker = async (): Promise<WranglerService> => {
    await worker?.stop();
    starts += 1;
    const suffix = starts === 1 ? "" : `-${starts}`;
    worker = await startFrozenWorker(
      frozen,
      emulator.url,
      join(workDir, `state${suffix}`),
      pool.keys,
      join(outDir, `loadtest-wrangler${suffix}.log`),
    );
    say(`wrangler dev on ${worker.url} (inspector ${worker.inspectorPort}), emulator on ${emulator.origin}`);
    return worker;
  };
  try {
    test = new Loadtest(await startWorker(), emulator, pool, say, startWorker);
    const alive = test;
    const step = async (id: string, run: () => Promise<unknown>): Promise<void> => {
      if (!want(id)) return;
      await run();
      await alive.ensureAlive(`phase ${id}`);
    };
    // Phase 5 opens the circuit for 30 s and phase 8 may leave wrangler dev unable to answer: both come last.
    // Phase 1 runs with no debugger attached, as `wrangler dev` usually runs; then the inspector is attached for good.
    await step("1", () => alive.bufferedWhileDetached(() => alive.hits("1", "hits (one cached key)", HIT_REQUESTS, HIT_SECONDS)));
    if (alive.inspector === null && !(await alive.attachInspector())) say(`no inspector: ${alive.heapSnapshots}`);
    await step("2", () => alive.forcedMisses());
    await step("3", () => alive.distinctKeys());
    await step("4", () => alive.slowUpstream());
    await step("6a", () => alive.oversized("6a", "oversized", "oversized answer, 20 MiB with Content-Length"));
    await step("6b", () => alive.oversized("6b", "oversized-chunked", "oversized answer, 20 MiB chunked (no length)"));
    await step("6c", () => alive.oversized("6c", "gzip-bomb", "gzip bomb (1 GiB of XML as ~7 MB of gzip, chunked)"));
    await step("7", () => alive.deep());
    await step("7b", () => alive.decodeLargest());
    if (want("M")) {
      const hitPoints = [await test.memoryPoint("the phases before")];
      for (let round = 1; round <= HIT_ROUNDS; round++) {
        await test.hits(`M${round}`, `hits, memory round ${round}`, HIT_REQUESTS, HIT_SECONDS);
        hitPoints.push(await test.memoryPoint(`hit round ${round}`));
      }
      for (let round = 1; round <= 2; round++) {
        const control = await cannon({
          origin: test.worker.url,
          path: "/healthz",
          connections: 10,
          amount: HIT_REQUESTS,
          maxSeconds: HIT_SECONDS / 2,
          keys: null,
        });
        test.requestsSoFar += control.requests;
        say(`control /healthz round ${round}: ${control.requests} requests, ${control.requestsPerSecond.toFixed(0)}/s`);
      }
      const controlPoint = await test.memoryPoint("2 control rounds of /healthz");
      test.judgeMemory(hitPoints, controlPoint);
      await test.ensureAlive("the memory rounds");
    }
    if (want("5")) {
      const primed = await test.get(STALE_PATH, pool.forRequests(1, 10)[0] ?? "");
      if (primed.label !== "200") test.failures.push(`priming ${STALE_PATH} for phase 5b: ${primed.label}`);
      try {
        await test.failing();
        await test.staleIfError();
      } finally {
        await test.behave({});
      }
      await test.memoryPoint("phases 5 and 5b");
      await test.ensureAlive("phase 5b");
    }
    if (want("8")) await test.earlyAnswerPhase();
  } catch (error) {
    const failure = `the load test itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    if (test === undefined) console.error(failure);
    else test.failures.push(failure);
    if (test === undefined) {
      await stopAll();
      return 1;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  test?.detachInspector();
  const workerOutputTail = worker?.output() ?? "";
  await stopAll();
  if (test === undefined) return 1;
  const report: LoadtestReport = {
    date: new Date().toISOString(),
    commit: commit(),
    bundle,
    command: "npm run loadtest",
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${process.platform}`,
    loadAverageAtStart,
    versions: {
      node: process.versions.node,
      wrangler: packageVersion("wrangler"),
      workerd: packageVersion("workerd"),
      autocannon: packageVersion("autocannon"),
    },
    seconds: (performance.now() - started) / 1000,
    passed: test.failures.length === 0,
    failures: test.failures,
    warnings: test.warnings,
    phases: test.phases,
    memory: test.memory,
    memoryVerdict: test.memoryVerdict,
    heapBounded: test.heapBounded,
    earlyAnswers: test.earlyAnswers,
    decode8MiB: test.decode8MiB,
    heapSnapshots: test.heapSnapshots,
    bufferedEvidence: test.bufferedEvidence,
    workerOutputTail,
  };
  writeFileSync(join(outDir, "loadtest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, "loadtest.md"), markdown(report));
  say(`wrote bench/.out/loadtest.json and bench/.out/loadtest.md (${report.seconds.toFixed(0)} s)`);
  // Only a whole run stands for the load test in BENCHMARKS.md; LOADTEST_ONLY runs stay in bench/.out.
  if (only === undefined) {
    const document = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, "utf8") : "";
    writeFileSync(BENCHMARKS_MD, withLoadtestPart(document, markdown(report)));
    say("wrote its part of BENCHMARKS.md (between the loadtest markers)");
  } else say(`LOADTEST_ONLY=${only.join(",")}: BENCHMARKS.md left as it was`);
  for (const line of test.memoryVerdict) say(line.replaceAll("**", ""));
  for (const warning of test.warnings) say(`warning (outside the Worker): ${warning}`);
  if (report.passed) {
    say("PASSED: no unplanned answer, upstream calls within the limits, hostile answers refused fast, memory bounded");
    return 0;
  }
  console.error(`\nLOAD TEST FAILED:\n${test.failures.map((failure) => `  - ${failure}`).join("\n")}`);
  if (workerOutputTail.trim() !== "") console.error(`\nwrangler dev output (last lines):\n${workerOutputTail.slice(-3000)}`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
