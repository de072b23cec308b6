import { CONTRACTS, type Contract, NS, OPERATION } from "../src/soap/namespaces.js";
import type { SeedFieldProperty, SeedRight, SeedStringPair, SeedTask } from "./seed.js";

/** The contract every writer uses unless told otherwise: Services85, the Worker's default. */
const SERVICES85 = CONTRACTS["85"];

/** A NetServer `SoExceptionInfo`, written into the `ExceptionInfo` response header. */
export interface SoExceptionInfo {
  readonly message: string;
  readonly stackTrace: string;
  readonly friendlyText: string;
  readonly exceptionType: string;
  readonly source: string;
}

/** A SOAP 1.1 fault code: the envelope's own `s:` code, or a code in another namespace (bound to `a:`). */
export type FaultCode =
  | { readonly kind: "soap"; readonly local: "Client" | "Server" | "VersionMismatch" }
  | { readonly kind: "qualified"; readonly namespace: string; readonly local: string };

/** A SOAP 1.1 fault as WCF writes it. */
export interface SoapFault {
  readonly code: FaultCode;
  readonly reason: string;
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': "&quot;",
  "'": "&apos;",
  "\n": "&#xA;",
  "\t": "&#x9;",
};

/** Escapes character data; `\r` becomes `&#xD;` so it survives parsing, as .NET writes it. */
export function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (ch) => TEXT_ESCAPES[ch] ?? ch);
}

/** Escapes an attribute value delimited by double quotes. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"'\r\n\t]/g, (ch) => ATTRIBUTE_ESCAPES[ch] ?? ch);
}

function xmlns(prefix: string | null, uri: string): string {
  return `${prefix === null ? "xmlns" : `xmlns:${prefix}`}="${escapeAttribute(uri)}"`;
}

function element(name: string, content: string, attributes = ""): string {
  const open = attributes === "" ? name : `${name} ${attributes}`;
  return content === "" ? `<${open}/>` : `<${open}>${content}</${name}>`;
}

function nil(name: string, attributes = ""): string {
  return element(name, "", attributes === "" ? 'i:nil="true"' : `i:nil="true" ${attributes}`);
}

function text(name: string, value: string | null): string {
  return value === null ? nil(name) : element(name, escapeText(value));
}

function optionalText(name: string, value: string | null): string {
  return value === null ? "" : element(name, escapeText(value));
}

function scalar(name: string, value: number | boolean): string {
  return element(name, String(value));
}

function right(name: string, value: SeedRight | null): string {
  return value === null ? nil(name) : element(name, element("Mask", escapeText(value.mask)) + text("Reason", value.reason));
}

function fieldPropertyPair(property: SeedFieldProperty): string {
  const value =
    right("FieldRight", property.fieldRight) +
    text("FieldType", property.fieldType) +
    scalar("FieldLength", property.fieldLength);
  return element("FieldPropertyDictionaryKeyValuePair", text("Key", property.key) + element("Value", value));
}

function fieldProperties(properties: readonly SeedFieldProperty[] | null): string {
  return properties === null ? nil("FieldProperties") : element("FieldProperties", properties.map(fieldPropertyPair).join(""));
}

function stringDictionary(name: string, pairs: readonly SeedStringPair[] | null): string {
  if (pairs === null) return nil(name);
  const content = pairs.map((pair) => element("StringKeyValuePair", text("Key", pair.key) + text("Value", pair.value)));
  return element(name, content.join(""));
}

/** Services88's members after `ProgressPercent`; a Services85 server has none. */
function services88Members(task: SeedTask, contract: Contract): string[] {
  if (contract.version === "85") return [];
  const cancellation = task.cancellationBehaviour === null ? "" : element("CancellationBehaviour", task.cancellationBehaviour);
  return [text("FileName", task.fileName), cancellation];
}

