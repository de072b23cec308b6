/** Failure modes the emulator can inject into Batch.svc answers. */
export const FAIL_MODES = ["none", "exception", "fault", "malformed", "html", "truncated"] as const;

/** One of {@link FAIL_MODES}. */
export type FailMode = (typeof FAIL_MODES)[number];

/** How the emulator answers Batch.svc calls: an injected failure and a delay before answering. */
export interface Behaviour {
  readonly fail: FailMode;
  readonly delayMs: number;
}

/** Answer normally, immediately. */
export const DEFAULT_BEHAVIOUR: Behaviour = { fail: "none", delayMs: 0 };

/** Upper bound of `delayMs`; larger values are capped. */
export const MAX_DELAY_MS = 60_000;

/** A parsed behaviour, or why the input was rejected. */
export type BehaviourResult = { readonly ok: true; readonly behaviour: Behaviour } | { readonly ok: false; readonly error: string };

/** Behaviour overrides as given in the endpoint's query string (`?fail=...&delayMs=...`). */
export interface BehaviourQuery {
  readonly fail: string | undefined;
  readonly delayMs: string | undefined;
}

function isFailMode(value: unknown): value is FailMode {
  return typeof value === "string" && (FAIL_MODES as readonly string[]).includes(value);
}

function toDelay(value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  return Math.min(Math.round(value), MAX_DELAY_MS);
}

function invalidFail(value: unknown): BehaviourResult {
  return { ok: false, error: `fail must be one of ${FAIL_MODES.join(", ")}; got ${JSON.stringify(value)}` };
}

function invalidDelay(value: unknown): BehaviourResult {
  return { ok: false, error: `delayMs must be a non-negative number; got ${JSON.stringify(value)}` };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the JSON body of `PUT /__emulator/behaviour`. The body replaces the whole setting:
 * a missing `fail` means "none", a missing `delayMs` means 0.
 */
export function parseBehaviourJson(value: unknown): BehaviourResult {
  if (!isRecord(value)) return { ok: false, error: "expected a JSON object {\"fail\": ..., \"delayMs\": ...}" };
  const fail = value["fail"] ?? DEFAULT_BEHAVIOUR.fail;
  if (!isFailMode(fail)) return invalidFail(fail);
  const rawDelay = value["delayMs"] ?? DEFAULT_BEHAVIOUR.delayMs;
  const delayMs = typeof rawDelay === "number" ? toDelay(rawDelay) : null;
  if (delayMs === null) return invalidDelay(rawDelay);
  return { ok: true, behaviour: { fail, delayMs } };
}

/** Applies query-string overrides to the persistent behaviour; each given parameter wins. */
export function behaviourForRequest(persistent: Behaviour, query: BehaviourQuery): BehaviourResult {
  const fail = query.fail ?? persistent.fail;
  if (!isFailMode(fail)) return invalidFail(fail);
  const delayMs = query.delayMs === undefined ? persistent.delayMs : toDelay(query.delayMs.trim() === "" ? Number.NaN : Number(query.delayMs));
  if (delayMs === null) return invalidDelay(query.delayMs);
  return { ok: true, behaviour: { fail, delayMs } };
}
