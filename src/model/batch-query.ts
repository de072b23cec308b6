import * as v from "valibot";
import { BATCH_TASK_STATES, type BatchTaskState, BatchTaskStateSchema } from "./batch-task.js";

/** Most distinct associate ids one query may name. */
const MAX_ASSOCIATE_IDS = 1000;

const CANONICAL_STATE = new Map<string, BatchTaskState>(BATCH_TASK_STATES.map((state) => [state.toLowerCase(), state]));

/** An associate id: 0 = system tasks, -1 = all users, otherwise an xs:int associate id. */
export const AssociateIdSchema = v.pipe(
  v.number("must be a number"),
  v.integer("must be an integer"),
  v.minValue(-1, "must be -1 (all users), 0 (system tasks) or a positive associate id"),
  v.maxValue(2147483647, "must be at most 2147483647"),
);

/** A state name, matched case-insensitively and written canonically. */
export const StateSchema = v.pipe(
  v.string("must be a string"),
  v.transform((state) => CANONICAL_STATE.get(state.trim().toLowerCase()) ?? state),
  BatchTaskStateSchema,
);

/**
 * The normalized question: a sorted, de-duplicated, non-empty associate set and a canonical state.
 * An empty set would mean "every task" upstream, so it is refused.
 */
export const BatchQuerySchema = v.pipe(
  v.strictObject(
    {
      associateIds: v.array(AssociateIdSchema, "must be an array of associate ids"),
      state: StateSchema,
    },
    (issue) => (issue.expected === "never" ? "is not a known field" : "is required"),
  ),
  v.transform(({ associateIds, state }) => ({
    associateIds: [...new Set(associateIds)].sort((a, b) => a - b),
    state,
  })),
  v.forward(
    v.check(({ associateIds }) => associateIds.length > 0, "at least one associate id is required"),
    ["associateIds"],
  ),
  v.forward(
    v.check(
      ({ associateIds }) => associateIds.length <= MAX_ASSOCIATE_IDS,
      `at most ${MAX_ASSOCIATE_IDS} distinct associate ids are allowed`,
    ),
    ["associateIds"],
  ),
);
export type BatchQuery = v.InferOutput<typeof BatchQuerySchema>;

/** Associate id meaning "every user's tasks". */
const ALL_USERS = -1;
/** Associate id meaning "system tasks". */
const SYSTEM = 0;

/**
 * Whether a task SuperOffice returned can be an answer to the query: in the asked state (any for `All`), and owned
 * by an asked associate (any for -1, whose exact reach is the server's to define; system tasks for 0). Answers that
 * do not fit are a broken or hostile server's: the caller drops such tasks rather than cache and serve them. A task
 * read as `Unknown` (SuperOffice's own `Unknown`, a state name this Worker does not know, or no state at all) fits
 * only `All`: whatever its state is, it is not the one asked for, which the Worker knows by name.
 */
export function fitsQuery(
  query: BatchQuery,
): (task: { associateId: number; isSystemTask: boolean; state: BatchTaskState }) => boolean {
  const ids = new Set(query.associateIds);
  const anyAssociate = ids.has(ALL_USERS);
  const systemTasks = ids.has(SYSTEM);
  return (task) =>
    (query.state === "All" || task.state === query.state) &&
    (anyAssociate || ids.has(task.associateId) || (task.isSystemTask && systemTasks));
}
