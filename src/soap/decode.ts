import { DOMParser, type Document, type Element } from "@xmldom/xmldom";
import { NS, OPERATION } from "./namespaces.js";

/**
 * What a NetServer answer says. `tasks` are plain objects in the API's camelCase shape, not yet schema-checked:
 * the caller validates the whole body once. Failures carry a message safe to show callers (never a stack trace).
 */
export type DecodeResult =
  | { ok: true; tasks: Record<string, unknown>[] }
  | { ok: false; failure: "exception" | "fault" | "malformed"; detail: string };

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** Thrown inside the decoder, turned into a `DecodeResult` at its edge. */
class Refusal extends Error {
  constructor(
    readonly failure: "exception" | "fault" | "malformed",
    detail: string,
  ) {
    super(detail);
  }
}

type FieldKind = "int" | "bool" | "string" | "dateTime" | "state" | "dictionary";

/** BatchTaskInfo's elements: the API name, the kind of value, and the .NET default when the element is absent. */
const TASK_FIELDS: Record<string, readonly [name: string, kind: FieldKind]> = {
  Id: ["id", "int"],
  Name: ["name", "string"],
  AssociateId: ["associateId", "int"],
  DetailsTable: ["detailsTable", "int"],
  DetailsRecord: ["detailsRecord", "int"],
  IsSystemTask: ["isSystemTask", "bool"],
  IsInternalTask: ["isInternalTask", "bool"],
  ParameterObject: ["parameterObject", "dictionary"],
  LastStarted: ["lastStarted", "dateTime"],
  Created: ["created", "dateTime"],
  StartCount: ["startCount", "int"],
  DatabaseSerialNumber: ["databaseSerialNumber", "string"],
  Context: ["context", "string"],
  Result: ["result", "string"],
  State: ["state", "state"],
  Description: ["description", "string"],
  Response: ["response", "string"],
  Request: ["request", "string"],
  ProgressDescription: ["progressDescription", "string"],
  ProgressPercent: ["progressPercent", "int"],
};

const ABSENT: Record<FieldKind, unknown> = {
  int: 0,
  bool: false,
  string: null,
  dateTime: null,
  state: "Unknown",
  dictionary: null,
};

/** `0001-01-01T00:00:00` is .NET's `DateTime.MinValue`, NetServer's way of saying "never". */
const NEVER = /^0001-01-01T00:00:00(\.0+)?(Z|[+-]\d\d:\d\d)?$/;
const INTEGER = /^[+-]?\d+$/;

function firstElementChild(element: Element): Element | null {
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE) return node as Element;
  }
  return null;
}

function childElement(parent: Element, namespace: string | null, localName: string): Element | null {
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== ELEMENT_NODE) continue;
    const element = node as Element;
    if (element.localName === localName && element.namespaceURI === namespace) return element;
  }
  return null;
}

function isNil(element: Element): boolean {
  const nil = element.getAttributeNS(NS.xsi, "nil");
  return nil === "true" || nil === "1";
}

/** The character data of a simple-typed element; an element inside one is a contract violation. */
function textOf(element: Element, where: string): string {
  let text = "";
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) text += node.nodeValue ?? "";
    else if (node.nodeType === ELEMENT_NODE) throw new Refusal("malformed", `${where} must hold text, not elements`);
  }
  return text;
}

function optionalText(element: Element | null, where: string): string | null {
  return element === null || isNil(element) ? null : textOf(element, where);
}

function decodeInt(element: Element, where: string): number {
  const text = textOf(element, where).trim();
  if (!INTEGER.test(text)) throw new Refusal("malformed", `${where} is not an integer`);
  return Number(text);
}

function decodeBool(element: Element, where: string): boolean {
  const text = textOf(element, where).trim();
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new Refusal("malformed", `${where} is not an xs:boolean`);
}

function decodeDictionary(element: Element, where: string): Record<string, string | null> {
  const entries = new Map<string, string | null>();
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== ELEMENT_NODE) continue;
    const pair = node as Element;
    if (pair.localName !== "StringKeyValuePair" || pair.namespaceURI !== NS.netserver) continue;
    const keyElement = childElement(pair, NS.netserver, "Key");
    const key = optionalText(keyElement, `${where}.Key`);
    if (key === null) throw new Refusal("malformed", `${where} has a pair without a key`);
    if (entries.has(key)) throw new Refusal("malformed", `${where} repeats the key "${key}"`);
    entries.set(key, optionalText(childElement(pair, NS.netserver, "Value"), `${where}.Value`));
  }
  return Object.fromEntries(entries);
}

function decodeField(kind: FieldKind, element: Element, where: string): unknown {
  if (kind === "string") return optionalText(element, where);
  if (kind === "dictionary") return isNil(element) ? null : decodeDictionary(element, where);
  if (isNil(element)) {
    if (kind === "dateTime") return null;
    throw new Refusal("malformed", `${where} is nil but not nillable`);
  }
  if (kind === "int") return decodeInt(element, where);
  if (kind === "bool") return decodeBool(element, where);
  const text = textOf(element, where).trim();
  return kind === "dateTime" && NEVER.test(text) ? null : text;
}

