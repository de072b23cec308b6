import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { earlyAnswerRounds } from "../../bench/loadtest/early.js";
import { type RunningEmulator, startEmulator } from "../../emulator/server.js";
import { type StartingService, startWorker } from "../browser/services.js";

/**
 * Issue 7: after a 413 or 415 on a chunked POST, the next request from any client hung or got "worker restarted
 * mid-request" under `wrangler dev`. Here, against `wrangler dev` and the emulator over 127.0.0.1: each early answer,
 * then at once a GET and a small chunked POST on the same one-socket keep-alive agent and a GET on a fresh connection,
 * all of which must be answered 200.
 */
let emulator: RunningEmulator;
let worker: StartingService;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, ticket: "7T:dev-ticket", applicationToken: "dev-app-token" });
  worker = await startWorker({ upstreamUrl: emulator.url, freshSeconds: 30, timeoutMs: 60_000 });
  await worker.ready;
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await emulator?.close();
});

describe("an early answer to a chunked POST", () => {
  it("leaves the connection, and the next requests from any client, answered", async () => {
    const rounds = await earlyAnswerRounds(worker.url, "dev-key", 2, 15_000);
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
