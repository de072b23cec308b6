import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ConversionConfig, type JsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import { NEVER, SEED_TASKS } from "../emulator/seed.js";
import { CONTEXT_ID } from "../src/config/settings.js";
import { FAILURE_PROBLEM, PROBLEMS, type ProblemType } from "../src/http/problem.js";
import { MAX_QUERY_BODY_BYTES } from "../src/http/routes/batch-tasks.js";
import { BatchQuerySchema, StateSchema } from "../src/model/batch-query.js";
import { BATCH_TASK_STATES, type BatchTask, type BatchTasksBody } from "../src/model/batch-task.js";
import { type FieldError, ProblemDocumentSchema } from "../src/model/problem.js";
import { BatchTaskSchema, COMPONENT_SCHEMAS, type ComponentName, RestBatchTaskInfoSchema } from "./openapi-schemas.js";

/**
 * Writes `src/http/openapi.generated.json`, the OpenAPI 3.1 document `GET /openapi.json` serves, from the valibot
 * schemas the Worker validates with (scripts/openapi-schemas.ts names them), so the Worker bundles the document but
 * no schema converter. `--check` builds it in memory and fails when the committed file differs (CI).
 *
 *   npx tsx scripts/openapi.ts           # write the document
 *   npx tsx scripts/openapi.ts --check   # exit 1 when it is out of date
 *
 * The output is deterministic (no timestamps; keys in the order written here and in the schemas) and formatted by
 * the pinned Biome, so the committed file passes `biome check` and the check can compare text.
 */

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUTPUT = "src/http/openapi.generated.json";

type Node = { [key: string]: unknown };

// ---------------------------------------------------------------------------------------------------------------
// Schemas: valibot to JSON Schema, and the few places where that needs a hand.
// ---------------------------------------------------------------------------------------------------------------

const TASK = BatchTaskSchema.entries;
/** `parameterObject`'s dictionary: a `v.custom` check (so that no key is ever dropped), which has no JSON Schema. */
const STRING_DICTIONARY = TASK.parameterObject.wrapped;
/** The `v.check` that an `xs:dateTime` names a real day (no 31 April): a function, which has no JSON Schema. */
const CALENDAR_CHECK = TASK.lastStarted.wrapped.pipe[2];
/** `associateIds` of a query body, before the pipe's transform. */
const ASSOCIATE_IDS = BatchQuerySchema.pipe[0].entries.associateIds;
/** The text a state is read from, before the pipe folds its case and checks it against the states. */
const STATE_TEXT = StateSchema.pipe[0];

const schemaRef = (name: string) => `#/components/schemas/${name}`;

/**
 * How the schemas become JSON Schema. `errorMode` stays "throw": whatever the converter cannot express fails the
 * build unless one of the hooks below handles it, so a new `v.custom` or `v.check` in a model is a decision, not a
 * silently looser document.
 */
const CONVERSION: ConversionConfig = {
  // OpenAPI 3.1's schemas are JSON Schema 2020-12; the converter's default, draft-07, writes another `$schema` and
  // other tuple keywords. (`toJsonSchemaDefs` writes no `$schema`, which is right for schemas inside a document.)
  target: "draft-2020-12",
  // Requests are described as callers write them: a pipe is converted up to its first transform (case folding,
  // de-duplication, sorting), which is where the input ends. Answers have no transforms, so nothing changes for them.
  typeMode: "input",
  // Named schemas live under `components.schemas`, not `$defs`.
  overrideRef: ({ referenceId }) => schemaRef(referenceId),
  overrideSchema: ({ valibotSchema, jsonSchema }) => {
    if (valibotSchema === STRING_DICTIONARY) {
      // What its check accepts: an object of string-or-null values.
      return { type: "object", additionalProperties: { anyOf: [{ type: "string" }, { type: "null" }] } };
    }
    if (valibotSchema === ASSOCIATE_IDS) {
      // `BatchQuerySchema` checks the id count after its de-duplicating transform, which input mode stops before:
      // "at least one" is `minItems: 1` before de-duplication too; "at most 1000 distinct" has no JSON Schema form.
      return { ...jsonSchema, minItems: 1, description: "1 to 1000 distinct associate ids (duplicates are ignored)." };
    }
    if (valibotSchema === STATE_TEXT) {
      // Any string goes in; the pipe then matches it case-insensitively (after trimming) against the states. The
      // canonical names are what a caller should send, so the input is documented as them, and the leniency said.
      return {
        $ref: schemaRef("BatchTaskState"),
        description:
          "A state, matched case-insensitively. `All` means any state; `SucceededManualCleanup` only for a tenant speaking Services88 (else 400).",
      };
    }
    return undefined;
  },
  // The pattern states the shape; that the day exists (no 31 April) is said in XsDateTime's description.
  overrideAction: ({ valibotAction, jsonSchema }) => (valibotAction === CALENDAR_CHECK ? jsonSchema : undefined),
};

