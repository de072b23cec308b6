import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BatchTaskSchema, BatchTasksBodySchema } from "../../src/model/batch-task.js";

/**
 * `BatchTasksBodySchema` checks each task with a fast path (src/model/batch-task.ts) before valibot's object schema.
 * It must not change a single outcome: the same output (same keys in the same order), or the same issues with the
 * same messages and paths. The reference is the plain schema, built here from the same task schema.
 */
const ReferenceSchema = v.strictObject({ ...BatchTasksBodySchema.entries, tasks: v.array(BatchTaskSchema) });

const VALID_TASK = {
  id: 1,
  name: "Export",
  associateId: 5,
  detailsTable: 21,
  detailsRecord: 17,
  isSystemTask: false,
  isInternalTask: false,
  parameterObject: { Format: "xlsx" },
  lastStarted: "2026-11-20T09:01:02.0000001Z",
  created: null,
  startCount: 1,
  databaseSerialNumber: "1248736522",
  context: "Selection",
  result: null,
  state: "Started",
  description: "",
  response: null,
  request: null,
  progressDescription: "Writing rows",
  progressPercent: 45,
  fileName: null,
  cancellationBehaviour: null,
};
type Task = Record<string, unknown>;
const KEYS = Object.keys(VALID_TASK);

/** Values of every type, in and out of every range the schema has, and dates real, unreal and odd. */
const anyValue = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2147483647, 2147483648),
  fc.constantFrom(-2147483648, -2147483649, 32767, 32768, -32768, -32769, "1", "", "Started", "Paused", "CanCancel", "All"),
  fc.constantFrom(
    "2024-02-29T00:00:00",
    "2026-02-29T00:00:00",
    "2000-02-29T12:00:00-14:00",
    "2026-04-31T00:00:00",
    "0001-01-01T00:00:00",
  ),
  fc.constantFrom("10000-01-01T00:00:00", "2026-01-01T00:00:00.12345678Z", "2026-13-01T00:00:00", "2026-01-01T24:00:00"),
  fc.constantFrom({}, { a: "1", b: null }, { a: 1 }, [], ["x"], { __proto__: null, a: "x" }),
  fc.integer(),
  fc.string({ maxLength: 4 }),
);

const taskArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(VALID_TASK) },
  {
    weight: 6,
    arbitrary: fc
      .dictionary(fc.constantFrom(...KEYS), anyValue, { maxKeys: 3 })
      .map((changes) => ({ ...VALID_TASK, ...changes })),
  },
  {
    weight: 1,
    arbitrary: fc.subarray(KEYS).map((keys) => Object.fromEntries(keys.map((key) => [key, (VALID_TASK as Task)[key]]))),
  },
  {
    weight: 1,
    arbitrary: fc
      .shuffledSubarray(KEYS, { minLength: KEYS.length })
      .map((keys) => Object.fromEntries(keys.map((key) => [key, (VALID_TASK as Task)[key]]))),
  },
  { weight: 1, arbitrary: fc.constantFrom("extra", "toString", "__proto__").map((key) => ({ ...VALID_TASK, [key]: 1 })) },
  { weight: 1, arbitrary: fc.constant(Object.assign(Object.create({ inherited: 1 }), VALID_TASK)) },
  { weight: 1, arbitrary: fc.constant(Object.assign(Object.create(VALID_TASK), { id: 2 })) },
  { weight: 1, arbitrary: anyValue },
);

/** What a caller can see of a result: success, the output (with key order), each issue's message, path and kind. */
function observable(result: v.SafeParseResult<typeof ReferenceSchema>): unknown {
  if (result.success) {
    return { output: JSON.stringify(result.output), keys: result.output.tasks.map((task) => Object.keys(task).join()) };
  }
  return result.issues.map((issue) => ({
    message: issue.message,
    path: issue.path?.map((item) => item.key),
    kind: issue.kind,
    type: issue.type,
    expected: issue.expected,
    received: issue.received,
  }));
}

describe("BatchTasksBodySchema's fast path", () => {
  it("gives the plain schema's output or issues for every input", () => {
    fc.assert(
      fc.property(fc.array(taskArbitrary, { maxLength: 3 }), (tasks) => {
        const body = { tasks, fetchedAt: "2026-11-28T17:33:11.069Z" };
        expect(observable(v.safeParse(BatchTasksBodySchema, body))).toEqual(observable(v.safeParse(ReferenceSchema, body)));
      }),
      { numRuns: 5000, seed: 11 },
    );
  });

  it("outputs new task objects, like valibot", () => {
    const body = { tasks: [VALID_TASK], fetchedAt: "2026-11-28T17:33:11.069Z" };
    const output = v.parse(BatchTasksBodySchema, body);
    expect(output.tasks[0]).toEqual(VALID_TASK);
    expect(output.tasks[0]).not.toBe(VALID_TASK);
  });
});
