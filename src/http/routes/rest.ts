import { type Context, Hono, type TypedResponse } from "hono";
import { validator } from "hono/validator";
import type { Served } from "../../cache/batch-cache.js";
import { bodyText, type CachedEntry } from "../../cache/entry.js";
import type { BatchTask } from "../../model/batch-task.js";
import type { BatchService } from "../../service.js";
import { utf8 } from "../../utf8.js";
import type { AppEnv } from "../app-env.js";
import { ifNoneMatchMatches } from "../conditional.js";
import { type FieldError, type InputResult, parseBodyInput } from "../input.js";
import { cacheHeaders, checkedQuery, failureProblem, invalidInput, jsonBody, serve } from "./batch-tasks.js";

/** `BatchTaskInfo` as SuperOffice's REST agent names its properties (PascalCase), in its order, and ours. */
const REST_PROPERTIES = [
  ["Id", "id"],
  ["Name", "name"],
  ["AssociateId", "associateId"],
  ["DetailsTable", "detailsTable"],
  ["DetailsRecord", "detailsRecord"],
  ["IsSystemTask", "isSystemTask"],
  ["IsInternalTask", "isInternalTask"],
  ["ParameterObject", "parameterObject"],
  ["LastStarted", "lastStarted"],
  ["Created", "created"],
  ["StartCount", "startCount"],
  ["DatabaseSerialNumber", "databaseSerialNumber"],
  ["Context", "context"],
  ["Result", "result"],
  ["State", "state"],
  ["Description", "description"],
  ["Response", "response"],
  ["Request", "request"],
  ["ProgressDescription", "progressDescription"],
  ["ProgressPercent", "progressPercent"],
  ["FileName", "fileName"],
  ["CancellationBehaviour", "cancellationBehaviour"],
] as const satisfies readonly (readonly [string, keyof BatchTask])[];

type RestName = (typeof REST_PROPERTIES)[number][0];

/** One `BatchTaskInfo` as SuperOffice's REST API answers it. */
export type RestBatchTaskInfo = {
  [Name in RestName]: BatchTask[Extract<(typeof REST_PROPERTIES)[number], readonly [Name, string]>[1]] | null;
};

const BY_LOWER_NAME = new Map<string, RestName>(REST_PROPERTIES.map(([name]) => [name.toLowerCase(), name]));

/** The body's keys, read case-insensitively: SuperOffice documents `AssociateIds`, `@superoffice/webapi` sends `associateIds`. */
const BODY_KEYS = new Map([
  ["associateids", "associateIds"],
  ["state", "state"],
]);

/**
 * Reads `{"AssociateIds":[…],"State":"…"}` in any letter case with the same rules as `POST /v1/batch-tasks/query`;
 * errors point at the keys as the caller spelled them. A key given twice in different cases is refused.
 */
export function parseRestBody(body: unknown): InputResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return parseBodyInput(body);
  const normalized: Record<string, unknown> = {};
  const spelled = new Map<string, string>();
  for (const [key, value] of Object.entries(body)) {
    const name = BODY_KEYS.get(key.toLowerCase()) ?? key;
    if (spelled.has(name))
      return { ok: false, errors: [{ pointer: `#/${key}`, detail: `repeats ${spelled.get(name)}` }], count: 1 };
    spelled.set(name, key);
    normalized[name] = value;
  }
  const input = parseBodyInput(normalized);
  if (input.ok) return input;
  const respell = (error: FieldError): FieldError => {
    if (!("pointer" in error)) return error;
    const [, first = "", rest = ""] = /^#\/([^/]*)(.*)$/.exec(error.pointer) ?? [];
    return { ...error, pointer: `#/${spelled.get(first) ?? first}${rest}` };
  };
  return { ...input, errors: input.errors.map(respell) };
}

