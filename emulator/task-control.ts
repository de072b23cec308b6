import * as v from "valibot";
import { BATCH_TASK_STATES } from "../src/model/batch-task.js";
import type { BatchTaskState, SeedTask } from "./seed.js";

const TASK_STATES = BATCH_TASK_STATES.filter((state): state is BatchTaskState => state !== "All");

/**
 * `POST /__emulator/tasks/<id>`: changes a task's progress or state for later answers, so that a browser test can
 * watch a monitor page move. Only the fields given change.
 */
const TaskUpdateSchema = v.strictObject(
  {
    progressPercent: v.optional(
      v.pipe(
        v.number("progressPercent must be a whole number from 0 to 100"),
        v.integer("progressPercent must be a whole number from 0 to 100"),
        v.minValue(0, "progressPercent must be a whole number from 0 to 100"),
        v.maxValue(100, "progressPercent must be a whole number from 0 to 100"),
      ),
    ),
    progressDescription: v.optional(v.nullable(v.string("progressDescription must be a string or null"))),
    state: v.optional(v.picklist(TASK_STATES, `state must be one of ${TASK_STATES.join(", ")}`)),
  },
  'expected a JSON object {"progressPercent"?, "progressDescription"?, "state"?} and nothing else',
);

export type TaskUpdate = v.InferOutput<typeof TaskUpdateSchema>;

export type TaskUpdateResult =
  | { readonly ok: true; readonly tasks: SeedTask[]; readonly task: SeedTask }
  | { readonly ok: false; readonly status: 400 | 404; readonly error: string };

/** Applies the JSON body to task `id`: the new task list and the changed task, or why not. Pure. */
export function updateTask(tasks: readonly SeedTask[], id: number, body: unknown): TaskUpdateResult {
  const parsed = v.safeParse(TaskUpdateSchema, body);
  if (!parsed.success) return { ok: false, status: 400, error: parsed.issues.map((issue) => issue.message).join("; ") };
  const index = tasks.findIndex((task) => task.id === id);
  const current = tasks[index];
  if (current === undefined) return { ok: false, status: 404, error: `no task with id ${id}` };
  const { progressPercent, progressDescription, state } = parsed.output;
  const task: SeedTask = {
    ...current,
    ...(progressPercent === undefined ? {} : { progressPercent }),
    ...(progressDescription === undefined ? {} : { progressDescription }),
    ...(state === undefined ? {} : { state }),
  };
  return { ok: true, tasks: tasks.map((each, at) => (at === index ? task : each)), task };
}
