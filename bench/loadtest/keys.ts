/**
 * The Worker's per-key rate limit as deployed (wrangler.toml `[[ratelimits]]`: 600 requests per 60 s per API key).
 * Miniflare counts it like Cloudflare's simple limiter: a fixed window per period, aligned to the epoch
 * (`floor(now / period)`), cleared when the next window starts.
 */
export const RATE_LIMIT = 600;
export const RATE_PERIOD_MS = 60_000;

/** The rate-limit window a moment falls in. */
export function windowOf(ms: number): number {
  return Math.floor(ms / RATE_PERIOD_MS);
}

/** Every window from the one holding `startMs` to the one holding `endMs`. */
function windowsBetween(startMs: number, endMs: number): number[] {
  const first = windowOf(startMs);
  return Array.from({ length: windowOf(endMs) - first + 1 }, (_, index) => first + index);
}

/**
 * The most requests the rate limit lets `keys` fresh keys through between `startMs` and `endMs`: one full budget
 * per key for every window the interval touches.
 */
export function rateLimitAllows(keys: number, startMs: number, endMs: number): number {
  return keys * RATE_LIMIT * windowsBetween(startMs, endMs).length;
}

/**
 * The load test's API keys and what each has spent of its rate limit per window, so that a phase meant to stay
 * under the limit gets keys with budget left (across every window it may run into), and a phase meant to exceed
 * it gets keys that start with a full budget. `margin` requests per key and window are never planned, so that a
 * phase's own extra requests (priming, checks) cannot tip a key over.
 */
export class KeyPool {
  private readonly spent = new Map<string, Map<number, number>>();

  constructor(
    readonly keys: readonly string[],
    private readonly now: () => number,
    private readonly margin = 50,
  ) {}

  /** `count` API keys for `LOADTEST` (`A-Z a-z 0-9 . _ ~ + / -`, as API_KEYS requires). */
  static named(count: number, now: () => number): KeyPool {
    return new KeyPool(
      Array.from({ length: count }, (_, index) => `loadtest-key-${String(index).padStart(3, "0")}`),
      now,
    );
  }

  private left(key: string, windows: readonly number[]): number {
    const spent = this.spent.get(key);
    return Math.min(...windows.map((window) => RATE_LIMIT - this.margin - (spent?.get(window) ?? 0)));
  }

  private spend(key: string, windows: readonly number[], requests: number): void {
    const spent = this.spent.get(key) ?? new Map<number, number>();
    for (const window of windows) spent.set(window, (spent.get(window) ?? 0) + requests);
    this.spent.set(key, spent);
  }

  /**
   * One key per request for `requests` requests made within the next `maxSeconds`, none past its budget in any
   * window that span touches; the keys are interleaved so that any prefix of the list spreads over them.
   */
  forRequests(requests: number, maxSeconds: number): string[] {
    const start = this.now();
    const windows = windowsBetween(start, start + maxSeconds * 1000);
    const quotas: { key: string; quota: number }[] = [];
    let planned = 0;
    const byBudget = [...this.keys].sort((a, b) => this.left(b, windows) - this.left(a, windows));
    for (const key of byBudget) {
      if (planned >= requests) break;
      const quota = Math.min(this.left(key, windows), requests - planned);
      if (quota <= 0) break;
      quotas.push({ key, quota });
      planned += quota;
    }
    if (planned < requests) {
      throw new Error(`the load test's ${this.keys.length} API keys have budget for ${planned} of ${requests} requests now`);
    }
    for (const { key, quota } of quotas) this.spend(key, windows, quota);
    const sequence: string[] = [];
    for (let round = 0; sequence.length < requests; round++) {
      for (const { key, quota } of quotas) if (round < quota) sequence.push(key);
    }
    return sequence;
  }

  /** `count` keys with nothing spent in any window of the next `maxSeconds`, marked as fully spent there. */
  fresh(count: number, maxSeconds: number): string[] {
    const start = this.now();
    const windows = windowsBetween(start, start + maxSeconds * 1000);
    const found = this.keys.filter((key) => this.left(key, windows) === RATE_LIMIT - this.margin).slice(0, count);
    if (found.length < count) throw new Error(`the load test has ${found.length} unused API keys, ${count} needed`);
    for (const key of found) this.spend(key, windows, RATE_LIMIT);
    return found;
  }
}
