import { BATCH_TASK_STATES, CANCELLATION_BEHAVIOURS } from "../model/batch-task.js";
import { type Contract, NS, OPERATION } from "./namespaces.js";
import { MalformedXml, type XmlElement } from "./xml-tree.js";

/**
 * The decoding rules every decoder shares: what a NetServer answer means, whichever way its text was read. The tree
 * decoders (saxes, xmldom) apply them to a whole `XmlElement` tree; the one-pass decoder (one-pass.ts) applies the same
 * functions to the envelope's small tree and, task by task, to the values it reads inline. One copy of each rule is
 * what keeps their results, refusals and messages identical.
 */

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
  | { ok: false; failure: DecodeFailure; detail: string; exceptionType?: string; friendlyText?: string };

/** What the decoder needs beyond the text: the contract's namespace, and the most tasks an answer may hold. */
export type DecodeOptions = { contract: Contract; maxTasks: number };

/**
 * Thrown inside a decoder, turned into a `DecodeResult` at its edge by `refusing`. For an exception, `detail` is
 * SuperOffice's fullest text (for the log), `friendlyText` its `FriendlyText`, the only text meant for end users.
 */
export class Refusal extends Error {
  constructor(
    readonly failure: DecodeFailure,
    detail: string,
    readonly exceptionType?: string,
    readonly friendlyText?: string,
  ) {
    super(detail);
  }
}

export type FieldKind = "int" | "bool" | "string" | "dateTime" | "state" | "cancellation" | "dictionary";

/** One `BatchTaskInfo` member: its element name, API name, kind of value and bit in a task's "seen" mask. */
export type Field = {
  readonly element: string;
  readonly name: string;
  readonly kind: FieldKind;
  /** The field's place in TASK_FIELDS (and in `taskOf`'s values). */
  readonly index: number;
  readonly bit: number;
};

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

export const TASK_FIELDS: readonly Field[] = TASK_ELEMENTS.map(([element, name, kind], index) => ({
  element,
  name,
  kind,
  index,
  bit: 1 << index,
}));

const FIELD_BY_ELEMENT = new Map<string, Field>(TASK_FIELDS.map((field) => [field.element, field]));

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

/** Every field's value when its element is absent, in TASK_FIELDS order; a task's values start as a copy. */
export const ABSENT_VALUES: readonly unknown[] = TASK_FIELDS.map(({ kind }) => ABSENT[kind]);

/**
 * A task from its values in TASK_FIELDS order. One object literal, so every task has the same shape (faster to build,
 * validate and serialise than keyed stores); test/soap/one-pass.test.ts checks it names TASK_FIELDS in order.
 */
export function taskOf(values: readonly unknown[]): Record<string, unknown> {
  return {
    id: values[0],
    name: values[1],
    associateId: values[2],
    detailsTable: values[3],
    detailsRecord: values[4],
    isSystemTask: values[5],
    isInternalTask: values[6],
    parameterObject: values[7],
    lastStarted: values[8],
    created: values[9],
    startCount: values[10],
    databaseSerialNumber: values[11],
    context: values[12],
    result: values[13],
    state: values[14],
    description: values[15],
    response: values[16],
    request: values[17],
    progressDescription: values[18],
    progressPercent: values[19],
    fileName: values[20],
    cancellationBehaviour: values[21],
  };
}

/** `0001-01-01T00:00:00` is .NET's `DateTime.MinValue`, NetServer's way of saying "never". */
const NEVER = /^0001-01-01T00:00:00(\.0+)?(Z|[+-]\d\d:\d\d)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Enum values a task may carry; `All` is only a filter. */
const KNOWN_STATES: ReadonlySet<string> = new Set(BATCH_TASK_STATES.filter((state) => state !== "All"));
const KNOWN_CANCELLATION: ReadonlySet<string> = new Set(CANCELLATION_BEHAVIOURS);
const STATE_NAMES: readonly string[] = [...KNOWN_STATES];

/**
 * The known state `text` names, as the one shared string of that name, or undefined. A few comparisons (most stop at
 * the length) cost less than hashing a fresh slice of the answer for a set lookup, and the shared string serialises
 * faster than a slice of the answer (BENCHMARKS.md section 2).
 */
export function knownState(text: string): string | undefined {
  for (const name of STATE_NAMES) if (name === text) return name;
  return undefined;
}

/** One decode's state: the contract's namespace and the unknown enum values met so far. */
export type Reading = { readonly ns: string; readonly unknown: Set<string> };

/** The refusal for a simple-typed element that holds elements. */
export function holdsElements(where: string): Refusal {
  return new Refusal("malformed", `${where} must hold text, not elements`);
}

export function nilNotNillable(where: string): Refusal {
  return new Refusal("malformed", `${where} is nil but not nillable`);
}

