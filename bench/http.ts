import { rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { describableIn } from "../emulator/filter.js";
import { SEED_TASKS } from "../emulator/seed.js";
import { successEnvelope } from "../emulator/xml-writer.js";
import { buildEnvelope } from "../src/soap/envelope.js";
import { CONTRACTS } from "../src/soap/namespaces.js";
import { ourBody } from "./contestants.js";
import { asReceived } from "./decode.js";
import { median, percentile, race } from "./measure.js";
import {
  API_KEY,
  cpuMs,
  type Service,
  startConstantWorker,
  startEmulator,
  startFloorWorker,
  startWorker,
  workerdOf,
} from "./services.js";
import { groupAssociate, HTTP_SIZES } from "./workload.js";

export type LoadResult = {
  path: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  upstreamCalls: number;
};

export type HitResult = { hit: LoadResult; floor: LoadResult; connections: number; seconds: number; rounds: number };

type Latency = { p50: number; p99: number };

export type MissResult = {
  requests: number;
  tasks: number;
  /** Forced misses through the real Worker. */
  worker: Latency;
  /** The same SOAP call through the relay Worker of bench/floor: the runtime's own cost of a subrequest. */
  relay: Latency;
  /** The same SOAP call straight to the emulator. */
  emulator: Latency;
  decodeMs: number;
};

/** The `Server-Timing` phases the Worker reports (`kv`, `upstream`, `decode`, `total`), in ms per request. */
export type Phases = Record<string, number>;

/**
 * One contestant's sequential requests: client-side latency (request sent to last body byte, ms), and the mean of
 * each `Server-Timing` phase over the same requests (empty for the floor Workers, which report none). `outside` is
 * the mean of client latency minus the Worker's `total`: time spent outside its Hono app (the runtime receiving the
 * request and sending the body, the connection, the client). `cpuMs` is the CPU time its workerd process used per
 * request (all threads, the KV simulator's included, and work left to `waitUntil` charged to the request that left
 * it), which unlike latency does not grow while the process waits for a core: NaN where `/proc` is unavailable.
 */
export type Summary = { requests: number; p50: number; p90: number; mean: number; cpuMs: number; phases: Phases };

/** Throughput of one contestant under autocannon, summed over its rounds. */
export type Throughput = { requestsPerSecond: number; p50: number; p99: number; non2xx: number };

/** Our Worker's hit against the constant-body Worker answering the same bytes, at one size. */
export type HitCompare = {
  tasks: number;
  jsonBytes: number;
  path: string;
  ours: Summary;
  floor: Summary;
  /** Median over the interleaved pairs of ours / floor latency. */
  pairRatio: number;
  throughput: { ours: Throughput; floor: Throughput };
  /** Upstream calls the emulator saw while the hit benchmark ran (0: every request was a hit). */
  upstreamCalls: number;
};

/** Our Worker's misses against the relay Worker relaying the same SOAP exchange, at one size. */
export type MissCompare = {
  tasks: number;
  xmlBytes: number;
  jsonBytes: number;
  /** A question no one asked before: not in memory, not in KV. */
  neverSeen: Summary;
  /** `Cache-Control: no-cache` on a question whose answer is in memory (and KV). */
  refresh: Summary;
  relay: Summary;
  /** Median over the interleaved rounds of never-seen / relay and refresh / relay latency. */
  pairRatio: { neverSeen: number; refresh: number };
};

/** How much the floor comparisons measured: request pairs per hit size, rounds per miss size, autocannon rounds. */
export type FloorSettings = {
  pairs: number;
  rounds: Record<number, number>;
  throughputRounds: number;
  throughputSeconds: number;
  connections: number;
};

export type HttpResult = {
  hit: HitResult;
  miss: MissResult;
  hits: HitCompare[];
  misses: MissCompare[];
  settings: FloorSettings;
};

const HIT_PATH = "/v1/batch-tasks?associateIds=5,7,12,42&state=All";
/**
 * System tasks and the seed's four associates: every seed task a Services85 answer can carry, the answer the forced
 * miss benchmark decodes (not `-1`, all users, which would also return the benchmark's task groups).
 */
export const MISS_QUERY = { associateIds: [0, 5, 7, 12, 42], state: "All" } as const;
const SEED_85 = SEED_TASKS.filter((task) => describableIn(task, CONTRACTS["85"]));
const AUTH = { Authorization: `Bearer ${API_KEY}` };
const CREDENTIALS = { ticket: "7T:dev-ticket", applicationToken: "dev-app-token" };

/** Interleaved request pairs per size for the hit latency comparison (after as many warm-up pairs as a tenth of it). */
const HIT_PAIRS = 250;
/** Interleaved rounds (never-seen, refresh, relay) per size for the miss comparison: fewer for the slow large answer. */
const MISS_ROUNDS: Record<number, number> = { 50: 120, 1000: 50 };
/** autocannon rounds per contestant and size for the hit throughput comparison, each this many seconds. */
const THROUGHPUT_ROUNDS = 3;
const THROUGHPUT_SECONDS = 2;
const CONNECTIONS = 10;
/** Associate ids that own no task, one per never-seen question: far above the task groups' owners. */
const NEVER_SEEN_BASE = 2_000_000;

async function upstreamCalls(emulatorUrl: string): Promise<number> {
  const response = await fetch(new URL("/__emulator/requests", emulatorUrl));
  return ((await response.json()) as { count: number }).count;
}

async function load(
  origin: string,
  path: string,
  connections: number,
  seconds: number,
): Promise<Omit<LoadResult, "upstreamCalls">> {
  const result = await autocannon({ url: `${origin}${path}`, connections, duration: seconds, headers: AUTH });
  return {
    path,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

function mean(results: readonly Omit<LoadResult, "upstreamCalls">[], upstream: number): LoadResult {
  const average = (pick: (result: Omit<LoadResult, "upstreamCalls">) => number): number =>
    results.reduce((sum, result) => sum + pick(result), 0) / results.length;
  return {
    path: results[0]?.path ?? "",
    requestsPerSecond: average((result) => result.requestsPerSecond),
    p50: average((result) => result.p50),
    p99: average((result) => result.p99),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    upstreamCalls: upstream,
  };
}

/** Cached GETs against `/healthz` of the same Worker, alternating, so both see the same machine state. */
async function hitPath(
  origin: string,
  emulatorUrl: string,
  connections: number,
  seconds: number,
  rounds: number,
): Promise<HitResult> {
  const prime = await fetch(`${origin}${HIT_PATH}`, { headers: AUTH });
  await prime.arrayBuffer();
  const check = await fetch(`${origin}${HIT_PATH}`, { headers: AUTH });
  await check.arrayBuffer();
  if (!/; hit/.test(check.headers.get("Cache-Status") ?? ""))
    throw new Error(`the second GET was not a hit: ${check.headers.get("Cache-Status")}`);
  const hits: Omit<LoadResult, "upstreamCalls">[] = [];
  const floors: Omit<LoadResult, "upstreamCalls">[] = [];
  const before = await upstreamCalls(emulatorUrl);
  for (let round = 0; round < rounds; round++) {
    floors.push(await load(origin, "/healthz", connections, seconds));
    hits.push(await load(origin, HIT_PATH, connections, seconds));
  }
  const during = (await upstreamCalls(emulatorUrl)) - before;
  return { hit: mean(hits, during), floor: mean(floors, 0), connections, seconds, rounds };
}

async function timed(request: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`HTTP ${response.status} during the miss benchmark`);
  return performance.now() - start;
}

/** Whether `Cache-Control: no-cache` makes the Worker ask upstream even with a fresh entry. */
async function honoursNoCache(origin: string, emulatorUrl: string, path: string): Promise<boolean> {
  await timed(() => fetch(`${origin}${path}`, { headers: AUTH }));
  const before = await upstreamCalls(emulatorUrl);
  await timed(() => fetch(`${origin}${path}`, { headers: { ...AUTH, "Cache-Control": "no-cache" } }));
  return (await upstreamCalls(emulatorUrl)) === before + 1;
}

function latency(samples: readonly number[]): Latency {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/**
 * Sequential forced misses (`Cache-Control: no-cache`) through the Worker, interleaved with the same SOAP call
 * through the relay Worker and straight to the emulator. Worker − emulator is what the Worker adds as the issue
 * defines it; relay − emulator is the runtime's share of that (one subrequest under `wrangler dev`); Worker − relay
 * is our code's share (routing, auth, cache lookup, decode, validation, ETag, store).
 */
async function missPath(origin: string, relayOrigin: string, emulatorUrl: string, requests: number): Promise<MissResult> {
  const base = `/v1/batch-tasks?associateIds=${MISS_QUERY.associateIds.join(",")}&state=${MISS_QUERY.state}`;
  if (!(await honoursNoCache(origin, emulatorUrl, base))) throw new Error("Cache-Control: no-cache did not force a miss");
  const soap = buildEnvelope(
    { associateIds: [...MISS_QUERY.associateIds], state: MISS_QUERY.state },
    CREDENTIALS,
    CONTRACTS["85"],
  );
  const contestants = {
    worker: (): Promise<Response> => fetch(`${origin}${base}`, { headers: { ...AUTH, "Cache-Control": "no-cache" } }),
    relay: (): Promise<Response> => fetch(relayOrigin, { method: "POST", headers: soap.headers, body: soap.body }),
    emulator: (): Promise<Response> => fetch(emulatorUrl, { method: "POST", headers: soap.headers, body: soap.body }),
  };
  const samples = { worker: [] as number[], relay: [] as number[], emulator: [] as number[] };
  for (let warm = 0; warm < 30; warm++) for (const call of Object.values(contestants)) await timed(call);
  const before = await upstreamCalls(emulatorUrl);
  for (let index = 0; index < requests; index++) {
    samples.worker.push(await timed(contestants.worker));
    samples.relay.push(await timed(contestants.relay));
    samples.emulator.push(await timed(contestants.emulator));
  }
  const calls = (await upstreamCalls(emulatorUrl)) - before;
  if (calls !== 3 * requests) throw new Error(`expected ${3 * requests} upstream calls, saw ${calls}: some were not misses`);
  const xml = asReceived(successEnvelope(SEED_85));
  const decodeMs = race({ ours: () => ourBody(xml) }, { warmupCalls: 100, rounds: 5, sliceMs: 200 }).ours?.msPerOp ?? Number.NaN;
  return {
    requests,
    tasks: SEED_85.length,
    worker: latency(samples.worker),
    relay: latency(samples.relay),
    emulator: latency(samples.emulator),
    decodeMs,
  };
}

/** One answer as the benchmark client saw it: status, the headers it needs, body size and latency in ms. */
type Reply = { status: number; cacheStatus: string; serverTiming: string; etag: string; bytes: number; ms: number };

type Call = { url: string; method?: "GET" | "POST" | "PUT"; headers?: Record<string, string>; body?: string };

/**
 * One HTTP/1.1 request over a kept-alive connection (one socket per origin, as a sequential client would hold),
 * timed from the call to the body's last byte. node:http rather than `fetch`: undici's per-request overhead and
 * its body handling would be timed too and blur the small differences measured here.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(call: Call): Promise<Reply> {
  const { url, method = "GET", headers = {}, body } = call;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const outgoing = request(url, { method, headers, agent }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on("error", reject);
      response.on("end", () => {
        const header = (name: string): string => String(response.headers[name] ?? "");
        resolve({
          status: response.statusCode ?? 0,
          cacheStatus: header("cache-status"),
          serverTiming: header("server-timing"),
          etag: header("etag"),
          bytes,
          ms: performance.now() - start,
        });
      });
    });
    // A kept-alive connection the server closed while idle fails at once: the request never reached it, so send again.
    outgoing.on("error", (error: NodeJS.ErrnoException) =>
      outgoing.reusedSocket && error.code === "ECONNRESET" ? resolve(send(call)) : reject(error),
    );
    outgoing.end(body);
  });
}

/** `Server-Timing: kv;dur=1.0,upstream;dur=…,total;dur=…;desc="…"` as `{ kv: 1, upstream: …, total: … }`. */
export function parseServerTiming(header: string): Phases {
  const phases: Phases = {};
  for (const metric of header.split(",")) {
    const [name = "", ...parameters] = metric.split(";").map((part) => part.trim());
    const duration = parameters.find((parameter) => parameter.startsWith("dur="));
    if (name !== "" && duration !== undefined) phases[name] = Number(duration.slice("dur=".length));
  }
  return phases;
}

/** A contestant's replies, kept for the summary, and the CPU time charged to them (ms). */
type Samples = { ms: number[]; phases: Phases[]; cpuMs: number };

const newSamples = (): Samples => ({ ms: [], phases: [], cpuMs: 0 });

/**
 * The CPU clock of the workerd process that runs one Worker (found when a comparison starts: `wrangler dev` starts a
 * new one when it reloads), and whose requests its time is charged to. Before each request to that process, the time
 * it used since the previous reading goes to the contestant of its previous request (nobody's during warm-up), so
 * work a response leaves behind (`waitUntil`) is charged to the request that caused it.
 */
type Meter = { pid: number | undefined; last: number; owner: Samples | undefined };

function meter(service: Service): Meter {
  const pid = workerdOf(service);
  return { pid, last: pid === undefined ? Number.NaN : cpuMs(pid), owner: undefined };
}

function charge(clock: Meter, next: Samples | undefined): void {
  const now = clock.pid === undefined ? Number.NaN : cpuMs(clock.pid);
  if (clock.owner !== undefined) clock.owner.cpuMs += now - clock.last;
  clock.last = now;
  clock.owner = next;
}

/** Charges what the processes did after the last request, once they have had time to finish it. */
async function settle(clocks: readonly Meter[]): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const clock of clocks) charge(clock, undefined);
}

function record(samples: Samples, reply: Reply): void {
  samples.ms.push(reply.ms);
  samples.phases.push(parseServerTiming(reply.serverTiming));
}

/**
 * Latency percentiles, and the mean of each `Server-Timing` phase: means, because workerd's clock counts whole
 * milliseconds, and the mean of many rounded readings keeps the fraction a median would lose.
 */
function summarize(samples: Samples): Summary {
  const names = [...new Set(samples.phases.flatMap((phases) => Object.keys(phases)))];
  const average = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const phases: Phases = Object.fromEntries(
    names.map((name) => [name, average(samples.phases.map((phases) => phases[name] ?? 0))]),
  );
  if (phases.total !== undefined)
    phases.outside = average(samples.ms.map((ms, index) => ms - (samples.phases[index]?.total ?? 0)));
  return {
    requests: samples.ms.length,
    p50: percentile(samples.ms, 50),
    p90: percentile(samples.ms, 90),
    mean: average(samples.ms),
    cpuMs: samples.cpuMs / samples.ms.length,
    phases,
  };
}

function pairRatio(numerator: Samples, denominator: Samples): number {
  return median(numerator.ms.map((ms, index) => ms / (denominator.ms[index] as number)));
}

function expect(reply: Reply, what: string, cacheStatus: RegExp | null): void {
  if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status}`);
  if (cacheStatus !== null && !cacheStatus.test(reply.cacheStatus)) throw new Error(`${what}: Cache-Status ${reply.cacheStatus}`);
}

/**
 * autocannon in short rounds alternating between the contestants (order rotating), the mean over each one's rounds.
 * `before` runs before every round (to make sure the constant-body Worker still holds its body).
 */
async function throughput(
  contestants: Readonly<Record<"ours" | "floor", string>>,
  before: () => Promise<void>,
): Promise<Record<"ours" | "floor", Throughput>> {
  const names = ["ours", "floor"] as const;
  const runs: Record<"ours" | "floor", Omit<LoadResult, "upstreamCalls">[]> = { ours: [], floor: [] };
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length] as "ours" | "floor";
      const url = new URL(contestants[name]);
      await before();
      runs[name].push(await load(url.origin, `${url.pathname}${url.search}`, CONNECTIONS, THROUGHPUT_SECONDS));
    }
  }
  const sum = (name: "ours" | "floor"): Throughput => {
    const { requestsPerSecond, p50, p99, non2xx } = mean(runs[name], 0);
    return { requestsPerSecond, p50, p99, non2xx };
  };
  return { ours: sum("ours"), floor: sum("floor") };
}

/** The services the floor comparisons use. */
type Contest = { worker: Service; relay: Service; constant: Service; emulatorUrl: string };

/**
 * A cached answer of `tasks` tasks from our Worker against the constant-body Worker answering the very same bytes
 * (stored into it from our Worker's answer, ETag included): sequential requests alternating one by one (the order
 * flipping every pair), then throughput in short alternating autocannon rounds.
 */
async function hitVsConstant(contest: Contest, tasks: number): Promise<HitCompare> {
  const { worker, constant, emulatorUrl } = contest;
  const path = `/v1/batch-tasks?associateIds=${groupAssociate(tasks)}&state=All`;
  const ours: Call = { url: `${worker.url}${path}`, headers: AUTH };
  const floor: Call = { url: `${constant.url}/hit-${tasks}`, headers: AUTH };
  await send(ours);
  const cached = await fetch(ours.url, { headers: AUTH });
  const body = await cached.text();
  if (!/; hit/.test(cached.headers.get("Cache-Status") ?? "")) throw new Error(`no hit for ${tasks} tasks`);
  const jsonBytes = Buffer.byteLength(body);
  /**
   * `wrangler dev` restarts a Worker's runtime whenever a file it was built from is written (a formatter run
   * anywhere in the tree will do), and the constant Worker then forgets its body: stored again per phase, and on 404.
   */
  const store = async (): Promise<void> => {
    const stored = await send({ url: floor.url, method: "PUT", headers: { ETag: cached.headers.get("ETag") ?? "" }, body });
    if (stored.status !== 204) throw new Error(`the constant-body Worker refused the body: HTTP ${stored.status}`);
  };
  await store();
  const clocks = { worker: meter(worker), constant: meter(constant) };
  const samples = { ours: newSamples(), floor: newSamples() };
  const before = await upstreamCalls(emulatorUrl);
  for (let pair = -Math.ceil(HIT_PAIRS / 10); pair < HIT_PAIRS; pair++) {
    const order = pair % 2 === 0 ? (["ours", "floor"] as const) : (["floor", "ours"] as const);
    for (const name of order) {
      charge(name === "ours" ? clocks.worker : clocks.constant, pair >= 0 ? samples[name] : undefined);
      let reply = await send(name === "ours" ? ours : floor);
      if (name === "floor" && reply.status === 404) {
        await store();
        reply = await send(floor);
      }
      expect(reply, `hit ${tasks} (${name})`, /; hit/);
      if (reply.bytes !== jsonBytes) throw new Error(`hit ${tasks} (${name}): ${reply.bytes} bytes, expected ${jsonBytes}`);
      if (pair >= 0) record(samples[name], reply);
    }
  }
  await settle([clocks.worker, clocks.constant]);
  const rates = await throughput({ ours: ours.url, floor: floor.url }, store);
  return {
    tasks,
    jsonBytes,
    path,
    ours: summarize(samples.ours),
    floor: summarize(samples.floor),
    pairRatio: pairRatio(samples.ours, samples.floor),
    throughput: rates,
    upstreamCalls: (await upstreamCalls(emulatorUrl)) - before,
  };
}

type MissContestant = "neverSeen" | "refresh" | "relay";

/**
 * Misses of `tasks` tasks in rounds of three, the order rotating each round: a never-seen question (the group's
 * owner plus an associate id never asked before, so neither memory nor KV has it), a forced refresh of the group's
 * question (`Cache-Control: no-cache`, answer in memory), and the relay Worker relaying the never-seen question's
 * SOAP exchange (the same request bytes our Worker sends, the same answer bytes back).
 */
async function missVsRelay(contest: Contest, tasks: number, rounds: number): Promise<MissCompare> {
  const { worker, relay, emulatorUrl } = contest;
  const group = groupAssociate(tasks);
  const refreshCall: Call = { url: `${worker.url}/v1/batch-tasks?associateIds=${group}&state=All`, headers: AUTH };
  expect(await send(refreshCall), `prime ${tasks}`, null);
  const clocks = { worker: meter(worker), relay: meter(relay) };
  const samples: Record<MissContestant, Samples> = { neverSeen: newSamples(), refresh: newSamples(), relay: newSamples() };
  const names: MissContestant[] = ["neverSeen", "refresh", "relay"];
  const warmup = 5;
  let xmlBytes = 0;
  let jsonBytes = 0;
  const before = await upstreamCalls(emulatorUrl);
  for (let round = -warmup; round < rounds; round++) {
    const ids = [group, NEVER_SEEN_BASE + tasks * 1000 + warmup + round].sort((a, b) => a - b);
    const soap = buildEnvelope({ associateIds: ids, state: "All" }, CREDENTIALS, CONTRACTS["85"]);
    const calls: Record<MissContestant, [Call, RegExp | null]> = {
      neverSeen: [
        { url: `${worker.url}/v1/batch-tasks?associateIds=${ids.join(",")}&state=All`, headers: AUTH },
        /fwd=miss; stored/,
      ],
      refresh: [{ ...refreshCall, headers: { ...AUTH, "Cache-Control": "no-cache" } }, /fwd=request; stored/],
      relay: [{ url: relay.url, method: "POST", headers: soap.headers, body: soap.body }, null],
    };
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + warmup + turn) % names.length] as MissContestant;
      const [call, cacheStatus] = calls[name];
      charge(name === "relay" ? clocks.relay : clocks.worker, round >= 0 ? samples[name] : undefined);
      const reply = await send(call);
      expect(reply, `miss ${tasks} (${name})`, cacheStatus);
      if (name === "relay") xmlBytes = reply.bytes;
      else jsonBytes = reply.bytes;
      if (round >= 0) record(samples[name], reply);
    }
  }
  await settle([clocks.worker, clocks.relay]);
  const calls = (await upstreamCalls(emulatorUrl)) - before;
  if (calls !== 3 * (rounds + warmup)) throw new Error(`miss ${tasks}: ${calls} upstream calls for ${rounds + warmup} rounds`);
  return {
    tasks,
    xmlBytes,
    jsonBytes,
    neverSeen: summarize(samples.neverSeen),
    refresh: summarize(samples.refresh),
    relay: summarize(samples.relay),
    pairRatio: { neverSeen: pairRatio(samples.neverSeen, samples.relay), refresh: pairRatio(samples.refresh, samples.relay) },
  };
}

/** Starts services in parallel; if one fails, stops those that started, then fails. */
async function startAll<T extends Record<string, () => Promise<Service>>>(starters: T): Promise<{ [K in keyof T]: Service }> {
  const entries = Object.entries(starters);
  const settled = await Promise.allSettled(entries.map(([, start]) => start()));
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(settled.map((outcome) => (outcome.status === "fulfilled" ? outcome.value.stop() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  return Object.fromEntries(
    entries.map(([name], index) => [name, (settled[index] as PromiseFulfilledResult<Service>).value]),
  ) as { [K in keyof T]: Service };
}

/**
 * Starts the emulator (with the benchmark's task groups), then our Worker, the relay Worker and the constant-body
 * Worker side by side; runs the hit and miss benchmarks against their floors; stops them all.
 */
export async function runHttpBench(log: (line: string) => void = () => undefined): Promise<HttpResult> {
  const stateDir = fileURLToPath(new URL("./.out/wrangler-state", import.meta.url));
  rmSync(stateDir, { recursive: true, force: true });
  const emulator = await startEmulator("emulator/bench-main.ts");
  try {
    const { worker, relay, constant } = await startAll({
      worker: () => startWorker(emulator.url, stateDir),
      relay: () => startFloorWorker(emulator.url),
      constant: () => startConstantWorker(),
    });
    try {
      log(`wrangler dev on ${worker.url}, relay on ${relay.url}, constant body on ${constant.url}, emulator on ${emulator.url}`);
      const contest: Contest = { worker, relay, constant, emulatorUrl: emulator.url };
      const hits: HitCompare[] = [];
      for (const tasks of HTTP_SIZES) {
        const hit = await hitVsConstant(contest, tasks);
        hits.push(hit);
        log(
          `hit ${tasks} tasks: p50 ${hit.ours.p50.toFixed(2)} ms vs constant ${hit.floor.p50.toFixed(2)} ms; CPU ${hit.ours.cpuMs.toFixed(2)} vs ${hit.floor.cpuMs.toFixed(2)} ms; ${hit.throughput.ours.requestsPerSecond.toFixed(0)} vs ${hit.throughput.floor.requestsPerSecond.toFixed(0)} req/s`,
        );
      }
      const misses: MissCompare[] = [];
      for (const tasks of HTTP_SIZES) {
        const miss = await missVsRelay(contest, tasks, MISS_ROUNDS[tasks] ?? 60);
        misses.push(miss);
        log(
          `miss ${tasks} tasks: p50 never-seen ${miss.neverSeen.p50.toFixed(1)} ms, refresh ${miss.refresh.p50.toFixed(1)} ms, relay ${miss.relay.p50.toFixed(1)} ms; CPU ${miss.neverSeen.cpuMs.toFixed(1)}, ${miss.refresh.cpuMs.toFixed(1)}, ${miss.relay.cpuMs.toFixed(1)} ms`,
        );
      }
      const hit = await hitPath(worker.url, emulator.url, CONNECTIONS, 5, 2);
      log(`hit ${hit.hit.requestsPerSecond.toFixed(0)} req/s, healthz ${hit.floor.requestsPerSecond.toFixed(0)} req/s`);
      const miss = await missPath(worker.url, relay.url, emulator.url, 200);
      log(
        `miss p50 ${miss.worker.p50.toFixed(2)} ms, relay ${miss.relay.p50.toFixed(2)} ms, emulator ${miss.emulator.p50.toFixed(2)} ms`,
      );
      return {
        hit,
        miss,
        hits,
        misses,
        settings: {
          pairs: HIT_PAIRS,
          rounds: MISS_ROUNDS,
          throughputRounds: THROUGHPUT_ROUNDS,
          throughputSeconds: THROUGHPUT_SECONDS,
          connections: CONNECTIONS,
        },
      };
    } finally {
      await Promise.all([worker.stop(), relay.stop(), constant.stop()]);
    }
  } finally {
    await emulator.stop();
  }
}