/** What each component schema is, where the valibot schema does not say it (metadata there would cost bundle bytes). */
const SCHEMA_DESCRIPTIONS: Partial<Record<ComponentName, string>> = {
  AssociateId: "An associate id: 0 = system tasks, -1 = all users, else the associate's id.",
  BatchQuery:
    "The question: whose tasks, in which state. Ids are de-duplicated and sorted, so `[7,5,5]` and `[5,7]` are one cache entry.",
  RestBatchQuery:
    "SuperOffice's REST body: PascalCase as SuperOffice documents it, or camelCase as `@superoffice/webapi` sends it. Keys are read case-insensitively; the rules are those of BatchQuery.",
  BatchTaskState:
    "NetServer's BatchTaskState, spelled as SuperOffice spells it (`Aquired`). `SucceededManualCleanup` is Services88's.",
  XsDateTime:
    "SuperOffice's xs:dateTime text, kept as written: years 0001 to 9999, up to 7 fraction digits, an optional `Z` or offset, and a real calendar day.",
  BatchTask:
    'One batch task, camelCase as `@superoffice/webapi` models BatchTaskInfo. An element SuperOffice leaves out is its .NET default (0, false, `Unknown`); a nil or missing string is null, an empty one "".',
  BatchTasksBody: "The tasks SuperOffice returned, validated, and when their data left SuperOffice.",
  RestBatchTaskInfo:
    "SuperOffice's REST BatchTaskInfo: BatchTask's fields in PascalCase; a property `$select` does not list is null.",
  FieldError: "One invalid field: `parameter` for the query string, `pointer` (RFC 6901) for a JSON body.",
  ProblemDocument:
    "An RFC 9457 problem document. `type` is `urn:superoffice-batch-edge:problem:` and a problem type; `errors` (400 only) lists up to 20 invalid fields, then a count of the rest; `requestId` finds the request's log lines.",
  Health: "The Worker is up.",
};

const TASK_FIELD_DESCRIPTIONS: Partial<Record<keyof BatchTask, string>> = {
  parameterObject: "NetServer's StringDictionary: {} when empty, null when nil or absent.",
  lastStarted: "As SuperOffice wrote it (fraction and offset kept); null for nil and for 0001-01-01T00:00:00 (never).",
  created: "As SuperOffice wrote it (fraction and offset kept); null for nil and for 0001-01-01T00:00:00 (never).",
  fileName: "Services88 only; null from a Services85 server.",
  cancellationBehaviour: "Services88 only; null from a Services85 server.",
};

function componentSchemas(): Record<ComponentName, JsonSchema> {
  const schemas = toJsonSchemaDefs(COMPONENT_SCHEMAS, CONVERSION);
  for (const [name, description] of Object.entries(SCHEMA_DESCRIPTIONS) as [ComponentName, string][]) {
    schemas[name].description = description;
  }
  const fields = schemas.BatchTask.properties ?? {};
  for (const [field, description] of Object.entries(TASK_FIELD_DESCRIPTIONS)) {
    const property = fields[field];
    if (typeof property === "object") property.description = description;
  }
  return schemas;
}

// ---------------------------------------------------------------------------------------------------------------
// Examples: the emulator's seed tasks as the Worker answers them, and one problem document per problem type.
// ---------------------------------------------------------------------------------------------------------------

const REQUEST_ID = "6f1c2a9e-3b7d-4e58-9a0c-2d4b8e7f1a36";

/** A seeded task as a Services85 tenant answers it (see test/e2e.test.ts): dictionaries as objects, "never" as null. */
function answeredTask(id: number): BatchTask {
  const seed = SEED_TASKS.find((task) => task.id === id);
  if (seed === undefined) throw new Error(`emulator/seed.ts has no task ${id}`);
  const date = (value: string | null) => (value === NEVER ? null : value);
  const { parameterObject } = seed;
  const answered: BatchTask = {
    ...seed,
    parameterObject: parameterObject === null ? null : Object.fromEntries(parameterObject.map((pair) => [pair.key, pair.value])),
    lastStarted: date(seed.lastStarted),
    created: date(seed.created),
    fileName: null,
    cancellationBehaviour: null,
  };
  // In the answer's key order, without the seed's Carrier members.
  return Object.fromEntries(Object.keys(TASK).map((key) => [key, answered[key as keyof BatchTask]])) as BatchTask;
}

const toRest = (task: BatchTask, selected: ReadonlySet<string> | null) =>
  Object.fromEntries(
    Object.keys(RestBatchTaskInfoSchema.entries).map((name) => {
      const field = `${name.charAt(0).toLowerCase()}${name.slice(1)}` as keyof BatchTask;
      return [name, selected === null || selected.has(name) ? task[field] : null];
    }),
  );

/** Associate 5's started export (README), the answer to `associateIds=5,7&state=Started`. */
const STARTED_TASKS = [answeredTask(102)];
const STARTED_BODY: BatchTasksBody = { tasks: STARTED_TASKS, fetchedAt: "2026-11-20T09:01:07.412Z" };
const SELECTED = ["Name", "State", "ProgressPercent"];

const PROBLEM_TYPE_BASE = ProblemDocumentSchema.entries.type.pipe[1].requirement;

type ProblemExample = { type: ProblemType; detail: string; errors?: FieldError[] };

const STATE_ERROR = { detail: `must be one of ${BATCH_TASK_STATES.join(", ")}` };

