import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BatchTasksBodySchema } from "../../src/model/batch-task.js";

const task = {
  id: 1,
  name: null,
  associateId: 5,
  detailsTable: 0,
  detailsRecord: 0,
  isSystemTask: false,
  isInternalTask: false,
  parameterObject: null,
  lastStarted: null,
  created: null,
  startCount: 0,
  databaseSerialNumber: null,
  context: null,
  result: null,
  state: "New",
  description: null,
  response: null,
  request: null,
  progressDescription: null,
  progressPercent: 0,
  fileName: null,
  cancellationBehaviour: null,
};
const bodyWith = (changes: Record<string, unknown>) => ({
  tasks: [{ ...task, ...changes }],
  fetchedAt: "2026-11-28T12:00:00.000Z",
});

describe("BatchTasksBodySchema", () => {
  it("accepts Services88's state and fields", () => {
    const changes = { state: "SucceededManualCleanup", fileName: "a.xlsx", cancellationBehaviour: "CannotCancel" };
    expect(v.parse(BatchTasksBodySchema, bodyWith(changes)).tasks[0]).toMatchObject(changes);
  });

  it.each(["2024-02-29T00:00:00", "2026-11-20T08:15:30.1234567+01:00", "2026-12-31T23:59:59Z", "2000-02-29T12:00:00-14:00"])(
    "accepts the xs:dateTime %s as written",
    (created) => {
      expect(v.parse(BatchTasksBodySchema, bodyWith({ created })).tasks[0]?.created).toBe(created);
    },
  );

  it.each([
    "2026-02-29T00:00:00",
    "1900-02-29T00:00:00",
    "2026-04-31T00:00:00",
    "2026-13-01T00:00:00",
    "2026-01-01T24:00:00",
    "2026-01-01T00:00:00+15:00",
    "2026-01-01",
    "10000-01-01T00:00:00",
    "-0001-01-01T00:00:00",
    "0000-01-01T00:00:00",
    "2026-01-01T00:00:00.12345678Z",
  ])("refuses %s, which no .NET DateTime can be", (created) => {
    expect(v.safeParse(BatchTasksBodySchema, bodyWith({ created })).success).toBe(false);
  });

  it("refuses unknown fields, wrong types and out-of-range numbers", () => {
    for (const changes of [
      { extra: 1 },
      { id: "1" },
      { progressPercent: 32768 },
      { isSystemTask: 0 },
      { state: "Paused" },
      { parameterObject: { a: 1 } },
      { cancellationBehaviour: "Later" },
      { fileName: 1 },
    ]) {
      expect(v.safeParse(BatchTasksBodySchema, bodyWith(changes)).success).toBe(false);
    }
  });
});
