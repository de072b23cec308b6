import * as v from "valibot";
import { AssociateIdSchema, BatchQuerySchema, StateSchema } from "../src/model/batch-query.js";
import { BatchTaskStateSchema, BatchTasksBodySchema } from "../src/model/batch-task.js";
import { FieldErrorSchema, ProblemDocumentSchema } from "../src/model/problem.js";

/**
 * The valibot schemas `/openapi.json` describes, by their name under `components.schemas`: the generator
 * (scripts/openapi.ts) converts them, and test/http/openapi.test.ts validates every example of the document against
 * the schema its `$ref` names. Most are the schemas the Worker validates with; the few below that exist only here
 * describe answers the Worker builds from validated data (the REST shape, `/healthz`) and say so.
 */

/** One task as the Worker answers it; the model exports only the body that holds it. */
export const BatchTaskSchema = BatchTasksBodySchema.entries.tasks.item;

type TaskEntries = (typeof BatchTaskSchema)["entries"];

/** A property of SuperOffice's REST `BatchTaskInfo`: our field, nullable (`$select` sets unselected ones to null). */
type RestEntry<Schema extends v.GenericSchema> =
  Schema extends v.NullableSchema<infer _Wrapped, undefined> ? Schema : v.NullableSchema<Schema, undefined>;

type RestEntries = { [Key in keyof TaskEntries & string as Capitalize<Key>]: RestEntry<TaskEntries[Key]> };

function restEntries(entries: TaskEntries): RestEntries {
  return Object.fromEntries(
    Object.entries(entries).map(([key, schema]) => [
      `${key.charAt(0).toUpperCase()}${key.slice(1)}`,
      schema.type === "nullable" ? schema : v.nullable(schema),
    ]),
  ) as RestEntries;
}

/**
 * `BatchTaskInfo` as the REST route answers it (src/http/routes/rest.ts): each of our fields in PascalCase, in the
 * same order, every one nullable since `$select` answers the properties it does not list as `null`. The Worker
 * never validates this shape (it is a projection of validated tasks), so it is derived here; the test checks it
 * against the route's own type and a real answer.
 */
export const RestBatchTaskInfoSchema = v.strictObject(restEntries(BatchTaskSchema.entries));

/**
 * The REST route's body: `{"AssociateIds":[…],"State":"…"}` as SuperOffice documents it, or camelCase as
 * `@superoffice/webapi` sends it; the route reads the keys in any letter case (`parseRestBody`), which JSON Schema
 * cannot say, so these two spellings are the ones described.
 */
export const RestBatchQuerySchema = v.union([
  v.strictObject({ AssociateIds: BatchQuerySchema.pipe[0].entries.associateIds, State: StateSchema }),
  BatchQuerySchema,
]);

/** `GET /healthz`'s answer, `c.json({ ok: true })` in src/http/app.ts. */
export const HealthSchema = v.strictObject({ ok: v.literal(true) });

/** Every schema of `components.schemas`, in the document's order. */
export const COMPONENT_SCHEMAS = {
  AssociateId: AssociateIdSchema,
  BatchQueryState: StateSchema,
  BatchQuery: BatchQuerySchema,
  RestBatchQuery: RestBatchQuerySchema,
  BatchTaskState: BatchTaskStateSchema,
  XsDateTime: BatchTaskSchema.entries.lastStarted.wrapped,
  BatchTask: BatchTaskSchema,
  BatchTasksBody: BatchTasksBodySchema,
  RestBatchTaskInfo: RestBatchTaskInfoSchema,
  FieldError: FieldErrorSchema,
  ProblemDocument: ProblemDocumentSchema,
  Health: HealthSchema,
} as const;

export type ComponentName = keyof typeof COMPONENT_SCHEMAS;
