export const START = Date.parse("2026-11-28T12:00:00.000Z");

/**
 * A clock the test moves by hand, injected as the app's `now`; the app's `sleep` (a deferred KV write, a queued
 * call's wait) moves it too, at once, so nothing really waits.
 */
export function manualClock(): { now: () => number; advance: (seconds: number) => void; sleep: (ms: number) => Promise<void> } {
  let now = START;
  return {
    now: () => now,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    sleep: async (ms) => {
      now += ms;
    },
  };
}