/** `$select=Name,State`: the properties to keep (case-insensitive), or every property when absent. */
function parseSelect(c: Context<AppEnv>): readonly RestName[] | ReturnType<typeof invalidInput> {
  const unknownParameter = Object.keys(c.req.queries()).find((name) => name !== "$select");
  if (unknownParameter !== undefined)
    return invalidInput(c, [{ parameter: unknownParameter, detail: "is not a known parameter" }], 1);
  const select = c.req.queries("$select");
  if (select === undefined) return REST_PROPERTIES.map(([name]) => name);
  const names = select.flatMap((value) => value.split(",")).map((name) => name.trim());
  const errors = names
    .filter((name) => !BY_LOWER_NAME.has(name.toLowerCase()))
    .map((name) => ({ parameter: "$select", detail: `${JSON.stringify(name.slice(0, 40))} is not a BatchTaskInfo property` }));
  if (errors.length > 0) return invalidInput(c, errors.slice(0, 20), errors.length);
  return [...new Set(names.map((name) => BY_LOWER_NAME.get(name.toLowerCase()) as RestName))];
}

/** The tasks in SuperOffice's REST shape: every property present, those not selected `null`. */
function toRest(tasks: readonly BatchTask[], selected: ReadonlySet<RestName>): RestBatchTaskInfo[] {
  return tasks.map((task) => {
    const info: Record<string, unknown> = {};
    for (const [name, ours] of REST_PROPERTIES) info[name] = selected.has(name) ? task[ours] : null;
    return info as RestBatchTaskInfo;
  });
}

/** This representation's own validator: the entry's tag, marked as the REST shape and its selection. */
function restTag(etag: string, selected: readonly RestName[]): string {
  const selection = selected.length === REST_PROPERTIES.length ? "all" : [...selected].sort().join(".");
  return `${etag.slice(0, -1)}.rest.${selection}"`;
}

/** Selections of an entry kept in its REST shape, so that pollers do not re-shape the same answer each time. */
const MAX_SHAPES_PER_ENTRY = 4;

const restShapes = new WeakMap<CachedEntry, Map<string, Uint8Array<ArrayBuffer>>>();

/** The entry's tasks in the REST shape for this selection, as UTF-8 JSON: made once per entry and selection (a few). */
function restBody(entry: CachedEntry, selected: readonly RestName[], etag: string): Uint8Array<ArrayBuffer> {
  let shapes = restShapes.get(entry);
  const known = shapes?.get(etag);
  if (known !== undefined) return known;
  const { tasks } = JSON.parse(bodyText(entry)) as { tasks: BatchTask[] };
  const body = utf8(JSON.stringify(toRest(tasks, new Set(selected))));
  if (shapes === undefined) {
    shapes = new Map();
    restShapes.set(entry, shapes);
  }
  if (shapes.size < MAX_SHAPES_PER_ENTRY) shapes.set(etag, body);
  return body;
}

function respond(c: Context<AppEnv>, served: Served, selected: readonly RestName[]) {
  const etag = restTag(served.entry.etag, selected);
  const headers = cacheHeaders(served, etag);
  if (ifNoneMatchMatches(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
  const json: Response = c.body(restBody(served.entry, selected, etag), 200, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
  });
  return json as Response & TypedResponse<RestBatchTaskInfo[], 200, "json">;
}

/**
 * SuperOffice's own REST operation, `POST …/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState`, answered
 * as SuperOffice's REST agent answers it (a bare array of PascalCase `BatchTaskInfo`), from the same cache with the
 * same rules and keys, so `@superoffice/webapi`'s `BatchAgent` works against this Worker unchanged. Errors stay
 * problem documents.
 */
export function restRoutes(service: BatchService) {
  return new Hono<AppEnv>().post(
    "/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState",
    jsonBody,
    validator("json", (value: unknown, c) => checkedQuery(c, parseRestBody(value), { pointer: "#/State" })),
    async (c) => {
      const selected = parseSelect(c);
      if (selected instanceof Response) return selected;
      const result = await serve(c, service, c.req.valid("json"));
      return result.ok ? respond(c, result.served, selected) : failureProblem(c, result.failure);
    },
  );
}