function decodeTask(info: Element, where: string): Record<string, unknown> {
  const task: Record<string, unknown> = {};
  for (const [name, kind] of Object.values(TASK_FIELDS)) task[name] = ABSENT[kind];
  const seen = new Set<string>();
  for (let node = info.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== ELEMENT_NODE) continue;
    const element = node as Element;
    const localName = element.localName ?? "";
    const field = element.namespaceURI === NS.netserver ? TASK_FIELDS[localName] : undefined;
    if (field === undefined) continue;
    if (seen.has(localName)) throw new Refusal("malformed", `${where} repeats ${localName}`);
    seen.add(localName);
    task[field[0]] = decodeField(field[1], element, `${where}.${localName}`);
  }
  return task;
}

/** NetServer's application-level failure: `Succeeded=false` and/or a non-nil `ExceptionInfo` header. */
function checkHeader(header: Element | null): void {
  if (header === null) return;
  const exceptionInfo = childElement(header, NS.netserver, "ExceptionInfo");
  const succeeded = childElement(header, NS.netserver, "Succeeded");
  const failed = succeeded !== null && !decodeBool(succeeded, "Header.Succeeded");
  if (exceptionInfo !== null && !isNil(exceptionInfo)) {
    const friendly = optionalText(childElement(exceptionInfo, NS.netserver, "FriendlyText"), "ExceptionInfo.FriendlyText");
    const message = optionalText(childElement(exceptionInfo, NS.netserver, "Message"), "ExceptionInfo.Message");
    throw new Refusal("exception", friendly || message || "SuperOffice reported an exception without a message");
  }
  if (failed) throw new Refusal("exception", "SuperOffice reported Succeeded=false without ExceptionInfo");
}

/** SOAP 1.1 `faultstring` or SOAP 1.2 `Reason/Text`. */
function faultMessage(fault: Element, envelopeNs: string): string {
  const text =
    envelopeNs === NS.soap11
      ? optionalText(childElement(fault, null, "faultstring"), "Fault.faultstring")
      : optionalText(
          childElement(childElement(fault, NS.soap12, "Reason") ?? fault, NS.soap12, "Text"),
          "Fault.Reason.Text",
        );
  return text?.trim() || "SuperOffice answered with a SOAP fault without a message";
}

function parse(xml: string): Element {
  let problem = "";
  const parser = new DOMParser({
    locator: false,
    onError: (level, message) => {
      if (level === "warning") return;
      problem ||= message;
      throw new Refusal("malformed", message);
    },
  });
  let document: Document;
  try {
    document = parser.parseFromString(xml, "text/xml");
  } catch {
    throw new Refusal("malformed", `the response is not well-formed XML (${problem || "unreadable"})`);
  }
  if (document.doctype !== null) throw new Refusal("malformed", "a SOAP message must not contain a DOCTYPE");
  const root = document.documentElement;
  if (root === null) throw new Refusal("malformed", "the response is not an XML document");
  return root;
}

function decodeEnvelope(xml: string): Record<string, unknown>[] {
  const envelope = parse(xml);
  const envelopeNs = envelope.namespaceURI;
  if (envelope.localName !== "Envelope" || (envelopeNs !== NS.soap11 && envelopeNs !== NS.soap12)) {
    throw new Refusal("malformed", "the response is not a SOAP envelope");
  }
  const body = childElement(envelope, envelopeNs, "Body");
  if (body === null) throw new Refusal("malformed", "the SOAP envelope has no Body");
  const payload = firstElementChild(body);
  if (payload?.localName === "Fault" && payload.namespaceURI === envelopeNs) {
    throw new Refusal("fault", faultMessage(payload, envelopeNs));
  }
  checkHeader(childElement(envelope, envelopeNs, "Header"));
  if (payload?.localName !== `${OPERATION}Response` || payload.namespaceURI !== NS.netserver) {
    throw new Refusal("malformed", `the SOAP Body does not hold ${OPERATION}Response`);
  }
  const response = childElement(payload, NS.netserver, "Response");
  const tasks: Record<string, unknown>[] = [];
  if (response === null || isNil(response)) return tasks;
  for (let node = response.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== ELEMENT_NODE) continue;
    const info = node as Element;
    if (info.localName !== "BatchTaskInfo" || info.namespaceURI !== NS.netserver) continue;
    const where = `BatchTaskInfo[${tasks.length}]`;
    if (isNil(info)) throw new Refusal("malformed", `${where} is nil`);
    tasks.push(decodeTask(info, where));
  }
  return tasks;
}

/**
 * Decodes a NetServer `GetBatchTaskInfosByAssociatesAndState` answer, SOAP 1.1 or 1.2, prefixed or default-namespaced.
 * Pure: reads only its argument; an unreadable answer is a failure result, not an exception.
 */
export function decodeBatchResponse(xml: string): DecodeResult {
  try {
    return { ok: true, tasks: decodeEnvelope(xml) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, failure: error.failure, detail: error.message };
    throw error;
  }
}
