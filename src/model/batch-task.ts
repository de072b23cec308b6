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

const INT16_MIN = -32768;
const INT16_MAX = 32767;

const Int16Schema = v.pipe(
  v.number("must be a number"),
  v.integer("must be an integer"),
  v.minValue(INT16_MIN, "must fit in xs:short"),
  v.maxValue(INT16_MAX, "must fit in xs:short"),
);

/**
 * The lexical form of `xs:dateTime` as a .NET `DateTime` can hold it: years 0001 to 9999, at most 7 fraction digits
 * (.NET's tick), optional `Z` or `±hh:mm` offset. Kept as the server wrote it; its shape, field ranges and calendar
 * date are checked, and anything a .NET server cannot have written (year 10000, an 8-digit fraction) is refused.
 */
const XS_DATE_TIME =
  /^(000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,7})?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the ASCII digits at [from, from + count) of `text`. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index++) value = value * 10 + text.charCodeAt(index) - 0x30;
  return value;
}

/** Whether text of XS_DATE_TIME's shape (`YYYY-MM-DD…`, so at fixed places) names a real day. */
function dayExists(text: string): boolean {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return digitsAt(text, 8, 2) <= days;
}

/**
 * Whether the date part names a real day (no 31 April, 29 February only in leap years). Text that is not an
 * xs:dateTime at all passes: the regex in front of this check reports it, once.
 */
function isCalendarDate(text: string): boolean {
  return !XS_DATE_TIME.test(text) || dayExists(text);
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

function isStringDictionary(input: unknown): input is Record<string, string | null> {
  return (
    typeof input === "object" &&
    input !== null &&
    !Array.isArray(input) &&
    Object.values(input).every((value) => value === null || typeof value === "string")
  );
}

/** NetServer's `StringDictionary`: string keys, string-or-null values. Checked in place so that no key is ever dropped. */
const StringDictionarySchema = v.custom<Record<string, string | null>>(
  isStringDictionary,
  "must be an object of string or null values",
);

/**
 * One batch task, camelCase as `@superoffice/webapi` models `BatchTaskInfo`. `fileName` and `cancellationBehaviour`
 * are Services88's; they are `null` when the server does not send them, so both contracts share one shape.
 */
export const BatchTaskSchema = v.strictObject({
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

/*
 * The fast path. Validating 1000 tasks field by field through valibot's generic object and pipe machinery costs about
 * as much as decoding them; `acceptedTask` makes the same checks with the same predicates in one function and
 * builds the same output (a new object, keys in the schema's order). It only ever accepts: whatever it does not
 * accept, `BatchTaskSchema` itself judges and reports, so every issue and message stays valibot's.
 * test/soap/schema-fast-path.test.ts checks the two agree on every kind of input.
 */

const TASK_KEYS: readonly string[] = Object.keys(BatchTaskSchema.entries);
const STATES: readonly unknown[] = BATCH_TASK_STATES;
const CANCELLATIONS: readonly unknown[] = CANCELLATION_BEHAVIOURS;

const isState = (value: unknown): value is BatchTaskState => STATES.includes(value);
const isCancellation = (value: unknown): value is BatchTask["cancellationBehaviour"] =>
  value === null || CANCELLATIONS.includes(value);
const isNullableDictionary = (value: unknown): value is Record<string, string | null> | null =>
  value === null || isStringDictionary(value);
const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const isNullableString = (value: unknown): value is string | null => value === null || typeof value === "string";
const isDateTime = (value: unknown): value is string | null =>
  value === null || (typeof value === "string" && XS_DATE_TIME.test(value) && dayExists(value));

/** The task `BatchTaskSchema` would output for `input`, when `input` is a valid task with its keys in order; else undefined. */
function acceptedTask(input: unknown): BatchTask | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  let count = 0;
  // Every enumerable key, own or inherited (what the schema's unknown-key check sees), must be the schema's, in order.
  for (const key in input) if (key !== TASK_KEYS[count++]) return undefined;
  if (count !== TASK_KEYS.length) return undefined;
  const task = input as Record<string, unknown>;
  const { id, name, associateId, detailsTable, detailsRecord, isSystemTask, isInternalTask, parameterObject } = task;
  const { lastStarted, created, startCount, databaseSerialNumber, context, result, state, description } = task;
  const { response, request, progressDescription, progressPercent, fileName, cancellationBehaviour } = task;
  if (
    !isInt(id, INT32_MIN, INT32_MAX) ||
    !isNullableString(name) ||
    !isInt(associateId, INT32_MIN, INT32_MAX) ||
    !isInt(detailsTable, INT16_MIN, INT16_MAX) ||
    !isInt(detailsRecord, INT32_MIN, INT32_MAX) ||
    typeof isSystemTask !== "boolean" ||
    typeof isInternalTask !== "boolean" ||
    !isNullableDictionary(parameterObject) ||
    !isDateTime(lastStarted) ||
    !isDateTime(created) ||
    !isInt(startCount, INT32_MIN, INT32_MAX) ||
    !isNullableString(databaseSerialNumber) ||
    !isNullableString(context) ||
    !isNullableString(result) ||
    !isState(state) ||
    !isNullableString(description) ||
    !isNullableString(response) ||
    !isNullableString(request) ||
    !isNullableString(progressDescription) ||
    !isInt(progressPercent, INT16_MIN, INT16_MAX) ||
    !isNullableString(fileName) ||
    !isCancellation(cancellationBehaviour)
  ) {
    return undefined;
  }
  return {
    id,
    name,
    associateId,
    detailsTable,
    detailsRecord,
    isSystemTask,
    isInternalTask,
    parameterObject,
    lastStarted,
    created,
    startCount,
    databaseSerialNumber,
    context,
    result,
    state,
    description,
    response,
    request,
    progressDescription,
    progressPercent,
    fileName,
    cancellationBehaviour,
  };
}

/**
 * `BatchTaskSchema` with the fast path in front. A valibot schema is an object whose `~run` method validates; this is
 * that schema with `~run` wrapped, as valibot's own `pipe` and `message` wrap schemas.
 */
const CheckedTaskSchema: typeof BatchTaskSchema = {
  ...BatchTaskSchema,
  "~run"(dataset, config) {
    const task = acceptedTask(dataset.value);
    return task === undefined ? BatchTaskSchema["~run"](dataset, config) : { typed: true, value: task };
  },
};

/** The body of a 200 answer: the tasks and when their data left SuperOffice. */
export const BatchTasksBodySchema = v.strictObject({
  tasks: v.array(CheckedTaskSchema),
  fetchedAt: v.pipe(v.string(), v.isoTimestamp("must be an ISO 8601 timestamp")),
});
export type BatchTasksBody = v.InferOutput<typeof BatchTasksBodySchema>;
