import { describableIn } from "../emulator/filter.js";
import { SEED_TASKS, type SeedTask } from "../emulator/seed.js";
import { successEnvelope } from "../emulator/xml-writer.js";
import { CONTRACTS } from "../src/soap/namespaces.js";

/** The task counts the decode benchmark measures. */
export const DECODE_SIZES = [10, 50, 200, 1000, 10000] as const;

/** The task counts the HTTP benchmark compares against the floor Workers (hit and miss). */
export const HTTP_SIZES = [50, 1000] as const;

/** The `fetchedAt` every benchmarked body carries (fixed, so every run validates the same input). */
export const FETCHED_AT = "2026-11-28T17:33:11.069Z";

/** `count` tasks cycling over the emulator's seed tasks, each with its own id, so no two are the same object. */
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

/** The seed tasks a Services85 answer can carry (it cannot describe Services88's `SucceededManualCleanup`). */
const SERVICES85_SEED = SEED_TASKS.filter((task) => describableIn(task, CONTRACTS["85"]));

/**
 * The associate that owns the `count`-task group of the HTTP benchmark: asking for it (with any ids that own
 * nothing, to make a never-seen question) returns exactly that group.
 */
export function groupAssociate(count: number): number {
  return 1_000_000 + count;
}

/**
 * The HTTP benchmark's `count`-task group: `count` tasks cycling over the Services85 seed tasks (every field shape:
 * nils, escapes, Unicode, parameters, Carrier members), all owned by `groupAssociate(count)`, so that one emulator
 * answers 50 or 1000 tasks depending on the associate asked for. System tasks become that associate's own (a query
 * for associate 0 would otherwise mix the groups); ids start at `count * 10`, so groups never share an id.
 */
export function groupTasks(count: number): SeedTask[] {
  return Array.from({ length: count }, (_, index) => {
    const seed = SERVICES85_SEED[index % SERVICES85_SEED.length] as SeedTask;
    return { ...seed, id: count * 10 + index, associateId: groupAssociate(count), isSystemTask: false };
  });
}