function childElement(parent: XmlElement, namespace: string | null, localName: string): XmlElement | null {
  for (const element of parent.children) {
    if (element.localName === localName && element.namespace === namespace) return element;
  }
  return null;
}

/** The character data of a simple-typed element; an element inside one is a contract violation. */
function textOf(element: XmlElement, where: string): string {
  if (element.children.length > 0) throw holdsElements(where);
  return element.text;
}

function optionalText(element: XmlElement | null, where: string): string | null {
  return element === null || element.nil ? null : textOf(element, where);
}

function decodeInt(text: string, where: string): number {
  const trimmed = text.trim();
  if (!INTEGER.test(trimmed)) throw new Refusal("malformed", `${where} is not an integer`);
  return Number(trimmed);
}

function decodeBool(text: string, where: string): boolean {
  const trimmed = text.trim();
  if (trimmed === "true" || trimmed === "1") return true;
  if (trimmed === "false" || trimmed === "0") return false;
  throw new Refusal("malformed", `${where} is not an xs:boolean`);
}

/** An enum value: kept when known, else noted in `unknown` and replaced by `fallback`. */
function enumValue(text: string, known: ReadonlySet<string>, fallback: string | null, element: string, reading: Reading) {
  if (known.has(text)) return text;
  reading.unknown.add(`${element}=${text}`);
  return fallback;
}

/** A dateTime's text as written (trimmed), or `null` for "never". */
export function dateTimeValue(text: string): string | null {
  // The common case cannot be "never" and has nothing to trim: it starts with a digit other than 0 (a year after 999)
  // and ends with a digit or `Z`. No trim, no pattern.
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (first > 0x30 && first <= 0x39 && ((last >= 0x30 && last <= 0x39) || last === 0x5a)) return text;
  const trimmed = text.trim();
  return NEVER.test(trimmed) ? null : trimmed;
}

/**
 * The value of a present, non-nil element of a scalar kind (not `string`, not `dictionary`) from its text.
 * `element` is the element's local name, for the `unknown` list.
 */
export function scalarValue(kind: FieldKind, text: string, where: string, element: string, reading: Reading): unknown {
  if (kind === "int") return decodeInt(text, where);
  if (kind === "bool") return decodeBool(text, where);
  if (kind === "state") return enumValue(text.trim(), KNOWN_STATES, "Unknown", element, reading);
  if (kind === "cancellation") return enumValue(text.trim(), KNOWN_CANCELLATION, null, element, reading);
  return dateTimeValue(text);
}

/** A `StringDictionary` as decoded: own enumerable data properties, in document order. */
export type Dictionary = Record<string, string | null>;

/** The key of one dictionary pair (its first `Key`'s text, or null): refused when missing or repeated. */
export function dictionaryKey(key: string | null, dictionary: Dictionary, where: string): string {
  if (key === null) throw new Refusal("malformed", `${where} has a pair without a key`);
  if (Object.hasOwn(dictionary, key)) throw new Refusal("malformed", `${where} repeats the key "${key}"`);
  return key;
}

/**
 * Adds an entry as `Object.fromEntries` would (an own data property), without the Map a `fromEntries` needs:
 * assignment creates the same property for every key but `__proto__`, which assignment would treat as the prototype.
 */
export function addEntry(dictionary: Dictionary, key: string, value: string | null): void {
  if (key === "__proto__")
    Object.defineProperty(dictionary, key, { value, writable: true, enumerable: true, configurable: true });
  else dictionary[key] = value;
}

function decodeDictionary(element: XmlElement, where: string, ns: string): Dictionary {
  const dictionary: Dictionary = {};
  for (const pair of element.children) {
    if (pair.localName !== "StringKeyValuePair" || pair.namespace !== ns) continue;
    const key = dictionaryKey(optionalText(childElement(pair, ns, "Key"), `${where}.Key`), dictionary, where);
    addEntry(dictionary, key, optionalText(childElement(pair, ns, "Value"), `${where}.Value`));
  }
  return dictionary;
}

function decodeField(field: Field, element: XmlElement, where: string, reading: Reading): unknown {
  const { kind } = field;
  if (kind === "string") return optionalText(element, where);
  if (kind === "dictionary") return element.nil ? null : decodeDictionary(element, where, reading.ns);
  if (element.nil) {
    if (kind === "dateTime") return null;
    throw nilNotNillable(where);
  }
  return scalarValue(kind, textOf(element, where), where, element.localName, reading);
}

function decodeTask(info: XmlElement, where: string, reading: Reading): Record<string, unknown> {
  const values = [...ABSENT_VALUES];
  let seen = 0;
  for (const element of info.children) {
    const field = element.namespace === reading.ns ? FIELD_BY_ELEMENT.get(element.localName) : undefined;
    if (field === undefined) continue;
    if ((seen & field.bit) !== 0) throw repeatedField(where, element.localName);
    seen |= field.bit;
    values[field.index] = decodeField(field, element, `${where}.${element.localName}`, reading);
  }
  return taskOf(values);
}

