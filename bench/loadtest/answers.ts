import { describableIn } from "../../emulator/filter.js";
import { batchTaskInfo, successEnvelope } from "../../emulator/xml-writer.js";
import type { Contract } from "../../src/soap/namespaces.js";
import { syntheticTasks } from "../workload.js";

const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * The largest `count` for which the emulator's answer to "every task" (`associateIds=-1,0&state=All`) from
 * `syntheticTasks(count)` is at most `maxBytes`, the tasks it then holds and its exact size. One pass over the task
 * elements, instead of writing the whole answer for each candidate count.
 */
export function tasksUnder(
  maxBytes: number,
  contract: Contract,
  limit = 200_000,
): { count: number; tasks: number; bytes: number } {
  const all = syntheticTasks(limit);
  const first = all.find((task) => describableIn(task, contract));
  if (first === undefined) throw new Error("no task this contract can describe");
  const frame = utf8Length(successEnvelope([first], contract)) - utf8Length(batchTaskInfo(first, contract));
  let bytes = frame;
  let tasks = 0;
  for (const [index, task] of all.entries()) {
    if (!describableIn(task, contract)) continue;
    const next = bytes + utf8Length(batchTaskInfo(task, contract));
    if (next > maxBytes) return { count: index, tasks, bytes };
    bytes = next;
    tasks += 1;
  }
  return { count: limit, tasks, bytes };
}
