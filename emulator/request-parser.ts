import { DOMParser, type Document, type Element, type Node } from "@xmldom/xmldom";
import { BATCH_TASK_STATES, type BatchTaskState } from "../src/model/batch-task.js";
import { CONTRACTS, type Contract, NS, OPERATION } from "../src/soap/namespaces.js";
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

function operationOf(envelope: Element, ns: string): Element {
  const body = child(envelope, NS.soap11, "Body");
  if (body === null) throw new RequestFault(soapClientFault("The SOAP 1.1 Envelope has no Body element."));
  const operation = child(body, ns, OPERATION);
  if (operation !== null) return operation;
  const found = childElements(body)[0];
  const foundText =
    found === undefined
      ? "node type 'EndElement'"
      : `node type 'Element' with name '${found.localName ?? ""}' and namespace '${found.namespaceURI ?? ""}'`;
  throw new RequestFault(
    deserializationFailed(
      `OperationFormatter encountered an invalid Message body. Expected to find node type 'Element' with name '${OPERATION}' and namespace '${ns}'. Found ${foundText}`,
    ),
  );
}

function parseInt32(raw: string, ns: string): number {
  const trimmed = raw.trim();
  const value = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new RequestFault(
      deserializationFailed(
        `There was an error while trying to deserialize parameter ${ns}:AssociateIds. The InnerException message was 'The value '${raw}' cannot be parsed as the type 'Int32'.'.  Please see InnerException for more details.`,
      ),
    );
  }
  return value;
}

function associateIdsOf(operation: Element, ns: string): number[] | null {
  const ids = child(operation, ns, "AssociateIds");
  if (ids === null || isNil(ids)) return null;
  return childElements(ids).map((item) => {
    if (item.namespaceURI !== NS.arrays || item.localName !== "int") {
      throw new RequestFault(
        deserializationFailed(
          `There was an error while trying to deserialize parameter ${ns}:AssociateIds. The InnerException message was 'Expecting element 'int' from namespace '${NS.arrays}'.. Encountered 'Element'  with name '${item.localName ?? ""}', namespace '${item.namespaceURI ?? ""}'. '.  Please see InnerException for more details.`,
        ),
      );
    }
    return parseInt32(item.textContent ?? "", ns);
  });
}

/** Whether the contract's `BatchTaskState` has the value: Services85's lacks Services88's `SucceededManualCleanup`. */
function isStateFilter(value: string, contract: Contract): value is BatchTaskStateFilter {
  if (contract.version === "85" && value === "SucceededManualCleanup") return false;
  return (BATCH_TASK_STATES as readonly string[]).includes(value);
}

function stateOf(operation: Element, contract: Contract): BatchTaskStateFilter {
  const ns = contract.namespace;
  const raw = textOf(child(operation, ns, "State"));
  if (raw === null) return "Unknown";
  const value = raw.trim();
  if (isStateFilter(value, contract)) return value;
  throw new RequestFault(
    deserializationFailed(
      `There was an error while trying to deserialize parameter ${ns}:State. The InnerException message was 'Invalid enum value '${raw}' cannot be deserialized into type 'SuperOffice.CRM.BatchTaskState'. Ensure that the necessary enum values are present and are marked with EnumMemberAttribute attribute if the type has DataContractAttribute attribute.'.  Please see InnerException for more details.`,
    ),
  );
}

function readRequest(xml: string, contract: Contract): BatchRequest {
  const ns = contract.namespace;
  const envelope = envelopeOf(parseDocument(xml));
  const header = child(envelope, NS.soap11, "Header");
  const operation = operationOf(envelope, ns);
  return {
    applicationToken: textOf(child(header, ns, "ApplicationToken")),
    ticket: textOf(child(child(header, ns, "Credentials"), ns, "Ticket")),
    associateIds: associateIdsOf(operation, ns),
    state: stateOf(operation, contract),
  };
}

/**
 * Parses a SOAP 1.1 GetBatchTaskInfosByAssociatesAndState request (namespace-aware) of the contract the endpoint
 * serves (Services85 unless told otherwise): elements in another contract's namespace are not found, as in WCF.
 */
export function parseBatchRequest(xml: string, contract: Contract = CONTRACTS["85"]): ParseResult {
  try {
    return { ok: true, request: readRequest(xml, contract) };
  } catch (error) {
    if (error instanceof RequestFault) return { ok: false, fault: error.fault };
    throw error;
  }
}
