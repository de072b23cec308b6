import { SEED_TASKS, type SeedTask } from "../emulator/seed.js";
import { successEnvelope } from "../emulator/xml-writer.js";

/** The task counts the decode benchmark measures. */
export const DECODE_SIZES = [10, 50, 200, 1000, 10000] as const;

/** The `fetchedAt` every benchmarked body carries (fixed, so every run validates the same input). */
export const FETCHED_AT = "2026-11-28T17:33:11.069Z";

/** `count` tasks cycling over the emulator's 14 seed tasks, each with its own id, so no two are the same object. */
export function syntheticTasks(count: number): SeedTask[] {
  return Array.from({ length: count }, (_, index) => {
    const seed = SEED_TASKS[index % SEED_TASKS.length] as SeedTask;
    return { ...seed, id: index + 1 };
  });
}

/** A successful WCF-style answer with `count` tasks, byte for byte as the emulator writes it. */
export function responseXml(count: number): string {
  return successEnvelope(syntheticTasks(count));
}
