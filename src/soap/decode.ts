import { BATCH_TASK_STATES, CANCELLATION_BEHAVIOURS } from "../model/batch-task.js";
import { type Contract, NS, OPERATION } from "./namespaces.js";
import { parseWithSaxes } from "./xml-saxes.js";
import { MalformedXml, type XmlElement, type XmlParser } from "./xml-tree.js";

/** Why an answer was refused: SuperOffice said it failed, the answer is not a readable one, or it holds too much. */
export type DecodeFailure = "exception" | "fault" | "malformed" | "too-large";

/**
 * What a NetServer answer says. `tasks` are plain objects in the API's camelCase shape, not yet schema-checked:
 * the caller validates the whole body once. `unknown` lists enum values this Worker does not know (as
 * `State=Paused`), each once; such a task is kept with `state: "Unknown"` (or `cancellationBehaviour: null`).
 * A failure's `detail` may quote the server (a fault's text); the caller decides what of it reaches callers.
 */
export type DecodeResult =
  | { ok: true; tasks: Record<string, unknown>[]; unknown: string[] }
  | { ok: false; failure: DecodeFailure; detail: string; exceptionType?: string };

/** What the decoder needs beyond the text: the contract's namespace, and the most tasks an answer may hold. */
export type DecodeOptions = { contract: Contract; maxTasks: number };

/** The XML parser the Worker uses. Changing parser is changing this line (see BENCHMARKS.md for why saxes). */
const parseXml: XmlParser = parseWithSaxes;

/** Thrown inside the decoder, turned into a `DecodeResult` at its edge. */
class Refusal extends Error {
  constructor(
    readonly failure: DecodeFailure,
    detail: string,
    readonly exceptionType?: string,
  ) {
    super(detail);
  }
}

type FieldKind = "int" | "bool" | "string" | "dateTime" | "state" | "cancellation" | "dictionary";

type Field = { readonly name: string; readonly kind: FieldKind; readonly bit: number };

/** BatchTaskInfo's elements: the API name and the kind of value, in WSDL order. */
const TASK_ELEMENTS: readonly (readonly [element: string, name: string, kind: FieldKind])[] = [
  ["Id", "id", "int"],
  ["Name", "name", "string"],
  ["AssociateId", "associateId", "int"],
  ["DetailsTable", "detailsTable", "int"],
  ["DetailsRecord", "detailsRecord", "int"],
  ["IsSystemTask", "isSystemTask", "bool"],
  ["IsInternalTask", "isInternalTask", "bool"],
  ["ParameterObject", "parameterObject", "dictionary"],
  ["LastStarted", "lastStarted", "dateTime"],
  ["Created", "created", "dateTime"],
  ["StartCount", "startCount", "int"],
  ["DatabaseSerialNumber", "databaseSerialNumber", "string"],
  ["Context", "context", "string"],
  ["Result", "result", "string"],
  ["State", "state", "state"],
  ["Description", "description", "string"],
  ["Response", "response", "string"],
  ["Request", "request", "string"],
  ["ProgressDescription", "progressDescription", "string"],
  ["ProgressPercent", "progressPercent", "int"],
  ["FileName", "fileName", "string"],
  ["CancellationBehaviour", "cancellationBehaviour", "cancellation"],
];

const TASK_FIELDS = new Map<string, Field>(
  TASK_ELEMENTS.map(([element, name, kind], index) => [element, { name, kind, bit: 1 << index }]),
);

/** The .NET default of each kind, used when the element is absent. */
const ABSENT: Record<FieldKind, unknown> = {
  int: 0,
  bool: false,
  string: null,
  dateTime: null,
  state: "Unknown",
  cancellation: null,
  dictionary: null,
};

/** A task with every field absent; each decoded task starts as a copy of it. */
const ABSENT_TASK: Readonly<Record<string, unknown>> = Object.fromEntries(
  TASK_ELEMENTS.map(([, name, kind]) => [name, ABSENT[kind]]),
);

