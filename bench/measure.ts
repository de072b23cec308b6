/** A function under test: one call is one full piece of work (e.g. one response decoded). */
export type Workload = () => unknown;

export type Sample = {
  /** Median milliseconds per call over the rounds. */
  msPerOp: number;
  /** Calls made in all timed rounds. */
  calls: number;
  /** Milliseconds per call in each round, in round order (for ratios paired round by round). */
  rounds: number[];
};

export type RaceOptions = {
  /** Calls per contestant before timing starts. */
  warmupCalls: number;
  /** Timed rounds; in each one every contestant runs once, in an order that rotates from round to round. */
  rounds: number;
  /** Minimum time a contestant runs per round (at least one call). */
  sliceMs: number;
};

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Nearest-rank percentile (`p` from 0 to 100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function timeSlice(workload: Workload, sliceMs: number): { ms: number; calls: number } {
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  do {
    workload();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < sliceMs);
  return { ms: elapsed / calls, calls };
}

/**
 * Times the contestants side by side in one process: warm-up, then interleaved rounds with a rotating order, so that
 * drift in machine speed, JIT state or GC pressure lands on all of them alike. Returns each one's median.
 */
export function race(contestants: Readonly<Record<string, Workload>>, options: RaceOptions): Record<string, Sample> {
  const names = Object.keys(contestants);
  for (const name of names) for (let call = 0; call < options.warmupCalls; call++) contestants[name]?.();
  const perRound = new Map<string, number[]>(names.map((name) => [name, []]));
  const calls = new Map<string, number>(names.map((name) => [name, 0]));
  for (let round = 0; round < options.rounds; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length] as string;
      const slice = timeSlice(contestants[name] as Workload, options.sliceMs);
      perRound.get(name)?.push(slice.ms);
      calls.set(name, (calls.get(name) ?? 0) + slice.calls);
    }
  }
  return Object.fromEntries(
    names.map((name) => [
      name,
      { msPerOp: median(perRound.get(name) ?? []), calls: calls.get(name) ?? 0, rounds: perRound.get(name) ?? [] },
    ]),
  );
}
