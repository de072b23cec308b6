import * as v from "valibot";

/**
 * The values of NetServer's `BatchTaskState` enum, spelled as the WSDL spells them (`Aquired` sic). `All` is a filter.
 * `SucceededManualCleanup` (6) is Services88's; a Services85 server never sends it.
 */
export const BATCH_TASK_STATES = [
  "Unknown",
  "New",
  "Aquired",
  "Started",
  "Succeeded",
  "Failed",
  "SucceededManualCleanup",
  "All",
] as const;

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
 * The lexical form of `xs:dateTime` as a .NET `DateTime` can hold it: years 0001 to 9999, at most 7 fraction digits
 * (.NET's tick), optional `Z` or `±hh:mm` offset. Kept as the server wrote it; its shape, field ranges and calendar
 * date are checked, and anything a .NET server cannot have written (year 10000, an 8-digit fraction) is refused.
 */
const XS_DATE_TIME =
  /^(000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,7})?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?$/;

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

/** Services88's `BatchTaskCancellationBehaviour`. */
export const CANCELLATION_BEHAVIOURS = ["CanCancel", "CancelWithWarning", "CannotCancel"] as const;

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

/**
 * One batch task, camelCase as `@superoffice/webapi` models `BatchTaskInfo`. `fileName` and `cancellationBehaviour`
 * are Services88's; they are `null` when the server does not send them, so both contracts share one shape.
 */
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
  fileName: NullableStringSchema,
  cancellationBehaviour: v.nullable(v.picklist(CANCELLATION_BEHAVIOURS, `must be one of ${CANCELLATION_BEHAVIOURS.join(", ")}`)),
});
export type BatchTask = v.InferOutput<typeof BatchTaskSchema>;

/** The body of a 200 answer: the tasks and when their data left SuperOffice. */
export const BatchTasksBodySchema = v.strictObject({
  tasks: v.array(BatchTaskSchema),
  fetchedAt: v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp")),
});
export type BatchTasksBody = v.InferOutput<typeof BatchTasksBodySchema>;
