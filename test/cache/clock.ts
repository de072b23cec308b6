export const START = Date.parse("2026-11-28T12:00:00.000Z");

/** A clock the test moves by hand, injected as the app's `now`. */
export function manualClock(): { now: () => number; advance: (seconds: number) => void } {
  let now = START;
  return {
    now: () => now,
    advance: (seconds) => {
      now += seconds * 1000;
    },
  };
}
