/** Resolves after `ms` milliseconds; injected so that tests decide when a wait ends instead of sleeping. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A cap on concurrent upstream calls (per tenant, per isolate): at most `capacity` run at once; later callers queue
 * in arrival order for at most `maxWaitMs` and are then refused, so a burst of distinct questions cannot open an
 * unbounded number of connections to SuperOffice, and a caller learns quickly that it should retry.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly capacity: number,
    private readonly maxWaitMs: number,
    private readonly sleep: Sleep,
  ) {}

  /** A release function once a slot is free, or `null` when none freed up within `maxWaitMs`. */
  async acquire(): Promise<(() => void) | null> {
    if (this.running < this.capacity) return this.take();
    let admitted!: () => void;
    const turn = new Promise<true>((resolve) => {
      admitted = () => resolve(true);
    });
    this.waiting.push(admitted);
    const got = await Promise.race([turn, this.sleep(this.maxWaitMs).then(() => false as const)]);
    if (got) return this.release();
    const index = this.waiting.indexOf(admitted);
    if (index === -1) return this.release(); // handed a slot just as the wait ran out
    this.waiting.splice(index, 1);
    return null;
  }

  private take(): () => void {
    this.running += 1;
    return this.release();
  }

  /** A one-shot release: hands the slot straight to the next waiter, if any. */
  private release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1;
      else next();
    };
  }
}
