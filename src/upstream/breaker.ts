/** Consecutive failures that open the circuit. */
const FAILURES_TO_OPEN = 5;
/** How long an open circuit refuses calls before it lets one probe through. */
const COOL_DOWN_MS = 30_000;

/** Whether a call may go ahead, and whether it is the one probe of an open circuit (which it must say when it is recorded). */
export type Admission = { ok: true; probe: boolean } | { ok: false; retryAfterSeconds: number };

/**
 * What one admitted call says about SuperOffice: it answered (`healthy`), it is unwell (`unhealthy`), or the call
 * learnt nothing about it (`inconclusive`: refused by this isolate before or while reading, or failed in our own
 * code). Only the first two move the breaker; an inconclusive probe hands the probe to the next call.
 */
export type Outcome = "healthy" | "unhealthy" | "inconclusive";

/**
 * A circuit breaker per tenant and isolate. After `FAILURES_TO_OPEN` upstream failures in a row it opens: calls
 * are refused (the cache serves stale where it can) for `COOL_DOWN_MS`; then exactly one probe call goes through,
 * and its outcome closes the circuit or opens it for another cool-down. A SuperOffice that is down is thus asked
 * once per cool-down per isolate instead of once per request.
 *
 * Every admitted call must be recorded, whatever happened to it: an unrecorded probe would keep the circuit open for
 * the isolate's life, since no other call is admitted while a probe is out.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(private readonly now: () => number) {}

  admit(): Admission {
    if (this.openedAt === null) return { ok: true, probe: false };
    const waited = this.now() - this.openedAt;
    if (waited >= COOL_DOWN_MS && !this.probing) {
      this.probing = true;
      return { ok: true, probe: true };
    }
    const left = this.probing ? COOL_DOWN_MS : COOL_DOWN_MS - waited;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
  }

  /**
   * Records an admitted call's outcome (`probe` as its admission said). An inconclusive one changes nothing but the
   * probe: it neither closes an open circuit nor opens a closed one, nor breaks a run of failures, since it says
   * nothing about SuperOffice. Only the probe itself frees the probe: a slow call admitted before the circuit opened
   * may end while a probe is out, and must not let a second one through.
   */
  record(outcome: Outcome, probe: boolean): void {
    if (probe) this.probing = false;
    if (outcome === "inconclusive") return;
    if (outcome === "healthy") {
      this.failures = 0;
      this.openedAt = null;
      return;
    }
    this.failures += 1;
    if (this.openedAt !== null || this.failures >= FAILURES_TO_OPEN) this.openedAt = this.now();
  }
}
