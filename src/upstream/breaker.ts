/** Consecutive failures that open the circuit. */
const FAILURES_TO_OPEN = 5;
/** How long an open circuit refuses calls before it lets one probe through. */
const COOL_DOWN_MS = 30_000;

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A circuit breaker per tenant and isolate. After `FAILURES_TO_OPEN` upstream failures in a row it opens: calls
 * are refused (the cache serves stale where it can) for `COOL_DOWN_MS`; then exactly one probe call goes through,
 * and its outcome closes the circuit or opens it for another cool-down. A SuperOffice that is down is thus asked
 * once per cool-down per isolate instead of once per request.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(private readonly now: () => number) {}

  admit(): Admission {
    if (this.openedAt === null) return { ok: true };
    const waited = this.now() - this.openedAt;
    if (waited >= COOL_DOWN_MS && !this.probing) {
      this.probing = true;
      return { ok: true };
    }
    const left = this.probing ? COOL_DOWN_MS : COOL_DOWN_MS - waited;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
  }

  /** Records an admitted call's outcome; `healthy` is false only for failures that say SuperOffice is unwell. */
  record(healthy: boolean): void {
    this.probing = false;
    if (healthy) {
      this.failures = 0;
      this.openedAt = null;
      return;
    }
    this.failures += 1;
    if (this.openedAt !== null || this.failures >= FAILURES_TO_OPEN) this.openedAt = this.now();
  }
}