/** Writes one `BatchTaskInfo` with its members in WSDL order (Carrier members first) for the contract. */
export function batchTaskInfo(task: SeedTask, contract: Contract = SERVICES85): string {
  const members = [
    right("TableRight", task.tableRight),
    fieldProperties(task.fieldProperties),
    scalar("Id", task.id),
    text("Name", task.name),
    scalar("AssociateId", task.associateId),
    scalar("DetailsTable", task.detailsTable),
    scalar("DetailsRecord", task.detailsRecord),
    scalar("IsSystemTask", task.isSystemTask),
    scalar("IsInternalTask", task.isInternalTask),
    stringDictionary("ParameterObject", task.parameterObject),
    optionalText("LastStarted", task.lastStarted),
    optionalText("Created", task.created),
    scalar("StartCount", task.startCount),
    text("DatabaseSerialNumber", task.databaseSerialNumber),
    text("Context", task.context),
    text("Result", task.result),
    element("State", task.state),
    text("Description", task.description),
    text("Response", task.response),
    text("Request", task.request),
    text("ProgressDescription", task.progressDescription),
    scalar("ProgressPercent", task.progressPercent),
    ...services88Members(task, contract),
  ];
  return element("BatchTaskInfo", members.join(""));
}

function headerNamespaces(contract: Contract): string {
  return `${xmlns(null, contract.namespace)} ${xmlns("i", NS.xsi)}`;
}

function exceptionInfoHeader(info: SoExceptionInfo | null, contract: Contract): string {
  const namespaces = headerNamespaces(contract);
  if (info === null) return nil("ExceptionInfo", namespaces);
  const members =
    text("Message", info.message) +
    text("StackTrace", info.stackTrace) +
    text("FriendlyText", info.friendlyText) +
    text("ExceptionType", info.exceptionType) +
    text("Source", info.source) +
    nil("InnerException") +
    element("Parameters", "");
  return element("ExceptionInfo", members, namespaces);
}

function responseHeader(info: SoExceptionInfo | null, contract: Contract): string {
  const namespaces = headerNamespaces(contract);
  return element(
    "s:Header",
    exceptionInfoHeader(info, contract) +
      nil("ExtraInfo", namespaces) +
      element("Succeeded", String(info === null), xmlns(null, contract.namespace)) +
      nil("TimeZone", namespaces),
  );
}

function envelope(header: string, body: string): string {
  return element("s:Envelope", header + element("s:Body", body), xmlns("s", NS.soap11));
}

function operationResponse(response: string, contract: Contract): string {
  return element(`${OPERATION}Response`, response, xmlns(null, contract.namespace));
}

/**
 * A successful response (`Succeeded` true) carrying the given tasks, in WCF's serialisation of the contract
 * (Services85 unless told otherwise). Writes what it is given: choosing the tasks a contract can describe is the
 * caller's business (`filterTasks`).
 */
export function successEnvelope(tasks: readonly SeedTask[], contract: Contract = SERVICES85): string {
  const response = element("Response", tasks.map((task) => batchTaskInfo(task, contract)).join(""), xmlns("i", NS.xsi));
  return envelope(responseHeader(null, contract), operationResponse(response, contract));
}

/** A NetServer-level failure: HTTP 200, `Succeeded` false, `ExceptionInfo` filled, nil `Response`. */
export function exceptionEnvelope(info: SoExceptionInfo, contract: Contract = SERVICES85): string {
  return envelope(responseHeader(info, contract), operationResponse(nil("Response", xmlns("i", NS.xsi)), contract));
}

function faultCode(code: FaultCode): string {
  return code.kind === "soap"
    ? element("faultcode", `s:${code.local}`)
    : element("faultcode", `a:${escapeText(code.local)}`, xmlns("a", code.namespace));
}

/** A SOAP 1.1 `s:Fault` envelope (sent with HTTP 500). */
export function faultEnvelope(fault: SoapFault): string {
  const body = element("s:Fault", faultCode(fault.code) + element("faultstring", escapeText(fault.reason), 'xml:lang="en-US"'));
  return element("s:Envelope", element("s:Body", body), xmlns("s", NS.soap11));
}
