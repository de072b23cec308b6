/**
 * One upstream call per cache key per isolate at a time: callers that arrive while a call for their key is under
 * way share its outcome (plain data, never a Response). Each call carries a token; `forget` drops the key (a purge),
 * after which the call's outcome still reaches its waiters but `isCurrent` tells the leader not to store it.
 */
export class Flights<T> {
  private readonly flights = new Map<string, { token: object; work: Promise<T> }>();

  /** The call under way for this key, if any. */
  pending(key: string): Promise<T> | undefined {
    return this.flights.get(key)?.work;
  }

  /**
   * Starts `work` as the key's call unless one is under way, and hands its settling to `waitUntil` so that it
   * completes even if its caller goes away. `work` receives its token, to ask `isCurrent` before storing.
   */
  join(key: string, work: (token: object) => Promise<T>, waitUntil: (work: Promise<unknown>) => void): Promise<T> {
    const pending = this.pending(key);
    if (pending !== undefined) return pending;
    const token = {};
    // Registered before `work` runs a single line, so `isCurrent` is true from its first step.
    const promise = Promise.resolve(token).then(work);
    this.flights.set(key, { token, work: promise });
    const settle = () => {
      if (this.flights.get(key)?.token === token) this.flights.delete(key);
    };
    waitUntil(promise.then(settle, settle));
    return promise;
  }

  /** Whether the call holding `token` is still the key's call (no purge overtook it). */
  isCurrent(key: string, token: object): boolean {
    return this.flights.get(key)?.token === token;
  }

  forget(key: string): void {
    this.flights.delete(key);
  }

  forgetPrefix(prefix: string): void {
    for (const key of [...this.flights.keys()]) if (key.startsWith(prefix)) this.flights.delete(key);
  }
}
