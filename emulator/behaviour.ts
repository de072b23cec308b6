import * as v from "valibot";

/**
 * Failure modes the emulator can inject into Batch.svc answers. Besides a broken SuperOffice, four are hostile
 * answers that a client must bound its work on (sizes in `replies.ts`): `oversized` (20 MiB of well-formed task XML
 * with its `Content-Length`), `oversized-chunked` (the same, chunked, no length), `gzip-bomb` (gzip that expands to
 * 1 GiB of task XML, compressed on the fly, chunked) and `deep` (100,000 nested elements in a task).
 */
export const FAIL_MODES = [
  "none",
  "exception",
  "fault",
  "malformed",
  "html",
  "truncated",
  "oversized",
  "oversized-chunked",
  "gzip-bomb",
  "deep",
] as const;

/** Upper bound of `delayMs`; larger values are capped. */
export const MAX_DELAY_MS = 60_000;

const FailSchema = v.picklist(FAIL_MODES, `fail must be one of ${FAIL_MODES.join(", ")}`);

/** One of {@link FAIL_MODES}. */
export type FailMode = v.InferOutput<typeof FailSchema>;

const DelaySchema = v.pipe(
  v.number("delayMs must be a non-negative number"),
  v.finite("delayMs must be a non-negative number"),
  v.minValue(0, "delayMs must be a non-negative number"),
  v.transform((delay) => Math.min(Math.round(delay), MAX_DELAY_MS)),
);

/**
 * How the emulator answers Batch.svc calls: an injected failure and a delay before answering. As the body of
 * `PUT /__emulator/behaviour` it replaces the whole setting: a missing `fail` means "none", a missing `delayMs` 0.
 */
const BehaviourSchema = v.strictObject(
  { fail: v.optional(FailSchema, "none"), delayMs: v.optional(DelaySchema, 0) },
  'expected a JSON object {"fail": ..., "delayMs": ...} and nothing else',
);

export type Behaviour = v.InferOutput<typeof BehaviourSchema>;

/** Answer normally, immediately. */
export const DEFAULT_BEHAVIOUR: Behaviour = { fail: "none", delayMs: 0 };

/** A parsed behaviour, or why the input was rejected. */
export type BehaviourResult =
  | { readonly ok: true; readonly behaviour: Behaviour }
  | { readonly ok: false; readonly error: string };

function toResult(result: v.SafeParseResult<typeof BehaviourSchema>): BehaviourResult {
  return result.success
    ? { ok: true, behaviour: result.output }
    : { ok: false, error: result.issues.map((issue) => issue.message).join("; ") };
}

/** Reads the JSON body of `PUT /__emulator/behaviour`. */
export function parseBehaviourJson(value: unknown): BehaviourResult {
  return toResult(v.safeParse(BehaviourSchema, value));
}

/** Applies the endpoint's query-string overrides (`?fail=...&delayMs=...`) to the persistent behaviour. */
export function behaviourForRequest(
  persistent: Behaviour,
  query: { fail: string | undefined; delayMs: string | undefined },
): BehaviourResult {
  const delayMs =
    query.delayMs === undefined ? persistent.delayMs : query.delayMs.trim() === "" ? Number.NaN : Number(query.delayMs);
  return toResult(v.safeParse(BehaviourSchema, { fail: query.fail ?? persistent.fail, delayMs }));
}
