import type { TestProject } from "vitest/node";
import { startEmulator } from "../emulator/server.js";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

/** Starts the NetServer emulator on a free port of 127.0.0.1 for the end-to-end tests, in Node, outside workerd. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startEmulator({
    host: "127.0.0.1",
    port: 0,
    ticket: "7T:e2e-ticket",
    applicationToken: "e2e-app-token",
  });
  project.provide("emulatorUrl", emulator.url);
  return () => emulator.close();
}