/** One problem document per problem type, and per form where its detail differs; the key names the example. */
const PROBLEM_EXAMPLES = {
  "invalid-request-query": {
    type: "invalid-request",
    detail: "The request has 1 invalid field; see errors.",
    errors: [{ parameter: "associateIds[1]", detail: "must be an integer" }],
  },
  "invalid-request-body": {
    type: "invalid-request",
    detail: "The request has 2 invalid fields; see errors.",
    errors: [
      { pointer: "#/associateIds/1", detail: "must be a number" },
      { pointer: "#/state", ...STATE_ERROR },
    ],
  },
  "invalid-request-rest": {
    type: "invalid-request",
    detail: "The request has 1 invalid field; see errors.",
    errors: [{ pointer: "#/State", ...STATE_ERROR }],
  },
  "invalid-request-purge": {
    type: "invalid-request",
    detail: "The entry to purge is not a valid query; see errors.",
    errors: [{ parameter: "state", detail: "is required" }],
  },
  unauthorized: { type: "unauthorized", detail: "the API key is not valid" },
  "forbidden-admin": { type: "forbidden", detail: "Purging the cache needs a key from ADMIN_KEYS." },
  "forbidden-tenant": { type: "forbidden", detail: "This key may not use this tenant." },
  "not-found": { type: "not-found", detail: "No route for GET /v1/batch-task." },
  "not-found-default": {
    type: "not-found",
    detail: "This deployment serves its tenants under /v1/tenants/{tenant}/…; it has no default tenant.",
  },
  "not-found-tenant": { type: "not-found", detail: "No such tenant." },
  "method-not-allowed": { type: "method-not-allowed", detail: "Use GET, HEAD." },
  "payload-too-large": { type: "payload-too-large", detail: `The body must be at most ${MAX_QUERY_BODY_BYTES} bytes.` },
  "unsupported-media-type": { type: "unsupported-media-type", detail: "Send the query as Content-Type: application/json." },
  "too-many-requests": {
    type: "too-many-requests",
    detail: "This key sent more requests than its rate limit allows; retry after 60 s.",
  },
  "configuration-error": { type: "configuration-error", detail: "Invalid configuration: SUPEROFFICE_TICKET is missing." },
  "internal-error": { type: "internal-error", detail: "An unexpected error occurred; quote the requestId when reporting it." },
  "upstream-error": { type: "upstream-error", detail: "Associate 7 has no access to batch tasks." },
  "upstream-invalid-response": {
    type: "upstream-invalid-response",
    detail: "SuperOffice answered HTTP 500 with a body that is not XML.",
  },
  "upstream-response-too-large": {
    type: "upstream-response-too-large",
    detail: "SuperOffice's answer is larger than this service accepts.",
  },
  "upstream-credentials-rejected": {
    type: "upstream-credentials-rejected",
    detail: "SuperOffice rejected the configured credentials (ticket or application token).",
  },
  "upstream-authentication-failed": {
    type: "upstream-authentication-failed",
    detail: "Signing in to SuperOffice Online failed.",
  },
  "upstream-unavailable": { type: "upstream-unavailable", detail: "SuperOffice could not be reached." },
  "upstream-busy": {
    type: "upstream-busy",
    detail: "This tenant already has 6 calls to SuperOffice under way; retry shortly.",
  },
  "upstream-circuit-open": {
    type: "upstream-circuit-open",
    detail: "SuperOffice failed repeatedly; calls to it pause for a cool-down.",
  },
  "tenants-unavailable": { type: "tenants-unavailable", detail: "The TENANTS document could not be read from KV; retry." },
  "upstream-timeout": { type: "upstream-timeout", detail: "SuperOffice did not answer within 10000 ms." },
  "not-cached": { type: "not-cached", detail: "Nothing usable is cached for this query (only-if-cached)." },
  "cache-unavailable": { type: "cache-unavailable", detail: "KV did not accept the purge; retry." },
} as const satisfies Record<string, ProblemExample>;

type ProblemExampleName = keyof typeof PROBLEM_EXAMPLES;

function problemExample(name: ProblemExampleName): Node {
  const example: ProblemExample = PROBLEM_EXAMPLES[name];
  const { status, title } = PROBLEMS[example.type];
  return {
    summary: title,
    value: {
      type: PROBLEM_TYPE_BASE + example.type,
      title,
      status,
      detail: example.detail,
      ...(example.errors === undefined ? {} : { errors: example.errors }),
      requestId: REQUEST_ID,
    },
  };
}

