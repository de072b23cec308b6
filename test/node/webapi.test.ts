import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { filterTasks } from "../../emulator/filter.js";
import { NEVER, SEED_TASKS, type SeedTask } from "../../emulator/seed.js";
import { CONTRACTS } from "../../src/soap/namespaces.js";
import { useDevWorker } from "./dev-worker.js";

/**
 * SuperOffice's own TypeScript client, `@superoffice/webapi` 12.x (pinned, a dev dependency), against the Worker
 * under `wrangler dev` and the emulator over 127.0.0.1: its `BatchAgent` posts its camelCase carrier to
 * `…/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState` with `Authorization: Bearer <key>`, and reads the
 * PascalCase answer. That client returns `[]` for an answer that is not an array and `undefined` for a property of
 * the wrong case, so every field is compared with the emulator's data, value by value.
 */

/** The package's CommonJS build: its ESM build imports files without extensions, which Node cannot load. */
const { WebApi } = createRequire(import.meta.url)("@superoffice/webapi") as typeof import("@superoffice/webapi");

const origin = useDevWorker();

/** What the client should make of a seeded task: dates as `Date` (never as null), dictionaries as objects. */
function expected(task: SeedTask) {
  const date = (text: string | null) => (text === null || text === NEVER ? null : new Date(text));
  return {
    id: task.id,
    name: task.name,
    associateId: task.associateId,
    detailsTable: task.detailsTable,
    detailsRecord: task.detailsRecord,
    isSystemTask: task.isSystemTask,
    isInternalTask: task.isInternalTask,
    parameterObject:
      task.parameterObject === null ? null : Object.fromEntries(task.parameterObject.map((pair) => [pair.key, pair.value])),
    lastStarted: date(task.lastStarted),
    created: date(task.created),
    startCount: task.startCount,
    databaseSerialNumber: task.databaseSerialNumber,
    context: task.context,
    result: task.result,
    state: task.state,
    description: task.description,
    response: task.response,
    request: task.request,
    progressDescription: task.progressDescription,
    progressPercent: task.progressPercent,
    // The emulator's on-site endpoint speaks Services85, which has neither: the edge says null, the client undefined.
    fileName: null,
    cancellationBehaviour: undefined,
  };
}

describe("@superoffice/webapi's BatchAgent against the edge", () => {
  it.each([
    [[5, 7], "Started"],
    [[0, 12], "Succeeded"],
    [[-1], "All"],
  ] as const)("returns the emulator's tasks for %j in state %s, field by field", async (associateIds, state) => {
    const api = new WebApi(`${origin()}/`);
    api.authenticateWithToken("dev-key");
    const agent = api.getBatchAgent();
    const tasks = await agent.getBatchTaskInfosByAssociatesAndStateAsync([...associateIds], state);
    const seeded = filterTasks(SEED_TASKS, [...associateIds], state, CONTRACTS["85"]);
    expect(seeded.length).toBeGreaterThan(0);
    expect(tasks).toHaveLength(seeded.length);
    tasks.forEach((task: unknown, index: number) => {
      const want = seeded[index];
      if (want === undefined) throw new Error("one seeded task per answered task");
      // Carrier's members, which the edge does not send: the client fills them in itself.
      const {
        tableRight: _tableRight,
        fieldProperties: _fieldProperties,
        ...fields
      } = task as unknown as Record<string, unknown>;
      expect(fields).toEqual(expected(want));
    });
  });

  it("gets the client's error for a refused key, not an empty list", async () => {
    const api = new WebApi(`${origin()}/`);
    api.authenticateWithToken("not-a-key");
    await expect(api.getBatchAgent().getBatchTaskInfosByAssociatesAndStateAsync([5], "All")).rejects.toMatchObject({
      response: { status: 401 },
    });
  });
});
