import type { BatchTaskState } from "../model/batch-task.js";

/** XML namespaces that do not depend on the NetServer contract version. */
export const NS = {
  soap11: "http://schemas.xmlsoap.org/soap/envelope/",
  soap12: "http://www.w3.org/2003/05/soap-envelope",
  arrays: "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
} as const;

export const OPERATION = "GetBatchTaskInfosByAssociatesAndState";

/** The NetServer SOAP contracts this Worker speaks: Services85 (the default) and Services88, SuperOffice's newest. */
export const SERVICES_VERSIONS = ["85", "88"] as const;
export type ServicesVersion = (typeof SERVICES_VERSIONS)[number];

/**
 * What changes with the contract version: the target namespace (every request and answer element is in it), the
 * SOAPAction, and the endpoint path under `…/Remote/`. Services88 adds a state and two task fields; the decoder
 * reads them from either version (absent from Services85 answers).
 */
export type Contract = {
  readonly version: ServicesVersion;
  readonly namespace: string;
  readonly soapAction: string;
  /** `Services85/Batch.svc`, relative to a tenant's `…/Remote/` base. */
  readonly endpointPath: string;
};

function contract(version: ServicesVersion): Contract {
  const namespace = `http://www.superoffice.net/ws/crm/NetServer/Services${version}`;
  return { version, namespace, soapAction: `${namespace}/Batch/${OPERATION}`, endpointPath: `Services${version}/Batch.svc` };
}

export const CONTRACTS: Readonly<Record<ServicesVersion, Contract>> = { "85": contract("85"), "88": contract("88") };

/**
 * Why a state cannot be asked of a server speaking this contract, or `null`: `SucceededManualCleanup` exists only
 * in Services88, so a Services85 server could never answer it (WCF would refuse the enum value).
 */
export function contractIssue(state: BatchTaskState, contract: Contract): string | null {
  return state === "SucceededManualCleanup" && contract.version === "85"
    ? "SucceededManualCleanup is a Services88 state; this tenant speaks Services85"
    : null;
}
