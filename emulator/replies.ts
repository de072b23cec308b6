import { type Contract, NS, OPERATION } from "../src/soap/namespaces.js";
import type { FailMode } from "./behaviour.js";
import { inContract, SIMULATED_EXCEPTION, SIMULATED_FAULT } from "./errors.js";
import { exceptionEnvelope, faultEnvelope, type SoapFault } from "./xml-writer.js";

/** Content-Type of every SOAP answer, as WCF's BasicHttpBinding sends it. */
export const XML_CONTENT_TYPE = "text/xml; charset=utf-8";

/** An HTTP answer of the Batch.svc endpoint, before it becomes a `Response`. */
export interface EmulatorReply {
  readonly status: 200 | 400 | 415 | 500;
  readonly contentType: string | null;
  readonly body: string;
}

/** A `text/xml` answer. */
export function xmlReply(body: string, status: 200 | 500 = 200): EmulatorReply {
  return { status, contentType: XML_CONTENT_TYPE, body };
}

/** A SOAP 1.1 fault with HTTP 500, as WCF sends faults. */
export function faultReply(fault: SoapFault): EmulatorReply {
  return xmlReply(faultEnvelope(fault), 500);
}

/** WCF's answer to a wrong Content-Type: 415 with an empty body. */
export const UNSUPPORTED_MEDIA_TYPE: EmulatorReply = { status: 415, contentType: null, body: "" };

/** A plain-text 400 for emulator misuse (e.g. an unknown `?fail=` value). */
export function badRequest(message: string): EmulatorReply {
  return { status: 400, contentType: "text/plain; charset=utf-8", body: message };
}

/** Converts a reply to a fetch `Response`. */
export function toResponse(reply: EmulatorReply): Response {
  const headers: Record<string, string> = reply.contentType === null ? {} : { "Content-Type": reply.contentType };
  return new Response(reply.body === "" ? null : reply.body, { status: reply.status, headers });
}

function malformedBody(ns: string): string {
  return (
    `<s:Envelope xmlns:s="${NS.soap11}"><s:Header><Succeeded xmlns="${ns}">true</Succeeded></s:Header>` +
    `<s:Body><${OPERATION}Response xmlns="${ns}"><Response xmlns:i="${NS.xsi}">` +
    `<BatchTaskInfo><Id>1</Id><Name>Tom & Jerry</Nam></BatchTaskInfo></Response></s:Body></s:Envelope>`
  );
}

const IIS_ERROR_PAGE = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>500 - Internal server error.</title>
<style type="text/css">
body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}
fieldset{padding:0 15px 10px 15px;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}
#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS", Verdana, sans-serif;color:#FFF;background-color:#555555;}
#content{margin:0 0 0 2%;position:relative;}
.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
</style>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>500 - Internal server error.</h2>
  <h3>There is a problem with the resource you are looking for, and it cannot be displayed.</h3>
 </fieldset></div>
</div>
</body>
</html>
`;

function truncate(reply: EmulatorReply): EmulatorReply {
  return xmlReply(reply.body.slice(0, Math.floor(reply.body.length / 2)));
}

/**
 * The answer for an injected failure, in the contract's namespace. `normal` computes the regular answer; only
 * `truncated` uses it (it sends the first half of that answer's body with HTTP 200).
 */
export function failureReply(mode: Exclude<FailMode, "none">, normal: () => EmulatorReply, contract: Contract): EmulatorReply {
  switch (mode) {
    case "exception":
      return xmlReply(exceptionEnvelope(inContract(SIMULATED_EXCEPTION, contract), contract));
    case "fault":
      return faultReply(SIMULATED_FAULT);
    case "malformed":
      return xmlReply(malformedBody(contract.namespace));
    case "html":
      return { status: 500, contentType: "text/html", body: IIS_ERROR_PAGE };
    case "truncated":
      return truncate(normal());
  }
}
