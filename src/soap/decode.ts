import { decodeInOnePass } from "./one-pass.js";
import {
  type DecodeOptions,
  type DecodeResult,
  declaresAnotherEncoding,
  decodeEnvelope,
  newReading,
  refusing,
  tasksOfTree,
} from "./rules.js";
import { parseWithSaxes } from "./xml-saxes.js";
import type { XmlParser } from "./xml-tree.js";

export type { DecodeFailure, DecodeOptions, DecodeResult } from "./rules.js";

/**
 * The parser behind the one-pass decoder: what reads an answer that `decodeInOnePass` declines (a construct it does
 * not handle itself, or any well-formedness error, so that the message is the conforming parser's). Changing parser is
 * changing this line (see BENCHMARKS.md for why saxes).
 */
const fallbackParser: XmlParser = parseWithSaxes;

/**
 * Decodes a NetServer answer with the given XML parser into a whole tree, then reads the tree. Tests and benchmarks
 * pass the saxes or xmldom parser to compare them with `decodeBatchResponse`.
 */
export function decodeBatchResponseWith(parse: XmlParser, xml: string, options: DecodeOptions): DecodeResult {
  const wrongEncoding = declaresAnotherEncoding(xml);
  if (wrongEncoding !== null) return wrongEncoding;
  return refusing(() => {
    const reading = newReading(options);
    return decodeEnvelope(parse(xml), reading, (response) => tasksOfTree(response, reading, options.maxTasks));
  });
}

/**
 * The largest answer the fallback parser reads, in characters. A declined answer is a broken or unusual one (no
 * NetServer writes non-ASCII element names or 17 attributes); reading a large one a second time with saxes cost up
 * to five times a valid answer's CPU (1.25 s for 8 MiB in workerd), which a hostile server could ask for at will.
 */
export const FALLBACK_MAX_CHARS = 1024 * 1024;

/**
 * Decodes a NetServer `GetBatchTaskInfosByAssociatesAndState` answer, SOAP 1.1 or 1.2, prefixed or default-namespaced.
 * Pure: reads only its argument; an unreadable answer is a failure result, not an exception.
 *
 * The one-pass decoder reads every answer NetServer writes (and any namespace layout, comments, CDATA, entities,
 * character references) straight into tasks. Whatever it declines, the saxes tree decoder reads instead, with the
 * same rules (rules.ts), so the result does not depend on which of the two read it; a declined answer larger than
 * `FALLBACK_MAX_CHARS` is refused instead.
 */
export function decodeBatchResponse(xml: string, options: DecodeOptions): DecodeResult {
  const decoded = decodeInOnePass(xml, options);
  if (decoded !== null) return decoded;
  if (xml.length > FALLBACK_MAX_CHARS) {
    return {
      ok: false,
      failure: "malformed",
      detail: "the response is larger than 1 MiB and not a plain NetServer answer (broken or unusual XML)",
    };
  }
  return decodeBatchResponseWith(fallbackParser, xml, options);
}
