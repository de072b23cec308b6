import * as v from "valibot";
import { AssociateIdSchema, type BatchQuery, BatchQuerySchema, StateSchema } from "../model/batch-query.js";
import type { FieldError } from "../model/problem.js";

export type { FieldError } from "../model/problem.js";

/** A valid, normalized query, or the invalid fields: `count` of them in all, the first 20 listed in `errors`. */
export type InputResult = { ok: true; query: BatchQuery } | { ok: false; errors: FieldError[]; count: number };

const AssociateIdTextSchema = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^[+-]?\d{1,11}$/, "must be an integer"),
  v.toNumber(),
  AssociateIdSchema,
);

/**
 * Query-string form: `associateIds` comma-separated and repeatable, `state` exactly once. Checks every field,
 * so that one answer lists all mistakes; `BatchQuerySchema` then normalizes the set.
 */
const QueryParamsSchema = v.strictObject(
  {
    associateIds: v.optional(
      v.pipe(
        v.array(v.string()),
        v.transform((values) => values.flatMap((value) => value.split(","))),
        v.array(AssociateIdTextSchema),
      ),
      [],
    ),
    state: v.pipe(
      v.array(v.string(), "is required"),
      v.length(1, "must be given once"),
      v.transform(([state]) => state),
      StateSchema,
    ),
  },
  (issue) => (issue.expected === "never" ? "is not a known parameter" : "is required"),
);

type Path = Array<string | number>;

function pathOf(issue: v.BaseIssue<unknown>): Path {
  return (issue.path ?? []).map((item) => (typeof item.key === "number" ? item.key : String(item.key)));
}

function parameterName(path: Path): string {
  return path.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`)).join("") || "query";
}

function jsonPointer(path: Path): string {
  return `#${path.map((key) => `/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("")}`;
}

type FieldNamer = (path: Path, detail: string) => FieldError;

/** How a problem says how many fields are invalid: "1 invalid field", "3 invalid fields". */
export function invalidFields(count: number): string {
  return count === 1 ? "1 invalid field" : `${count} invalid fields`;
}

/** At most this many invalid fields are listed; a last entry says how many more there were. */
const MAX_LISTED_ERRORS = 20;

/** One entry per invalid position (its first issue), the first `MAX_LISTED_ERRORS` listed, then a count of the rest. */
function invalid(issues: readonly v.BaseIssue<unknown>[], field: FieldNamer): InputResult {
  const byPosition = new Map<string, v.BaseIssue<unknown>>();
  for (const issue of issues) {
    const position = JSON.stringify(pathOf(issue));
    if (!byPosition.has(position)) byPosition.set(position, issue);
  }
  const positions = [...byPosition.values()];
  const listed = positions.slice(0, MAX_LISTED_ERRORS).map((issue) => field(pathOf(issue), issue.message));
  const more = positions.length - listed.length;
  const errors = more > 0 ? [...listed, field([], `and ${more} more invalid fields`)] : listed;
  return { ok: false, errors, count: positions.length };
}

function toResult(result: v.SafeParseResult<typeof BatchQuerySchema>, field: FieldNamer): InputResult {
  return result.success ? { ok: true, query: result.output } : invalid(result.issues, field);
}

/** Parses `?associateIds=1,2&associateIds=3&state=started` into a normalized query. */
export function parseQueryInput(params: Record<string, string[]>): InputResult {
  const field: FieldNamer = (path, detail) => ({ parameter: parameterName(path), detail });
  const checked = v.safeParse(QueryParamsSchema, params);
  if (!checked.success) return invalid(checked.issues, field);
  return toResult(v.safeParse(BatchQuerySchema, checked.output), field);
}

/** A JSON object, not an array or a primitive. */
const JsonObjectSchema = v.custom<Record<string, unknown>>(
  (input) => typeof input === "object" && input !== null && !Array.isArray(input),
  "must be an object",
);

/** Parses a JSON body `{"associateIds":[1,2],"state":"Started"}` into a normalized query. */
export function parseBodyInput(body: unknown): InputResult {
  const field: FieldNamer = (path, detail) => ({ pointer: jsonPointer(path), detail });
  const object = v.safeParse(JsonObjectSchema, body);
  if (!object.success) return invalid(object.issues, field);
  return toResult(v.safeParse(BatchQuerySchema, object.output), field);
}
