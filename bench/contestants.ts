import { fileURLToPath } from "node:url";
import { DOMParser } from "@xmldom/xmldom";
import soap from "soap";
import * as v from "valibot";
import { BatchTaskSchema, BatchTasksBodySchema } from "../src/model/batch-task.js";
import { type DecodeResult, decodeBatchResponse, decodeBatchResponseWith } from "../src/soap/decode.js";
import { CONTRACTS } from "../src/soap/namespaces.js";
import { parseWithSaxes } from "../src/soap/xml-saxes.js";
import { parseWithXmldom } from "../src/soap/xml-xmldom.js";
import type { Workload } from "./measure.js";
import { FETCHED_AT } from "./workload.js";

/** The upstream WSDL node-soap builds its client from. */
export const WSDL_PATH = fileURLToPath(new URL("../../shared/reference/Services85-Batch.wsdl", import.meta.url));

/** What each contestant does with the XML text, for the report. */
export const CONTESTANT_WORK: Record<ContestantName, string> = {
  ours: "the Worker's miss path: `decodeBatchResponse` (one pass, each task as WCF writes it matched by the task pattern; saxes for what it declines) → valibot `BatchTasksBodySchema` (with its fast path) → `JSON.stringify`",
  saxes:
    "the miss path before issue 9: the saxes tree decoder (`parseWithSaxes`) → plain valibot (the task schema without its fast path) → `JSON.stringify`",
  xmldom: "the same pipeline with the xmldom parser (`parseWithXmldom`: DOMParser, `locator: false`, one DOM walk)",
  "xmldom parse only": "`new DOMParser({ locator: false }).parseFromString(xml)` alone: the floor of any xmldom decoder",
  "node-soap":
    "`client.wsdl.xmlToObject(xml)` on a client made from Services85-Batch.wsdl (parse + WSDL-typed objects; no validation, no JSON)",
  "JSON.parse floor": "`JSON.parse` of our own output (the JSON body), the runtime's floor for turning bytes into objects",
};

export type ContestantName = "ours" | "saxes" | "xmldom" | "xmldom parse only" | "node-soap" | "JSON.parse floor";

/** How the Worker decodes a Services85 answer with its default limits. */
const DECODE_85 = { contract: CONTRACTS["85"], maxTasks: 10_000 };

/** The body schema without its fast path: plain valibot, as the pipeline validated before issue 9. */
const PlainBodySchema = v.strictObject({ ...BatchTasksBodySchema.entries, tasks: v.array(BatchTaskSchema) });

function toBody(result: DecodeResult, schema: typeof BatchTasksBodySchema = BatchTasksBodySchema): string {
  if (!result.ok) throw new Error(`the benchmark input did not decode: ${result.failure}: ${result.detail}`);
  return JSON.stringify(v.parse(schema, { tasks: result.tasks, fetchedAt: FETCHED_AT }));
}

/** Our miss path on `xml`: decode, validate, serialise (what is cached and sent). */
export function ourBody(xml: string): string {
  return toBody(decodeBatchResponse(xml, DECODE_85));
}

/** The miss path before issue 9: the saxes tree decoder and plain valibot. */
export function saxesBody(xml: string): string {
  return toBody(decodeBatchResponseWith(parseWithSaxes, xml, DECODE_85), PlainBodySchema);
}

/** The same miss path with the xmldom parser. */
export function xmldomBody(xml: string): string {
  return toBody(decodeBatchResponseWith(parseWithXmldom, xml, DECODE_85));
}

/** A node-soap client for the Batch service, made once from the WSDL file. */
export async function soapDecoder(): Promise<(xml: string) => unknown> {
  const client = await soap.createClientAsync(WSDL_PATH);
  return (xml) => client.wsdl.xmlToObject(xml);
}

/** The workloads for one response, all decoding the same bytes. */
export function contestants(
  xml: string,
  soapDecode: (xml: string) => unknown,
  names: readonly ContestantName[],
): Record<string, Workload> {
  const json = ourBody(xml);
  const all: Record<ContestantName, Workload> = {
    ours: () => ourBody(xml),
    saxes: () => saxesBody(xml),
    xmldom: () => xmldomBody(xml),
    "xmldom parse only": () => new DOMParser({ locator: false, onError: () => undefined }).parseFromString(xml, "text/xml"),
    "node-soap": () => soapDecode(xml),
    "JSON.parse floor": () => JSON.parse(json),
  };
  return Object.fromEntries(names.map((name) => [name, all[name]]));
}
