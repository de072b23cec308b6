import type { Contract } from "../src/soap/namespaces.js";
import type { BatchTaskStateFilter } from "./request-parser.js";
import type { SeedTask } from "./seed.js";

/** Associate id meaning "tasks of all users" (every non-system task). */
export const ALL_USERS = -1;

/** Associate id meaning "system tasks" (IsSystemTask, AssociateId 0). */
export const SYSTEM = 0;

function matchesAssociate(task: SeedTask, associateId: number): boolean {
  if (associateId === ALL_USERS) return !task.isSystemTask;
  if (associateId === SYSTEM) return task.isSystemTask;
  return !task.isSystemTask && task.associateId === associateId;
}

function matchesAssociates(task: SeedTask, associateIds: readonly number[] | null): boolean {
  if (associateIds === null || associateIds.length === 0) return true;
  return associateIds.some((id) => matchesAssociate(task, id));
}

function matchesState(task: SeedTask, state: BatchTaskStateFilter): boolean {
  return state === "All" || task.state === state;
}

/**
 * Whether a server speaking `contract` can describe the task at all: Services85's `BatchTaskState` has no
 * `SucceededManualCleanup`, so a Services85 answer leaves such a task out rather than misstate it.
 */
export function describableIn(task: SeedTask, contract: Contract): boolean {
  return contract.version !== "85" || task.state !== "SucceededManualCleanup";
}

/**
 * Selects the tasks a NetServer speaking `contract` would return, keeping their order.
 * Associate ids: none (null or empty) = every task, -1 = every non-system task,
 * 0 = system tasks, positive = tasks owned by that associate; several ids are OR-ed.
 * State: "All" = any state, otherwise exactly that state.
 */
export function filterTasks(
  tasks: readonly SeedTask[],
  associateIds: readonly number[] | null,
  state: BatchTaskStateFilter,
  contract: Contract,
): SeedTask[] {
  return tasks.filter(
    (task) => describableIn(task, contract) && matchesAssociates(task, associateIds) && matchesState(task, state),
  );
}
