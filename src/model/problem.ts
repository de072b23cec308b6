import * as v from "valibot";

/** One invalid input field of a 400: `parameter` for query strings, `pointer` (RFC 6901) for JSON bodies. */
export const FieldErrorSchema = v.union([
  v.strictObject({ parameter: v.string(), detail: v.string() }),
  v.strictObject({ pointer: v.string(), detail: v.string() }),
]);
export type FieldError = v.InferOutput<typeof FieldErrorSchema>;

/**
 * An RFC 9457 problem document as this API writes it: `type` is `urn:superoffice-batch-edge:problem:<name>`, and
 * `requestId` finds the request's log lines. `errors` lists invalid fields (400 only).
 */
export const ProblemDocumentSchema = v.strictObject({
  type: v.pipe(v.string(), v.startsWith("urn:superoffice-batch-edge:problem:")),
  title: v.string(),
  status: v.pipe(v.number(), v.integer(), v.minValue(400), v.maxValue(599)),
  detail: v.string(),
  errors: v.optional(v.array(FieldErrorSchema)),
  requestId: v.string(),
});
export type ProblemDocument = v.InferOutput<typeof ProblemDocumentSchema>;