function examples(): Node {
  const problems = Object.fromEntries(
    (Object.keys(PROBLEM_EXAMPLES) as ProblemExampleName[]).map((name) => [`problem-${name}`, problemExample(name)]),
  );
  return {
    Health: { summary: "Up", value: { ok: true } },
    BatchQuery: { summary: "Associates 5 and 7, started tasks", value: { associateIds: [5, 7], state: "Started" } },
    BatchQueryUnnormalized: {
      summary: "The same question: ids in any order and repeated",
      value: { associateIds: [7, 5, 5], state: "Started" },
    },
    RestBatchQuery: { summary: "As SuperOffice documents it", value: { AssociateIds: [5, 7], State: "Started" } },
    RestBatchQueryCamelCase: { summary: "As @superoffice/webapi sends it", value: { associateIds: [5, 7], state: "Started" } },
    BatchTasks: { summary: "Associate 5's started export", value: STARTED_BODY },
    RestBatchTaskInfos: { summary: "Every property", value: STARTED_TASKS.map((task) => toRest(task, null)) },
    RestBatchTaskInfosSelected: {
      summary: `$select=${SELECTED.join(",")}`,
      value: STARTED_TASKS.map((task) => toRest(task, new Set(SELECTED))),
    },
    ...problems,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Headers, parameters and responses shared by the operations.
// ---------------------------------------------------------------------------------------------------------------

const ref = (kind: "parameters" | "headers" | "responses" | "examples" | "schemas", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/** A header of type string, with an example value. */
const text = (example: string) => ({ schema: { type: "string" }, example });

const HEADERS = {
  "X-Request-Id": {
    description:
      "The request's id: the caller's own `X-Request-Id` when it is sane (up to 255 of `A-Z a-z 0-9 _ - =`), else a new UUID. Every log line of the request carries it.",
    ...text(REQUEST_ID),
  },
  "Server-Timing": {
    description:
      "Milliseconds spent in KV (`kv`), waiting for SuperOffice (`upstream`), decoding its answer (`decode`), and in all (`total`).",
    ...text('kv;dur=1.0,upstream;dur=38.0,decode;dur=2.0,total;dur=43.0;desc="Total Response Time"'),
  },
  "Cache-Status": {
    description:
      "RFC 9211: `hit` (`ttl` = seconds of freshness left, negative when served stale while revalidating), `fwd=miss|stale|request` with `stored`, `collapsed` when the request waited for another's call to SuperOffice, `detail=stale-if-error` when SuperOffice failed and a cached answer was served.",
    ...text("superoffice-batch-edge; hit; ttl=12"),
  },
  Age: {
    description: "Whole seconds since the data left SuperOffice (`fetchedAt`), taken with `ttl`.",
    schema: { type: "integer", minimum: 0 },
    example: 18,
  },
  ETag: {
    description:
      "A weak tag of the task list (not of `fetchedAt`): unchanged tasks keep it across refreshes. Each representation (the REST shape, each `$select`) has its own.",
    ...text('W/"ZrMe9kQ0xv3GJp1bT4uN7w2y"'),
  },
  "Cache-Control": {
    description: "`private`, and `max-age` = the seconds of freshness left, so that no cache downstream keeps it longer.",
    ...text("private, max-age=12"),
  },
  "Cache-Control-No-Store": { description: "Problems are never cached.", ...text("no-store") },
  "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 1 }, example: 60 },
  "WWW-Authenticate": { description: "A Bearer challenge (RFC 6750).", ...text('Bearer error="invalid_token"') },
  Allow: { description: "The methods the path takes.", ...text("GET, HEAD") },
};

type HeaderName = keyof typeof HEADERS;

const headers = (...names: HeaderName[]) => ({
  headers: Object.fromEntries(
    names.map((name) => [name === "Cache-Control-No-Store" ? "Cache-Control" : name, ref("headers", name)]),
  ),
});

const CACHE_HEADERS: HeaderName[] = ["Cache-Status", "Age", "ETag", "Cache-Control", "X-Request-Id", "Server-Timing"];

const REST_PROPERTY_NAMES = Object.keys(RestBatchTaskInfoSchema.entries);

const PARAMETERS = {
  tenant: {
    name: "tenant",
    in: "path",
    required: true,
    description: "A tenant of `TENANTS`, by its SuperOffice context identifier.",
    schema: { type: "string", pattern: CONTEXT_ID.source },
    example: "Cust12345",
  },
  associateIds: {
    name: "associateIds",
    in: "query",
    required: true,
    description:
      "Comma-separated; the parameter may also repeat (`associateIds=1,2&associateIds=3`). 1 to 1000 distinct ids after de-duplication.",
    style: "form",
    explode: false,
    schema: { type: "array", items: ref("schemas", "AssociateId"), minItems: 1 },
    example: [5, 7],
  },
  state: {
    name: "state",
    in: "query",
    required: true,
    description: "Given once.",
    schema: ref("schemas", "BatchQueryState"),
    example: "Started",
  },
  purgeAssociateIds: {
    name: "associateIds",
    in: "query",
    description:
      "With `state`, the one entry to drop (normalized as for the GET). Without any query string, every entry of the tenant is dropped.",
    style: "form",
    explode: false,
    schema: { type: "array", items: ref("schemas", "AssociateId"), minItems: 1 },
    example: [5, 7],
  },
  purgeState: {
    name: "state",
    in: "query",
    description: "With `associateIds`, the entry to drop.",
    schema: ref("schemas", "BatchQueryState"),
    example: "Started",
  },
  select: {
    name: "$select",
    in: "query",
    description:
      "The BatchTaskInfo properties to fill (case-insensitive); the others are null. Default: all. No other query parameter is taken.",
    style: "form",
    explode: false,
    schema: { type: "array", items: { type: "string", enum: REST_PROPERTY_NAMES } },
    example: SELECTED,
  },
  "Cache-Control": {
    name: "Cache-Control",
    in: "header",
    description:
      "RFC 9111 request directives: `no-cache` asks SuperOffice even when a fresh answer is cached (and stores its answer), `max-age=N` accepts only answers younger than N seconds and never a stale one, `only-if-cached` never asks SuperOffice (504 `not-cached` instead), `no-store` does not store this answer.",
    schema: { type: "string" },
    example: "no-cache",
  },
  Pragma: {
    name: "Pragma",
    in: "header",
    description: "`no-cache` acts as `Cache-Control: no-cache` when the request has no Cache-Control.",
    schema: { type: "string" },
    example: "no-cache",
  },
  "If-None-Match": {
    name: "If-None-Match",
    in: "header",
    description:
      "An ETag of an earlier answer (weak comparison), or `*`: 304 when the tasks are unchanged, also together with `Cache-Control: no-cache` (then SuperOffice is asked first).",
    schema: { type: "string" },
    example: 'W/"ZrMe9kQ0xv3GJp1bT4uN7w2y"',
  },
  "X-Request-Id": {
    name: "X-Request-Id",
    in: "header",
    description: "Your id for this request, kept in the answer and the logs when it is up to 255 of `A-Z a-z 0-9 _ - =`.",
    schema: { type: "string", maxLength: 255, pattern: "^[\\w\\-=]+$" },
    example: REQUEST_ID,
  },
};

type ParameterName = keyof typeof PARAMETERS;

const parameters = (...names: ParameterName[]) => names.map((name) => ref("parameters", name));

const json = (schema: Node, exampleNames: string[]) => ({
  content: {
    "application/json": { schema, examples: Object.fromEntries(exampleNames.map((name) => [name, ref("examples", name)])) },
  },
});

function responses(): Node {
  return {
    BatchTasks: {
      description: "The tasks. HEAD answers the same headers without the body.",
      ...headers(...CACHE_HEADERS),
      ...json(ref("schemas", "BatchTasksBody"), ["BatchTasks"]),
    },
    RestBatchTaskInfos: {
      description: "A bare array of BatchTaskInfo, as SuperOffice's REST API answers it.",
      ...headers(...CACHE_HEADERS),
      ...json({ type: "array", items: ref("schemas", "RestBatchTaskInfo") }, [
        "RestBatchTaskInfos",
        "RestBatchTaskInfosSelected",
      ]),
    },
    NotModified: {
      description: "`If-None-Match` names this answer's ETag: the tasks are unchanged.",
      ...headers(...CACHE_HEADERS),
    },
    "not-found": problemResponse(["not-found"], "A path not listed here, or another method on `/healthz` or `/openapi.json`"),
    "method-not-allowed": problemResponse(
      ["method-not-allowed"],
      "A method a listed path does not take (after authentication and, under `/v1/tenants/{tenant}`, the tenant check)",
    ),
    ...operationProblemResponses(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Operations.
// ---------------------------------------------------------------------------------------------------------------

/** What can go wrong in the cache and upstream, from the code's own mapping of failures to problem types. */
const SERVE_FAILURES: ProblemType[] = [...new Set(Object.values(FAILURE_PROBLEM))];

/** Problem types that carry `Retry-After`. */
const RETRY_AFTER: ReadonlySet<ProblemType> = new Set(["too-many-requests", "upstream-busy", "upstream-circuit-open"]);

function problemResponse(names: ProblemExampleName[], description?: string): Node {
  const types = [...new Set(names.map((name) => PROBLEM_EXAMPLES[name].type))];
  const extra: HeaderName[] = [];
  if (types.includes("unauthorized")) extra.push("WWW-Authenticate");
  if (types.includes("method-not-allowed")) extra.push("Allow");
  if (types.some((type) => RETRY_AFTER.has(type))) extra.push("Retry-After");
  const listed = types.map(
    (type) => `- \`${type}\`: ${PROBLEMS[type].title}${RETRY_AFTER.has(type) ? " (with Retry-After)" : ""}`,
  );
  return {
    description: [...(description === undefined ? [] : [`${description}.`, ""]), ...listed].join("\n"),
    ...headers("X-Request-Id", "Server-Timing", "Cache-Control-No-Store", ...extra),
    content: {
      "application/problem+json": {
        schema: ref("schemas", "ProblemDocument"),
        examples: Object.fromEntries(names.map((name) => [name, ref("examples", `problem-${name}`)])),
      },
    },
  };
}

type Input = "query" | "body" | "rest" | "purge";

type Route = {
  method: "get" | "post" | "delete";
  /** The path of the default tenant; the same route exists under `/v1/tenants/{tenant}`. */
  path: string;
  operationId: string;
  /** The operation id of the same route under `/v1/tenants/{tenant}`. */
  tenantOperationId: string;
  tag: string;
  summary: string;
  description: string;
  admin: boolean;
  input: Input;
  parameters: ParameterName[];
  requestBody?: Node;
  responses: Node;
  /** The route's own problems; those of authentication, configuration and the tenant are added. */
  problems: ProblemType[];
};

const CACHE_REQUEST_HEADERS: ParameterName[] = ["Cache-Control", "Pragma", "If-None-Match", "X-Request-Id"];

const CACHED = { "200": ref("responses", "BatchTasks"), "304": ref("responses", "NotModified") };

const BODY_PROBLEMS: ProblemType[] = ["invalid-request", "payload-too-large", "unsupported-media-type", ...SERVE_FAILURES];

const ROUTES: Route[] = [
  {
    method: "get",
    path: "/v1/batch-tasks",
    operationId: "getBatchTasks",
    tenantOperationId: "getTenantBatchTasks",
    tag: "Batch tasks",
    summary: "Batch tasks of these associates in this state",
    description:
      "SuperOffice's `Batch.GetBatchTaskInfosByAssociatesAndState`, answered from the cache when it can be. Any other query parameter is refused (400). HEAD is answered like GET, without a body.",
    admin: false,
    input: "query",
    parameters: ["associateIds", "state", ...CACHE_REQUEST_HEADERS],
    responses: CACHED,
    problems: ["invalid-request", ...SERVE_FAILURES],
  },
  {
    method: "post",
    path: "/v1/batch-tasks/query",
    operationId: "queryBatchTasks",
    tenantOperationId: "queryTenantBatchTasks",
    tag: "Batch tasks",
    summary: "The same question as a JSON body",
    description:
      "Same rules, same answer and same cache entry as the GET; a matching If-None-Match gets 304 here too (this API treats the query as the safe read it is).",
    admin: false,
    input: "body",
    parameters: CACHE_REQUEST_HEADERS,
    requestBody: {
      description: `\`application/json\` (or another \`+json\` type), at most ${MAX_QUERY_BODY_BYTES} bytes.`,
      required: true,
      ...json(ref("schemas", "BatchQuery"), ["BatchQuery", "BatchQueryUnnormalized"]),
    },
    responses: CACHED,
    problems: BODY_PROBLEMS,
  },
  {
    method: "delete",
    path: "/v1/cache",
    operationId: "purgeCache",
    tenantOperationId: "purgeTenantCache",
    tag: "Cache",
    summary: "Purge one cached answer, or all of the tenant's",
    description:
      "With `associateIds` and `state`, drops that entry; with no query string at all, every entry of the tenant (a new cache generation). An empty or partial query is a 400, never everything. In effect at once in the isolate that served it, elsewhere within about 10 s (KV: up to 60 s).",
    admin: true,
    input: "purge",
    parameters: ["purgeAssociateIds", "purgeState", "X-Request-Id"],
    responses: {
      "202": {
        description: "Purged here; KV's one-write-per-second limit defers the KV part, which follows within a second.",
        ...headers("X-Request-Id", "Server-Timing"),
      },
      "204": { description: "Purged.", ...headers("X-Request-Id", "Server-Timing") },
    },
    problems: ["invalid-request", "cache-unavailable"],
  },
  {
    method: "post",
    path: "/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState",
    operationId: "getBatchTaskInfosByAssociatesAndState",
    tenantOperationId: "getTenantBatchTaskInfosByAssociatesAndState",
    tag: "SuperOffice REST",
    summary: "SuperOffice's REST operation, as its BatchAgent calls it",
    description:
      "Answered as SuperOffice's REST API answers it, from the same cache and with the same rules, so `@superoffice/webapi`'s BatchAgent works unchanged (its `SO-Language`, `SO-Browser-TZ-Offset` and `User-Agent` headers are accepted and ignored). Errors are problem documents.",
    admin: false,
    input: "rest",
    parameters: ["select", ...CACHE_REQUEST_HEADERS],
    requestBody: {
      description: `\`application/json\`, at most ${MAX_QUERY_BODY_BYTES} bytes. Keys are read case-insensitively; a key given twice in different cases is refused.`,
      required: true,
      ...json(ref("schemas", "RestBatchQuery"), ["RestBatchQuery", "RestBatchQueryCamelCase"]),
    },
    responses: { "200": ref("responses", "RestBatchTaskInfos"), "304": ref("responses", "NotModified") },
    problems: BODY_PROBLEMS,
  },
];

const PROBLEM_ORDER = Object.keys(PROBLEMS) as ProblemType[];

/** The examples of one problem type on one operation: the variant of its detail that this route and path give. */
function exampleNames(type: ProblemType, route: Route, tenant: boolean): ProblemExampleName[] {
  switch (type) {
    case "invalid-request":
      return [`invalid-request-${route.input}`];
    case "not-found":
      return [tenant ? "not-found-tenant" : "not-found-default"];
    case "forbidden":
      return [route.admin ? "forbidden-admin" : "forbidden-tenant"];
    default:
      // The type checker asks for an example of every problem type; so does this, for a run without it.
      if (!Object.hasOwn(PROBLEM_EXAMPLES, type)) throw new Error(`PROBLEM_EXAMPLES has no example of ${type}`);
      return [type];
  }
}

/** The problems an operation can answer, by status: the names of their examples. */
function problemsByStatus(route: Route, tenant: boolean): [number, ProblemExampleName[]][] {
  const types = new Set<ProblemType>([
    ...route.problems,
    "unauthorized",
    "configuration-error",
    "internal-error",
    "not-found",
    ...(route.admin ? (["forbidden"] as const) : (["too-many-requests"] as const)),
    // A tenant that lists its API keys refuses the others (403); the TENANTS document may live in KV.
    ...(tenant ? (["tenants-unavailable", ...(route.admin ? [] : (["forbidden"] as const))] as const) : []),
  ]);
  const byStatus = new Map<number, ProblemExampleName[]>();
  for (const type of PROBLEM_ORDER.filter((name) => types.has(name))) {
    const status = PROBLEMS[type].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), ...exampleNames(type, route, tenant)]);
  }
  return [...byStatus.entries()].sort(([a], [b]) => a - b);
}

/** A problem response is shared by every operation that can answer the same problems, under their examples' names. */
const problemResponseName = (names: ProblemExampleName[]) => names.join("_");

function operationProblemResponses(): Node {
  const all = ROUTES.flatMap((route) => [...problemsByStatus(route, false), ...problemsByStatus(route, true)]);
  const unique = new Map(all.map(([status, names]) => [problemResponseName(names), { status, names }]));
  const sorted = [...unique.entries()].sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b));
  return Object.fromEntries(sorted.map(([name, { names }]) => [name, problemResponse(names)]));
}

function operation(route: Route, tenant: boolean): Node {
  const problems = Object.fromEntries(
    problemsByStatus(route, tenant).map(([status, names]) => [String(status), ref("responses", problemResponseName(names))]),
  );
  return {
    tags: [route.tag],
    summary: route.summary,
    description: route.description,
    operationId: tenant ? route.tenantOperationId : route.operationId,
    ...(route.admin ? { security: [{ adminKey: [] }] } : {}),
    parameters: parameters(...(tenant ? (["tenant"] as const) : []), ...route.parameters),
    ...(route.requestBody === undefined ? {} : { requestBody: route.requestBody }),
    responses: { ...route.responses, ...problems },
  };
}

const tenantPath = (path: string) => `/v1/tenants/{tenant}${path.replace(/^\/v1/, "")}`;

function pathItem(route: Route, tenant: boolean): Node {
  const allow = route.method === "get" ? "GET, HEAD" : route.method.toUpperCase();
  return {
    description: `Other methods: 405 \`method-not-allowed\` with \`Allow: ${allow}\`.`,
    [route.method]: operation(route, tenant),
  };
}

/**
 * The pages for people. Workers static assets serve them from public/ (wrangler.toml `[assets]`) before the Worker
 * runs, so they need no key and carry none of the Worker's headers, and any other method gets the asset router's
 * empty 405, not a problem document. Listed so that the document covers every path the deployment answers.
 */
const PAGES = [
  {
    path: "/",
    file: "index.html",
    operationId: "getMonitorPage",
    summary: "The monitor page",
    description:
      "For people: paste an API key (kept in the tab's session storage only), choose associates and a state, and see the tasks with a progress bar each, refreshed every few seconds through the edge cache. Loading it needs no key; it asks no other host.",
  },
  {
    path: "/docs",
    file: "docs.html",
    operationId: "getApiReferencePage",
    summary: "This API reference",
    description:
      "This document, rendered by the pinned Scalar bundle that the deployment serves itself (no request to another host). Reading it needs no key; trying a call sends the key typed into the page.",
  },
] as const;

function pagePaths(): Node {
  return Object.fromEntries(
    PAGES.map(({ path, file, operationId, summary, description }) => {
      // A page the document lists must exist: a renamed or removed file fails the build, not the reader.
      if (!existsSync(join(ROOT, "public", file))) throw new Error(`public/${file} (${path}) does not exist`);
      const item = {
        description:
          "A static page (Workers static assets), not answered by the Worker. Other methods: 405 with no body, not a problem document.",
        get: {
          tags: ["Pages"],
          summary,
          description: `${description} HEAD is answered too. Static: \`public/${file}\`.`,
          operationId,
          security: [],
          responses: {
            "200": {
              description: "The page.",
              headers: {
                "Cache-Control": {
                  description: "Workers static assets' default: revalidate (by ETag) before each use.",
                  ...text("public, max-age=0, must-revalidate"),
                },
                ETag: { description: "A strong tag of the file.", ...text('"dbaf171133bbfdf145999d4532aab005"') },
                "Content-Security-Policy": {
                  description: "This origin's scripts, styles and connections only (public/_headers).",
                  ...text("default-src 'none'; script-src 'self'; connect-src 'self'"),
                },
              },
              content: { "text/html": { schema: { type: "string" } } },
            },
          },
        },
      };
      return [path, item];
    }),
  );
}

function paths(): Node {
  const service = (operationId: string, summary: string, description: string, response: Node): Node => ({
    description: "Other methods: 404 `not-found`.",
    get: { tags: ["Service"], summary, description, operationId, security: [], responses: { "200": response } },
  });
  return {
    ...pagePaths(),
    "/healthz": service("getHealth", "Liveness", "No key, no upstream call, no KV read. HEAD is answered too.", {
      description: "Up.",
      ...headers("X-Request-Id", "Server-Timing"),
      ...json(ref("schemas", "Health"), ["Health"]),
    }),
    "/openapi.json": service(
      "getOpenApiDocument",
      "This document",
      "OpenAPI 3.1, generated from the schemas the Worker validates with.",
      {
        description: "This document.",
        headers: {
          "Cache-Control": { description: "Cacheable for 5 minutes.", ...text("public, max-age=300") },
          ...headers("X-Request-Id", "Server-Timing").headers,
        },
        content: { "application/json": { schema: { type: "object" } } },
      },
    ),
    ...Object.fromEntries(ROUTES.map((route) => [route.path, pathItem(route, false)])),
    ...Object.fromEntries(ROUTES.map((route) => [tenantPath(route.path), pathItem(route, true)])),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The document.
// ---------------------------------------------------------------------------------------------------------------

/** When each problem type is answered; every problem type needs one (the type checker says so). */
const WHEN = {
  "invalid-request": "Bad parameters or body; `errors` lists the fields.",
  unauthorized: "A missing, malformed or unknown key (with `WWW-Authenticate`).",
  forbidden: "An API key on a purge route, or a key the tenant does not list.",
  "not-found": "An unknown path or tenant, or no default tenant.",
  "method-not-allowed": "Another method on an API path (with `Allow`).",
  "payload-too-large": `A query body over ${MAX_QUERY_BODY_BYTES} bytes.`,
  "unsupported-media-type": "A query body that is not JSON.",
  "too-many-requests": "The key's rate limit (with `Retry-After`).",
  "configuration-error": "A missing or malformed setting: `detail` names it, never its value.",
  "internal-error": "A bug: quote the `requestId`.",
  "upstream-error": "SuperOffice answered `Succeeded=false` or a SOAP fault; `detail` is its message, cleaned.",
  "upstream-invalid-response": "SuperOffice's answer was not usable XML, had an unexpected HTTP status, or broke the schema.",
  "upstream-response-too-large": "SuperOffice's answer is over `UPSTREAM_MAX_BYTES` or `MAX_TASKS`.",
  "upstream-credentials-rejected": "SuperOffice refused the ticket or application token.",
  "upstream-authentication-failed": "Signing in to SuperOffice Online failed.",
  "upstream-unavailable": "SuperOffice could not be reached.",
  "upstream-busy": "`UPSTREAM_CONCURRENCY` calls of the tenant are under way (with `Retry-After`).",
  "upstream-circuit-open": "Calls pause after repeated failures (with `Retry-After`).",
  "tenants-unavailable": "The `TENANTS` document could not be read from KV.",
  "upstream-timeout": "No answer within `UPSTREAM_TIMEOUT_MS`.",
  "not-cached": "`Cache-Control: only-if-cached` and nothing usable is cached.",
  "cache-unavailable": "KV did not accept a purge; retry.",
} as const satisfies Record<ProblemType, string>;

function when(type: ProblemType): string {
  if (!Object.hasOwn(WHEN, type)) throw new Error(`WHEN does not say when ${type} is answered`);
  return WHEN[type];
}

const DESCRIPTION = `Which batch tasks exist for these SuperOffice users, in this state: SuperOffice NetServer's \`Batch.GetBatchTaskInfosByAssociatesAndState\`, validated, cached in Workers KV and answered as JSON.

Every \`/v1\` and \`/api\` route needs \`Authorization: Bearer <key>\`: a key of \`API_KEYS\`, or of \`ADMIN_KEYS\` to purge the cache. Routes under \`/v1/tenants/{tenant}\` answer for a tenant of \`TENANTS\`; the others for the tenant the environment configures.

The pages for people (\`/\`, \`/docs\`) and the scripts and styles they load are static files, with no key. Errors are \`application/problem+json\` (RFC 9457), never cached. Any other path answers 404 \`not-found\`; another method on an API path answers 405 \`method-not-allowed\` with \`Allow\` (see each path). Problem types (after \`urn:superoffice-batch-edge:problem:\`):

| status | type | when |
| --- | --- | --- |
${PROBLEM_ORDER.map((type) => `| ${PROBLEMS[type].status} | \`${type}\` | ${when(type)} |`).join("\n")}

Answers are cached per tenant, state and normalized associate set: fresh for \`CACHE_FRESH_SECONDS\` after \`fetchedAt\`, then served stale for \`CACHE_STALE_SECONDS\` while refreshed in the background, or when SuperOffice fails. \`Cache-Status\` says what happened.`;

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

function buildDocument(): Node {
  return {
    // The schemas use OpenAPI 3.1's default dialect (JSON Schema 2020-12 with OpenAPI's vocabulary), so no
    // `jsonSchemaDialect` is set.
    openapi: "3.1.0",
    info: { title: "superoffice-batch-edge", version: packageVersion(), description: DESCRIPTION },
    tags: [
      { name: "Batch tasks", description: "The question, as a GET or as a JSON body." },
      { name: "SuperOffice REST", description: "SuperOffice's own REST operation, for its clients." },
      { name: "Cache", description: "Purging cached answers (admin keys)." },
      { name: "Service", description: "No key needed." },
      { name: "Pages", description: "Pages for people, served as static assets. No key needed." },
    ],
    security: [{ apiKey: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A key of `API_KEYS`." },
        adminKey: { type: "http", scheme: "bearer", description: "A key of `ADMIN_KEYS`; a key of `API_KEYS` gets 403." },
      },
      schemas: componentSchemas(),
      parameters: PARAMETERS,
      headers: HEADERS,
      responses: responses(),
      examples: examples(),
    },
  };
}

/** The document as committed: JSON formatted by the project's Biome, so that `biome check` accepts the file as is. */
function render(document: Node): string {
  const biome = join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
  return execFileSync(process.execPath, [biome, "format", `--stdin-file-path=${OUTPUT}`], {
    cwd: ROOT,
    input: `${JSON.stringify(document, null, 2)}\n`,
    encoding: "utf8",
  });
}

function main(args: readonly string[]): number {
  const rendered = render(buildDocument());
  const target = join(ROOT, OUTPUT);
  if (!args.includes("--check")) {
    writeFileSync(target, rendered);
    console.log(`openapi: wrote ${OUTPUT} (${Buffer.byteLength(rendered)} bytes)`);
    return 0;
  }
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // Missing: reported as out of date below.
  }
  if (committed === rendered) {
    console.log(`openapi: ${OUTPUT} is up to date`);
    return 0;
  }
  const renderedLines = rendered.split("\n");
  const committedLines = committed.split("\n");
  const line = renderedLines.findIndex((text, index) => text !== committedLines[index]) + 1 || renderedLines.length + 1;
  console.error(
    `openapi: ${OUTPUT} is out of date (first difference at line ${line}): run \`npx tsx scripts/openapi.ts\` and commit the result.`,
  );
  return 1;
}

process.exitCode = main(process.argv.slice(2));