/** `0001-01-01T00:00:00` is .NET's `DateTime.MinValue`, NetServer's way of saying "never". */
const NEVER = /^0001-01-01T00:00:00(\.0+)?(Z|[+-]\d\d:\d\d)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Enum values a task may carry; `All` is only a filter. */
const KNOWN_STATES: ReadonlySet<string> = new Set(BATCH_TASK_STATES.filter((state) => state !== "All"));
const KNOWN_CANCELLATION: ReadonlySet<string> = new Set(CANCELLATION_BEHAVIOURS);

/** One decode's state: the contract's namespace and the unknown enum values met so far. */
type Reading = { readonly ns: string; readonly unknown: Set<string> };

function childElement(parent: XmlElement, namespace: string | null, localName: string): XmlElement | null {
  for (const element of parent.children) {
    if (element.localName === localName && element.namespace === namespace) return element;
  }
  return null;
}

/** The character data of a simple-typed element; an element inside one is a contract violation. */
function textOf(element: XmlElement, where: string): string {
  if (element.children.length > 0) throw new Refusal("malformed", `${where} must hold text, not elements`);
  return element.text;
}

function optionalText(element: XmlElement | null, where: string): string | null {
  return element === null || element.nil ? null : textOf(element, where);
}

function decodeInt(element: XmlElement, where: string): number {
  const text = textOf(element, where).trim();
  if (!INTEGER.test(text)) throw new Refusal("malformed", `${where} is not an integer`);
  return Number(text);
}

function decodeBool(element: XmlElement, where: string): boolean {
  const text = textOf(element, where).trim();
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new Refusal("malformed", `${where} is not an xs:boolean`);
}

function decodeDictionary(element: XmlElement, where: string, ns: string): Record<string, string | null> {
  const entries = new Map<string, string | null>();
  for (const pair of element.children) {
    if (pair.localName !== "StringKeyValuePair" || pair.namespace !== ns) continue;
    const key = optionalText(childElement(pair, ns, "Key"), `${where}.Key`);
    if (key === null) throw new Refusal("malformed", `${where} has a pair without a key`);
    if (entries.has(key)) throw new Refusal("malformed", `${where} repeats the key "${key}"`);
    entries.set(key, optionalText(childElement(pair, ns, "Value"), `${where}.Value`));
  }
  return Object.fromEntries(entries);
}

/** An enum value: kept when known, else noted in `unknown` and replaced by `fallback`. */
function enumValue(text: string, known: ReadonlySet<string>, fallback: string | null, element: string, reading: Reading) {
  if (known.has(text)) return text;
  reading.unknown.add(`${element}=${text}`);
  return fallback;
}

function decodeField(field: Field, element: XmlElement, where: string, reading: Reading): unknown {
  const { kind } = field;
  if (kind === "string") return optionalText(element, where);
  if (kind === "dictionary") return element.nil ? null : decodeDictionary(element, where, reading.ns);
  if (element.nil) {
    if (kind === "dateTime") return null;
    throw new Refusal("malformed", `${where} is nil but not nillable`);
  }
  if (kind === "int") return decodeInt(element, where);
  if (kind === "bool") return decodeBool(element, where);
  const text = textOf(element, where).trim();
  if (kind === "state") return enumValue(text, KNOWN_STATES, "Unknown", element.localName, reading);
  if (kind === "cancellation") return enumValue(text, KNOWN_CANCELLATION, null, element.localName, reading);
  return NEVER.test(text) ? null : text;
}

function decodeTask(info: XmlElement, where: string, reading: Reading): Record<string, unknown> {
  const task = { ...ABSENT_TASK };
  let seen = 0;
  for (const element of info.children) {
    const field = element.namespace === reading.ns ? TASK_FIELDS.get(element.localName) : undefined;
    if (field === undefined) continue;
    if ((seen & field.bit) !== 0) throw new Refusal("malformed", `${where} repeats ${element.localName}`);
    seen |= field.bit;
    task[field.name] = decodeField(field, element, `${where}.${element.localName}`, reading);
  }
  return task;
}

