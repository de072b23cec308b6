/** The phases `Server-Timing` reports besides `total`. */
export type Phase = "kv" | "upstream" | "decode";

/**
 * What one request lends the layers below HTTP: its id for log lines, its `waitUntil` for work that outlives it,
 * and the milliseconds it spent per phase (for `Server-Timing`). In workerd the clock advances only across I/O, so
 * CPU-only phases such as `decode` read as 0 in production; under `wrangler dev` and in benchmarks they are real.
 */
export type CallContext = {
  requestId: string;
  waitUntil: (work: Promise<unknown>) => void;
  phases: Record<Phase, number>;
};

/**
 * Resolves on a later turn of the event loop. Work that outlives a request (a log line, a KV write) waits for it
 * inside `waitUntil`, so that its CPU runs after the request has returned its answer, not before; only a request
 * still waiting on I/O at that turn (a KV lookup the hedge did not wait for) may see it run first.
 */
export function afterAnswer(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function newPhases(): Record<Phase, number> {
  return { kv: 0, upstream: 0, decode: 0 };
}

/** Runs `work` and adds its wall time to the phase. */
export async function timed<T>(context: CallContext, phase: Phase, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    context.phases[phase] += performance.now() - start;
  }
}

/** `timed` for synchronous work. */
export function timedSync<T>(context: CallContext, phase: Phase, work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    context.phases[phase] += performance.now() - start;
  }
}
