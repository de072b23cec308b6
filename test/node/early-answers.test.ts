import { describe, expect, it } from "vitest";
import { earlyAnswerRounds } from "../../bench/loadtest/early.js";
import { useDevWorker } from "./dev-worker.js";

/**
 * Issue 7: after a 413 or 415 on a chunked POST, the next request from any client hung or got "worker restarted
 * mid-request" under `wrangler dev`. Here, against `wrangler dev` and the emulator over 127.0.0.1: each early answer,
 * then at once a GET and a small chunked POST on the same one-socket keep-alive agent and a GET on a fresh connection,
 * all of which must be answered 200.
 */
const origin = useDevWorker();

describe("an early answer to a chunked POST", () => {
  it("leaves the connection, and the next requests from any client, answered", async () => {
    const rounds = await earlyAnswerRounds(origin(), "dev-key", 2, 15_000);
    expect(rounds.map((round) => round.early.label)).toEqual([
      "413 payload-too-large",
      "415 unsupported-media-type",
      "413 payload-too-large",
      "415 unsupported-media-type",
    ]);
    for (const round of rounds) {
      expect(round.after.map((after) => `${after.step}: ${after.label}`)).toEqual([
        "GET, same agent: 200",
        "chunked POST, same agent: 200",
        "GET, fresh connection: 200",
      ]);
    }
  }, 60_000);
});
