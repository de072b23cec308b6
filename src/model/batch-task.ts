import * as v from "valibot";

/** The values of NetServer's `BatchTaskState` enum, spelled as the WSDL spells them (`Aquired` sic). `All` is a filter. */
export const BATCH_TASK_STATES = ["Unknown", "New", "Aquired", "Started", "Succeeded", "Failed", "All"] as const;

export const BatchTaskStateSchema = v.picklist(BATCH_TASK_STATES, `must be one of ${BATCH_TASK_STATES.join(", ")}`);
export type BatchTaskState = v.InferOutput<typeof BatchTaskStateSchema>;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const Int32Schema = v.pipe(
  v.number("must be a number"),
  v.integer("must be an integer"),
  v.minValue(INT32_MIN, "must fit in xs:int"),
  v.maxValue(INT32_MAX, "must fit in xs:int"),
);

const Int16Schema = v.pipe(
  v.number("must be a number"),
  v.integer("must be an integer"),
  v.minValue(-32768, "must fit in xs:short"),
  v.maxValue(32767, "must fit in xs:short"),
);

/**
 * The lexical form of `xs:dateTime`: optional 7-digit (or any length) fraction, optional `Z` or `±hh:mm` offset.
 * Kept as the server wrote it; its shape, field ranges and calendar date are checked.
 */
const XS_DATE_TIME =
  /^(-?\d{4,})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the date part names a real day (no 31 April, 29 February only in leap years). */
function isCalendarDate(text: string): boolean {
  const [, year = "", month = "", day = ""] = XS_DATE_TIME.exec(text) ?? [];
  const y = Number(year);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = Number(month) === 2 && leap ? 29 : (DAYS_IN_MONTH[Number(month) - 1] ?? 0);
  return Number(day) <= days;
}

const DateTimeSchema = v.nullable(
  v.pipe(
    v.string(),
    v.regex(XS_DATE_TIME, "must be an xs:dateTime"),
    v.check(isCalendarDate, "must be an xs:dateTime of a real day"),
  ),
);

const NullableStringSchema = v.nullable(v.string("must be a string or null"));

/** NetServer's `StringDictionary`: string keys, string-or-null values. Checked in place so that no key is ever dropped. */
const StringDictionarySchema = v.custom<Record<string, string | null>>(
  (input) =>
    typeof input === "object" &&
    input !== null &&
    !Array.isArray(input) &&
    Object.values(input).every((value) => value === null || typeof value === "string"),
  "must be an object of string or null values",
);

/** One batch task, camelCase as `@superoffice/webapi` models `BatchTaskInfo`. */
const BatchTaskSchema = v.strictObject({
  id: Int32Schema,
  name: NullableStringSchema,
  associateId: Int32Schema,
  detailsTable: Int16Schema,
  detailsRecord: Int32Schema,
  isSystemTask: v.boolean(),
  isInternalTask: v.boolean(),
  parameterObject: v.nullable(StringDictionarySchema),
  lastStarted: DateTimeSchema,
  created: DateTimeSchema,
  startCount: Int32Schema,
  databaseSerialNumber: NullableStringSchema,
  context: NullableStringSchema,
  result: NullableStringSchema,
  state: BatchTaskStateSchema,
  description: NullableStringSchema,
  response: NullableStringSchema,
  request: NullableStringSchema,
  progressDescription: NullableStringSchema,
  progressPercent: Int16Schema,
});

/** The body of a 200 answer: the tasks and when their data left SuperOffice. */
export const BatchTasksBodySchema = v.strictObject({
  tasks: v.array(BatchTaskSchema),
  fetchedAt: v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp")),
});
export type BatchTasksBody = v.InferOutput<typeof BatchTasksBodySchema>;