/** NetServer's application-level failure: `Succeeded=false` and/or a non-nil `ExceptionInfo` header. */
function checkHeader(header: XmlElement | null, ns: string): void {
  if (header === null) return;
  const exceptionInfo = childElement(header, ns, "ExceptionInfo");
  const succeeded = childElement(header, ns, "Succeeded");
  const failed = succeeded !== null && !decodeBool(succeeded, "Header.Succeeded");
  if (exceptionInfo !== null && !exceptionInfo.nil) {
    const friendly = optionalText(childElement(exceptionInfo, ns, "FriendlyText"), "ExceptionInfo.FriendlyText");
    const message = optionalText(childElement(exceptionInfo, ns, "Message"), "ExceptionInfo.Message");
    const type = optionalText(childElement(exceptionInfo, ns, "ExceptionType"), "ExceptionInfo.ExceptionType")?.trim();
    const detail = friendly || message || "SuperOffice reported an exception without a message";
    throw new Refusal("exception", detail, type || undefined);
  }
  if (failed) throw new Refusal("exception", "SuperOffice reported Succeeded=false without ExceptionInfo");
}

/** SOAP 1.1 `faultstring` or SOAP 1.2 `Reason/Text`. */
function faultMessage(fault: XmlElement, envelopeNs: string): string {
  const text =
    envelopeNs === NS.soap11
      ? optionalText(childElement(fault, null, "faultstring"), "Fault.faultstring")
      : optionalText(childElement(childElement(fault, NS.soap12, "Reason") ?? fault, NS.soap12, "Text"), "Fault.Reason.Text");
  return text?.trim() || "SuperOffice answered with a SOAP fault without a message";
}

function decodeEnvelope(envelope: XmlElement, { contract, maxTasks }: DecodeOptions): DecodeResult {
  const reading: Reading = { ns: contract.namespace, unknown: new Set() };
  const ns = reading.ns;
  const envelopeNs = envelope.namespace;
  if (envelope.localName !== "Envelope" || (envelopeNs !== NS.soap11 && envelopeNs !== NS.soap12)) {
    throw new Refusal("malformed", "the response is not a SOAP envelope");
  }
  const body = childElement(envelope, envelopeNs, "Body");
  if (body === null) throw new Refusal("malformed", "the SOAP envelope has no Body");
  const payload = body.children[0];
  if (payload?.localName === "Fault" && payload.namespace === envelopeNs) {
    throw new Refusal("fault", faultMessage(payload, envelopeNs));
  }
  checkHeader(childElement(envelope, envelopeNs, "Header"), ns);
  if (payload?.localName !== `${OPERATION}Response` || payload.namespace !== ns) {
    throw new Refusal("malformed", `the SOAP Body does not hold ${OPERATION}Response`);
  }
  const response = childElement(payload, ns, "Response");
  const tasks: Record<string, unknown>[] = [];
  if (response !== null && !response.nil) {
    for (const info of response.children) {
      if (info.localName !== "BatchTaskInfo" || info.namespace !== ns) continue;
      const where = `BatchTaskInfo[${tasks.length}]`;
      if (tasks.length === maxTasks) throw new Refusal("too-large", `the response holds more than ${maxTasks} tasks`);
      if (info.nil) throw new Refusal("malformed", `${where} is nil`);
      tasks.push(decodeTask(info, where, reading));
    }
  }
  return { ok: true, tasks, unknown: [...reading.unknown] };
}

/**
 * Decodes a NetServer answer with the given XML parser. `decodeBatchResponse` is this with the Worker's parser;
 * tests and benchmarks pass another parser to compare the two.
 */
export function decodeBatchResponseWith(parse: XmlParser, xml: string, options: DecodeOptions): DecodeResult {
  try {
    return decodeEnvelope(parse(xml), options);
  } catch (error) {
    if (error instanceof Refusal) {
      const { failure, message: detail, exceptionType } = error;
      return exceptionType === undefined ? { ok: false, failure, detail } : { ok: false, failure, detail, exceptionType };
    }
    if (error instanceof MalformedXml) return { ok: false, failure: "malformed", detail: error.message };
    throw error;
  }
}

/**
 * Decodes a NetServer `GetBatchTaskInfosByAssociatesAndState` answer, SOAP 1.1 or 1.2, prefixed or default-namespaced.
 * Pure: reads only its argument; an unreadable answer is a failure result, not an exception.
 */
export function decodeBatchResponse(xml: string, options: DecodeOptions): DecodeResult {
  return decodeBatchResponseWith(parseXml, xml, options);
}
