import { DOMParser, type Document, type Element, type Node } from "@xmldom/xmldom";
import { BATCH_TASK_STATES, type BatchTaskState } from "../src/model/batch-task.js";
import { CONTRACTS, NS, OPERATION } from "../src/soap/namespaces.js";

/** Services85 until the emulator serves both contracts. */
const SERVICES85_NS = CONTRACTS["85"].namespace;

import { deserializationFailed, notWellFormed, soapClientFault, versionMismatch } from "./errors.js";
import type { SoapFault } from "./xml-writer.js";

/** The state filter of a request: a concrete state, or "All" for any state. */
export type BatchTaskStateFilter = BatchTaskState;

/** What the emulator reads from a GetBatchTaskInfosByAssociatesAndState request. */
export interface BatchRequest {
  /** `ApplicationToken` header text; null when absent or nil. */
  readonly applicationToken: string | null;
  /** `Credentials/Ticket` header text; null when absent or nil. */
  readonly ticket: string | null;
  /** `AssociateIds/int` values; null when the element is absent or nil. */
  readonly associateIds: readonly number[] | null;
  /** `State`; "Unknown" (the enum default) when absent. */
  readonly state: BatchTaskStateFilter;
}

/** Outcome of parsing: the request, or the SOAP fault WCF would answer with. */
export type ParseResult =
  | { readonly ok: true; readonly request: BatchRequest }
  | { readonly ok: false; readonly fault: SoapFault };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

class RequestFault extends Error {
  constructor(readonly fault: SoapFault) {
    super(fault.reason);
  }
}

function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

function childElements(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter(isElement);
}

function child(parent: Element | null, namespace: string, localName: string): Element | null {
  if (parent === null) return null;
  return childElements(parent).find((el) => el.namespaceURI === namespace && el.localName === localName) ?? null;
}

function isNil(el: Element): boolean {
  const value = el.getAttributeNS(NS.xsi, "nil");
  return value === "true" || value === "1";
}

function textOf(el: Element | null): string | null {
  if (el === null || isNil(el)) return null;
  return el.textContent ?? "";
}

function parseDocument(xml: string): Document {
  let firstError: string | null = null;
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level === "warning") return;
      firstError ??= message;
      throw new Error(message);
    },
  });
  try {
    return parser.parseFromString(xml, "text/xml");
  } catch (error) {
    throw new RequestFault(notWellFormed(firstError ?? (error instanceof Error ? error.message : String(error))));
  }
}

function envelopeOf(doc: Document): Element {
  const root = doc.documentElement;
  if (root === null) throw new RequestFault(notWellFormed("missing root element"));
  if (root.localName === "Envelope" && root.namespaceURI === NS.soap12) throw new RequestFault(versionMismatch());
  if (root.localName !== "Envelope" || root.namespaceURI !== NS.soap11) {
    throw new RequestFault(
      soapClientFault(`The root element {${root.namespaceURI ?? ""}}${root.localName ?? ""} is not a SOAP 1.1 Envelope.`),
    );
  }
  return root;
}

function operationOf(envelope: Element): Element {
  const body = child(envelope, NS.soap11, "Body");
  if (body === null) throw new RequestFault(soapClientFault("The SOAP 1.1 Envelope has no Body element."));
  const operation = child(body, SERVICES85_NS, OPERATION);
  if (operation !== null) return operation;
  const found = childElements(body)[0];
  const foundText =
    found === undefined
      ? "node type 'EndElement'"
      : `node type 'Element' with name '${found.localName ?? ""}' and namespace '${found.namespaceURI ?? ""}'`;
  throw new RequestFault(
    deserializationFailed(
      `OperationFormatter encountered an invalid Message body. Expected to find node type 'Element' with name '${OPERATION}' and namespace '${SERVICES85_NS}'. Found ${foundText}`,
    ),
  );
}

function parseInt32(raw: string): number {
  const trimmed = raw.trim();
  const value = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new RequestFault(
      deserializationFailed(
        `There was an error while trying to deserialize parameter ${SERVICES85_NS}:AssociateIds. The InnerException message was 'The value '${raw}' cannot be parsed as the type 'Int32'.'.  Please see InnerException for more details.`,
      ),
    );
  }
  return value;
}

function associateIdsOf(operation: Element): number[] | null {
  const ids = child(operation, SERVICES85_NS, "AssociateIds");
  if (ids === null || isNil(ids)) return null;
  return childElements(ids).map((item) => {
    if (item.namespaceURI !== NS.arrays || item.localName !== "int") {
      throw new RequestFault(
        deserializationFailed(
          `There was an error while trying to deserialize parameter ${SERVICES85_NS}:AssociateIds. The InnerException message was 'Expecting element 'int' from namespace '${NS.arrays}'.. Encountered 'Element'  with name '${item.localName ?? ""}', namespace '${item.namespaceURI ?? ""}'. '.  Please see InnerException for more details.`,
        ),
      );
    }
    return parseInt32(item.textContent ?? "");
  });
}

function isStateFilter(value: string): value is BatchTaskStateFilter {
  return (BATCH_TASK_STATES as readonly string[]).includes(value);
}

function stateOf(operation: Element): BatchTaskStateFilter {
  const raw = textOf(child(operation, SERVICES85_NS, "State"));
  if (raw === null) return "Unknown";
  const value = raw.trim();
  if (isStateFilter(value)) return value;
  throw new RequestFault(
    deserializationFailed(
      `There was an error while trying to deserialize parameter ${SERVICES85_NS}:State. The InnerException message was 'Invalid enum value '${raw}' cannot be deserialized into type 'SuperOffice.CRM.BatchTaskState'. Ensure that the necessary enum values are present and are marked with EnumMemberAttribute attribute if the type has DataContractAttribute attribute.'.  Please see InnerException for more details.`,
    ),
  );
}

function readRequest(xml: string): BatchRequest {
  const envelope = envelopeOf(parseDocument(xml));
  const header = child(envelope, NS.soap11, "Header");
  const operation = operationOf(envelope);
  return {
    applicationToken: textOf(child(header, SERVICES85_NS, "ApplicationToken")),
    ticket: textOf(child(child(header, SERVICES85_NS, "Credentials"), SERVICES85_NS, "Ticket")),
    associateIds: associateIdsOf(operation),
    state: stateOf(operation),
  };
}

/** Parses a SOAP 1.1 GetBatchTaskInfosByAssociatesAndState request (namespace-aware). */
export function parseBatchRequest(xml: string): ParseResult {
  try {
    return { ok: true, request: readRequest(xml) };
  } catch (error) {
    if (error instanceof RequestFault) return { ok: false, fault: error.fault };
    throw error;
  }
}