export function repeatedField(where: string, element: string): Refusal {
  return new Refusal("malformed", `${where} repeats ${element}`);
}

export function tooManyTasks(maxTasks: number): Refusal {
  return new Refusal("too-large", `the response holds more than ${maxTasks} tasks`);
}

export function nilTask(where: string): Refusal {
  return new Refusal("malformed", `${where} is nil`);
}

/** The tasks of a non-nil `Response` element of a whole tree. */
export function tasksOfTree(response: XmlElement, reading: Reading, maxTasks: number): Record<string, unknown>[] {
  const tasks: Record<string, unknown>[] = [];
  for (const info of response.children) {
    if (info.localName !== "BatchTaskInfo" || info.namespace !== reading.ns) continue;
    const where = `BatchTaskInfo[${tasks.length}]`;
    if (tasks.length === maxTasks) throw tooManyTasks(maxTasks);
    if (info.nil) throw nilTask(where);
    tasks.push(decodeTask(info, where, reading));
  }
  return tasks;
}

const EXCEPTION_WITHOUT_TEXT = "SuperOffice reported an exception without a message";

/** NetServer's application-level failure: `Succeeded=false` and/or a non-nil `ExceptionInfo` header. */
function checkHeader(header: XmlElement | null, ns: string): void {
  if (header === null) return;
  const exceptionInfo = childElement(header, ns, "ExceptionInfo");
  const succeeded = childElement(header, ns, "Succeeded");
  const failed = succeeded !== null && !decodeBool(textOf(succeeded, "Header.Succeeded"), "Header.Succeeded");
  if (exceptionInfo !== null && !exceptionInfo.nil) {
    const friendly = optionalText(childElement(exceptionInfo, ns, "FriendlyText"), "ExceptionInfo.FriendlyText");
    const message = optionalText(childElement(exceptionInfo, ns, "Message"), "ExceptionInfo.Message");
    const type = optionalText(childElement(exceptionInfo, ns, "ExceptionType"), "ExceptionInfo.ExceptionType")?.trim();
    // The fullest text, for the log: the technical Message with FriendlyText (which alone may reach callers).
    const detail =
      friendly && message && friendly !== message ? `${friendly} (${message})` : friendly || message || EXCEPTION_WITHOUT_TEXT;
    throw new Refusal("exception", detail, type || undefined, friendly || undefined);
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

/**
 * Reads an envelope. `readTasks` turns the (non-nil) `Response` element into tasks: from its children for a tree
 * decoder, or the tasks a one-pass decoder already read. The order of the checks is the order of the refusals:
 * envelope shape, Body, Fault, Header, operation, then the tasks.
 */
export function decodeEnvelope(
  envelope: XmlElement,
  reading: Reading,
  readTasks: (response: XmlElement) => Record<string, unknown>[],
): DecodeResult {
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
  const tasks = response !== null && !response.nil ? readTasks(response) : [];
  return { ok: true, tasks, unknown: [...reading.unknown] };
}

/** The `encoding` an XML declaration names, if it names one. */
const DECLARED_ENCODING = /^<\?xml[ \t\r\n][^?]*?\bencoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/;

/**
 * The text reached the decoder as UTF-8 (src/upstream/body.ts refuses any other HTTP charset and invalid bytes), so an
 * XML declaration naming another encoding (`ISO-8859-1`, `UTF-16`) says the bytes meant something else: reading them
 * as UTF-8 would mangle every non-ASCII character silently. Such an answer is refused; UTF-8 and its subset US-ASCII
 * are true. Every decoder's entry applies it first, so they all agree.
 */
export function declaresAnotherEncoding(xml: string): DecodeResult | null {
  const encoding = DECLARED_ENCODING.exec(xml)?.[2];
  if (encoding === undefined || /^(?:utf-?8|us-ascii)$/i.test(encoding)) return null;
  return {
    ok: false,
    failure: "malformed",
    detail: `the response declares the encoding "${encoding.slice(0, 40)}", but was sent as UTF-8; only UTF-8 is accepted`,
  };
}

export function newReading(options: DecodeOptions): Reading {
  return { ns: options.contract.namespace, unknown: new Set() };
}

/** Runs a decoder, turning its refusals (and a parser's `MalformedXml`) into a failure result; rethrows bugs. */
export function refusing(decode: () => DecodeResult): DecodeResult {
  try {
    return decode();
  } catch (error) {
    if (error instanceof Refusal) {
      const { failure, message: detail, exceptionType, friendlyText } = error;
      return {
        ok: false,
        failure,
        detail,
        ...(exceptionType === undefined ? {} : { exceptionType }),
        ...(friendlyText === undefined ? {} : { friendlyText }),
      };
    }
    if (error instanceof MalformedXml) return { ok: false, failure: "malformed", detail: error.message };
    throw error;
  }
}
