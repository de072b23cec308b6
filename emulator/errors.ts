import { type Contract, NS, OPERATION } from "../src/soap/namespaces.js";
import type { SoapFault, SoExceptionInfo } from "./xml-writer.js";

/** Namespace of WCF's `ActionNotSupported` fault code (addressing "none", as BasicHttpBinding uses). */
export const ADDRESSING_NONE_NS = "http://schemas.microsoft.com/ws/2005/05/addressing/none";

/** Namespace of WCF's dispatcher fault codes such as `DeserializationFailed`. */
export const WCF_DISPATCHER_NS = "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher";

function stackTrace(...frames: readonly string[]): string {
  return frames.map((frame) => `   at ${frame}`).join("\r\n");
}

const AGENT_FRAMES = [
  `SuperOffice.Services85.BatchAgent.${OPERATION}(Int32[] associateIds, BatchTaskState state)`,
  `SuperOffice.Services85.WcfBatchService.${OPERATION}(${OPERATION}Request request) in C:\\Build\\NetServer\\Services85\\Wcf\\WcfBatchService.cs:line 412`,
] as const;

/** The ExceptionInfo as the contract's service layer throws it: its stack names `Services{version}`. */
export function inContract(info: SoExceptionInfo, contract: Contract): SoExceptionInfo {
  return { ...info, stackTrace: info.stackTrace.replaceAll("Services85", `Services${contract.version}`) };
}

/** ExceptionInfo for a missing, unknown, expired or revoked `Credentials/Ticket`. */
export const INVALID_TICKET: SoExceptionInfo = {
  message: "Invalid ticket",
  stackTrace: stackTrace(
    "SuperOffice.CRM.Security.SoSession.Authenticate(String ticket)",
    "SuperOffice.Services85.ServiceBase.EnsureAuthenticated(SoCredentials credentials)",
    ...AGENT_FRAMES,
  ),
  friendlyText: "Your session has expired or the ticket is not valid. Please log in again.",
  exceptionType: "SoSessionException",
  source: "SoCore",
};

/** ExceptionInfo for a missing or wrong `ApplicationToken` (when the emulator checks tokens). */
export const INVALID_APPLICATION_TOKEN: SoExceptionInfo = {
  message: "Application token missing or invalid",
  stackTrace: stackTrace(
    "SuperOffice.Online.Security.ApplicationTokenValidator.Validate(String applicationToken)",
    "SuperOffice.Services85.ServiceBase.EnsureApplicationToken(String applicationToken)",
    ...AGENT_FRAMES,
  ),
  friendlyText: "The application is not allowed to access this installation.",
  exceptionType: "SoApplicationTokenException",
  source: "SuperOffice.Online",
};

/** ExceptionInfo sent by the `exception` failure mode. */
export const SIMULATED_EXCEPTION: SoExceptionInfo = {
  message: "Simulated failure",
  stackTrace: stackTrace(
    "SuperOffice.CRM.Data.BatchTaskRepository.GetByAssociates(Int32[] associateIds, BatchTaskState state)",
    "SuperOffice.CRM.Services.Implementation.BatchAgentImplementation.GetBatchTaskInfosByAssociatesAndState(Int32[] associateIds, BatchTaskState state)",
    ...AGENT_FRAMES,
  ),
  friendlyText: "The batch service is unavailable (emulated)",
  exceptionType: "SoServerException",
  source: "SoDataBase",
};

/** WCF's fault for a SOAPAction that matches no operation of the contract. */
export function actionNotSupported(action: string): SoapFault {
  return {
    code: { kind: "qualified", namespace: ADDRESSING_NONE_NS, local: "ActionNotSupported" },
    reason: `The message with Action '${action}' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None).`,
  };
}

/** WCF's fault for a body the operation formatter could not deserialize. */
export function deserializationFailed(detail: string): SoapFault {
  return {
    code: { kind: "qualified", namespace: WCF_DISPATCHER_NS, local: "DeserializationFailed" },
    reason: `The formatter threw an exception while trying to deserialize the message: ${detail}`,
  };
}

/** An `s:Client` fault with the given reason. */
export function soapClientFault(reason: string): SoapFault {
  return { code: { kind: "soap", local: "Client" }, reason };
}

/** `s:Client` fault for a request body that is not well-formed XML. */
export function notWellFormed(detail: string): SoapFault {
  return soapClientFault(`The request message is not well-formed XML: ${detail}`);
}

/** `s:VersionMismatch` fault for a SOAP 1.2 envelope sent to the SOAP 1.1 endpoint. */
export function versionMismatch(): SoapFault {
  return {
    code: { kind: "soap", local: "VersionMismatch" },
    reason: `The envelope version of the incoming message (Soap12 (${NS.soap12})) does not match that of the encoder (Soap11 (${NS.soap11})). Make sure the binding is configured with the same version as the expected messages.`,
  };
}

/** `s:Server` fault sent by the `fault` failure mode. */
export const SIMULATED_FAULT: SoapFault = { code: { kind: "soap", local: "Server" }, reason: "Simulated fault" };
