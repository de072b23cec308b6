import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { SEED_TASKS } from "../emulator/seed.js";
import { successEnvelope } from "../emulator/xml-writer.js";
import { buildEnvelope } from "../src/soap/envelope.js";
import { CONTRACTS } from "../src/soap/namespaces.js";
import { ourBody } from "./contestants.js";
import { race } from "./measure.js";
import { API_KEY, startEmulator, startFloorWorker, startWorker } from "./services.js";

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

export type HttpResult = { hit: HitResult; miss: MissResult };

const HIT_PATH = "/v1/batch-tasks?associateIds=5,7,12,42&state=All";
/** System tasks and every user's: all 14 seed tasks, the answer the miss benchmark decodes. */
const MISS_QUERY = { associateIds: [-1, 0], state: "All" } as const;
const AUTH = { Authorization: `Bearer ${API_KEY}` };

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

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
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
    { ticket: "7T:dev-ticket", applicationToken: "dev-app-token" },
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
  const xml = successEnvelope(SEED_TASKS);
  const decodeMs = race({ ours: () => ourBody(xml) }, { warmupCalls: 100, rounds: 5, sliceMs: 200 }).ours?.msPerOp ?? Number.NaN;
  return {
    requests,
    tasks: SEED_TASKS.length,
    worker: latency(samples.worker),
    relay: latency(samples.relay),
    emulator: latency(samples.emulator),
    decodeMs,
  };
}

/** Starts the emulator, the Worker and the relay Worker, runs the hit and miss benchmarks, and stops them all. */
export async function runHttpBench(log: (line: string) => void = () => undefined): Promise<HttpResult> {
  const stateDir = fileURLToPath(new URL("./.out/wrangler-state", import.meta.url));
  rmSync(stateDir, { recursive: true, force: true });
  const emulator = await startEmulator();
  try {
    const worker = await startWorker(emulator.url, stateDir);
    try {
      const relay = await startFloorWorker(emulator.url);
      try {
        log(`wrangler dev on ${worker.url}, relay on ${relay.url}, emulator on ${emulator.url}`);
        const hit = await hitPath(worker.url, emulator.url, 10, 8, 2);
        log(`hit ${hit.hit.requestsPerSecond.toFixed(0)} req/s, healthz ${hit.floor.requestsPerSecond.toFixed(0)} req/s`);
        const miss = await missPath(worker.url, relay.url, emulator.url, 300);
        log(
          `miss p50 ${miss.worker.p50.toFixed(2)} ms, relay ${miss.relay.p50.toFixed(2)} ms, emulator ${miss.emulator.p50.toFixed(2)} ms`,
        );
        return { hit, miss };
      } finally {
        await relay.stop();
      }
    } finally {
      await worker.stop();
    }
  } finally {
    await emulator.stop();
  }
}
