import type { BatchQuery } from "../model/batch-query.js";
import { type Contract, NS, OPERATION } from "./namespaces.js";
import { escapeXml } from "./xml-escape.js";

export type Credentials = {
  ticket: string;
  applicationToken: string | undefined;
};

/** The SOAP 1.1 request, ready for `fetch`: WCF BasicHttpBinding wants exactly these two headers. */
export type SoapRequest = {
  headers: { "Content-Type": string; SOAPAction: string };
  body: string;
};

/**
 * Builds the SOAP 1.1 envelope for `GetBatchTaskInfosByAssociatesAndState` in the contract's namespace, with `ApplicationToken` (only when set)
 * and `Credentials/Ticket` inside `<s:Header>`. Pure: same input, same bytes.
 */
export function buildEnvelope(query: BatchQuery, credentials: Credentials, contract: Contract): SoapRequest {
  const ns = contract.namespace;
  const applicationToken =
    credentials.applicationToken === undefined
      ? ""
      : `<ApplicationToken xmlns="${ns}">${escapeXml(credentials.applicationToken)}</ApplicationToken>`;
  const ids = query.associateIds.map((id) => `<a:int>${id}</a:int>`).join("");
  const body =
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap11}">` +
    `<s:Header>${applicationToken}` +
    `<Credentials xmlns="${ns}"><Ticket>${escapeXml(credentials.ticket)}</Ticket></Credentials>` +
    `</s:Header>` +
    `<s:Body><${OPERATION} xmlns="${ns}">` +
    `<AssociateIds xmlns:a="${NS.arrays}">${ids}</AssociateIds>` +
    `<State>${query.state}</State>` +
    `</${OPERATION}></s:Body>` +
    `</s:Envelope>`;
  return {
    headers: { "Content-Type": "text/xml; charset=utf-8", SOAPAction: `"${contract.soapAction}"` },
    body,
  };
}
