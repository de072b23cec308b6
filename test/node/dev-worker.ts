import { afterAll, beforeAll } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator/server.js";
import { type StartingService, startWorker } from "../browser/services.js";

/**
 * The dev emulator (dev.env's ticket and application token) and `wrangler dev` of the Worker pointed at it, over
 * 127.0.0.1: started before the calling file's tests, stopped after them. Returns the Worker's origin, to read once
 * the tests run.
 */
export function useDevWorker(): () => string {
  let emulator: RunningEmulator | undefined;
  let worker: StartingService | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ host: "127.0.0.1", port: 0, ticket: "7T:dev-ticket", applicationToken: "dev-app-token" });
    worker = await startWorker({ upstreamUrl: emulator.url, freshSeconds: 30, timeoutMs: 60_000 });
    await worker.ready;
  }, 90_000);
  afterAll(async () => {
    await worker?.stop();
    await emulator?.close();
  });
  return () => {
    if (worker === undefined) throw new Error("the dev Worker is not started: call useDevWorker at a file's top level");
    return worker.url;
  };
}
