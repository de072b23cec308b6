import autocannon from "autocannon";
import { percentile } from "../measure.js";

/** The problem-type prefix of the Worker's errors (README, "Errors"). */
const PROBLEM_PREFIX = "urn:superoffice-batch-edge:problem:";

/** One request's outcome: its status and, for an error, the problem type ("503 upstream-busy"), and what it took. */
export type Sample = {
  label: string;
  ms: number;
  /** The Worker's `Server-Timing` metrics (`kv`, `upstream`, `decode`, `total`), in ms. */
  timing: Record<string, number>;
  cacheStatus: string | null;
  body: string;
};

/** What a phase's requests came to: counts per outcome, latency percentiles, and the Worker's own timings. */
export type Summary = {
  requests: number;
  seconds: number;
  outcomes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The largest value of each `Server-Timing` metric over the phase. */
  timingMaxMs: Record<string, number>;
};

/** `kv;dur=21.0,upstream;dur=40.0,total;dur=77.0;desc="…"` as `{ kv: 21, upstream: 40, total: 77 }`. */
export function parseServerTiming(header: string | null): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const part of (header ?? "").split(",")) {
    const [name, ...parameters] = part.split(";").map((item) => item.trim());
    const duration = parameters.find((parameter) => parameter.startsWith("dur="));
    if (name !== undefined && name !== "" && duration !== undefined) metrics[name] = Number(duration.slice(4));
  }
  return metrics;
}

/** "200", or "502 upstream-invalid-response" for a problem document, or the status alone for another error body. */
export function outcomeLabel(status: number, body: string): string {
  if (status < 400) return String(status);
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    if (typeof type === "string")
      return `${status} ${type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : type}`;
  } catch {
    // not a problem document
  }
  return String(status);
}

/** One request through `fetch`, timed to the last byte of the answer; a network failure or timeout is an outcome too. */
export async function sample(url: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<Sample> {
  const start = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return {
      label: outcomeLabel(response.status, body),
      ms: performance.now() - start,
      timing: parseServerTiming(response.headers.get("Server-Timing")),
      cacheStatus: response.headers.get("Cache-Status"),
      body,
    };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      label: timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${String(error)}`.slice(0, 120),
      ms: performance.now() - start,
      timing: {},
      cacheStatus: null,
      body: "",
    };
  }
}

export function summarize(samples: readonly Sample[], seconds: number): Summary {
  const outcomes: Record<string, number> = {};
  const timingMaxMs: Record<string, number> = {};
  for (const each of samples) {
    outcomes[each.label] = (outcomes[each.label] ?? 0) + 1;
    for (const [name, ms] of Object.entries(each.timing)) timingMaxMs[name] = Math.max(timingMaxMs[name] ?? 0, ms);
  }
  const latencies = samples.map((each) => each.ms);
  return {
    requests: samples.length,
    seconds,
    outcomes,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
    timingMaxMs,
  };
}

/**
 * Up to `total` requests from `concurrency` loops, each waiting for its answer before the next, stopping early at
 * `maxSeconds`: count- and time-limited. `request(index)` makes the index-th request.
 */
export async function drive(
  total: number,
  concurrency: number,
  maxSeconds: number,
  request: (index: number) => Promise<Sample>,
): Promise<{ samples: Sample[]; seconds: number }> {
  const start = performance.now();
  const deadline = start + maxSeconds * 1000;
  const samples: Sample[] = [];
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < total && performance.now() < deadline) samples.push(await request(next++));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, loop));
  return { samples, seconds: (performance.now() - start) / 1000 };
}

/**
 * `amount` GETs of `path` with autocannon (HTTP/1.1 keep-alive, `connections` at once), stopped at `maxSeconds`;
 * `keys` gives the API key of each request in turn (null: no Authorization). Only status codes are known here;
 * `unanswered` counts requests sent but not answered when it stopped (at most `connections` when cut off in time).
 */
export function cannon(options: {
  origin: string;
  path: string;
  connections: number;
  amount: number;
  maxSeconds: number;
  keys: readonly string[] | null;
}): Promise<Summary & { requestsPerSecond: number; unanswered: number }> {
  const { keys } = options;
  let index = 0;
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const key = keys === null ? undefined : keys[index++ % keys.length];
    return key === undefined ? request : { ...request, headers: { ...request.headers, Authorization: `Bearer ${key}` } };
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        amount: options.amount,
        timeout: 30,
        requests: [{ method: "GET", path: options.path, setupRequest }],
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(timer);
        if (error !== null && error !== undefined) return reject(error instanceof Error ? error : new Error(String(error)));
        const outcomes: Record<string, number> = {};
        for (const [status, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) outcomes[status] = count;
        // autocannon's `errors` include its `timeouts`.
        if (result.errors > result.timeouts) outcomes["network error"] = result.errors - result.timeouts;
        if (result.timeouts > 0) outcomes["no answer within 30 s"] = result.timeouts;
        const answered = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
        resolve({
          requests: answered,
          unanswered: Math.max(0, result.requests.sent - answered),
          seconds: result.duration,
          outcomes,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          maxMs: result.latency.max,
          timingMaxMs: {},
          requestsPerSecond: result.requests.average,
        });
      },
    );
    const timer = setTimeout(() => instance.stop(), options.maxSeconds * 1000);
  });
}
