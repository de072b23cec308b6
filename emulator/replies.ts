import { pipeline, Readable } from "node:stream";
import { constants, createGzip } from "node:zlib";
import { type Contract, NS, OPERATION } from "../src/soap/namespaces.js";
import type { FailMode } from "./behaviour.js";
import { inContract, SIMULATED_EXCEPTION, SIMULATED_FAULT } from "./errors.js";
import { describableIn } from "./filter.js";
import { SEED_TASKS } from "./seed.js";
import { exceptionEnvelope, faultEnvelope, type SoapFault, successEnvelope } from "./xml-writer.js";

/** Content-Type of every SOAP answer, as WCF's BasicHttpBinding sends it. */
export const XML_CONTENT_TYPE = "text/xml; charset=utf-8";

/** An HTTP answer of the Batch.svc endpoint, before it becomes a `Response`. */
export interface EmulatorReply {
  readonly status: 200 | 400 | 415 | 500;
  readonly contentType: string | null;
  readonly body: string;
}

/**
 * An answer whose body is produced while it is read, never held whole: too large to keep (`oversized`) or
 * compressed on the fly (`gzip-bomb`). `stream` makes a fresh body for each call.
 */
export interface StreamedReply {
  readonly status: 200;
  readonly contentType: string;
  /** `Content-Encoding` to declare (the body is encoded so), or null. */
  readonly contentEncoding: "gzip" | null;
  /** `Content-Length` to declare, or null to send the body chunked. */
  readonly contentLength: number | null;
  readonly stream: () => ReadableStream<Uint8Array>;
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
export function toResponse(reply: EmulatorReply | StreamedReply): Response {
  if ("stream" in reply) {
    const headers: Record<string, string> = { "Content-Type": reply.contentType };
    if (reply.contentEncoding !== null) headers["Content-Encoding"] = reply.contentEncoding;
    if (reply.contentLength !== null) headers["Content-Length"] = String(reply.contentLength);
    return new Response(reply.stream(), { status: reply.status, headers });
  }
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

/** Size of the `oversized` answers: 2.5 times the Worker's default `UPSTREAM_MAX_BYTES` (8 MiB). */
export const OVERSIZED_BYTES = 20 * 1024 * 1024;

/** What the `gzip-bomb` answer expands to; at gzip level 9 it travels as about 3 MB. */
export const GZIP_BOMB_BYTES = 1024 * 1024 * 1024;

/** Elements nested inside one task by the `deep` answer (a real answer nests about 8 deep). */
export const DEEP_NESTING = 100_000;

const utf8 = new TextEncoder();

/**
 * A well-formed success answer cut in three: the envelope up to `<Response>`, a run of task elements (the seed
 * tasks the contract can describe, repeated to about 64 KiB, so that each chunk is large and compresses well), and
 * the rest. Any number of runs between the two ends is a valid answer.
 */
type TaskRun = { head: Uint8Array; run: Uint8Array; tail: Uint8Array };

const taskRuns = new Map<string, TaskRun>();

function taskRunOf(contract: Contract): TaskRun {
  const known = taskRuns.get(contract.version);
  if (known !== undefined) return known;
  const xml = successEnvelope(
    SEED_TASKS.filter((task) => describableIn(task, contract)),
    contract,
  );
  const start = xml.indexOf("<BatchTaskInfo>");
  const end = xml.lastIndexOf("</BatchTaskInfo>") + "</BatchTaskInfo>".length;
  const tasks = xml.slice(start, end);
  const made = {
    head: utf8.encode(xml.slice(0, start)),
    run: utf8.encode(tasks.repeat(Math.max(1, Math.floor(65_536 / tasks.length)))),
    tail: utf8.encode(xml.slice(end)),
  };
  taskRuns.set(contract.version, made);
  return made;
}

/** The runs needed for a body of at least `bytes`, and the body's exact length. */
function sizedAnswer(contract: Contract, bytes: number): { parts: TaskRun; runs: number; length: number } {
  const parts = taskRunOf(contract);
  const ends = parts.head.byteLength + parts.tail.byteLength;
  const runs = Math.ceil(Math.max(0, bytes - ends) / parts.run.byteLength);
  return { parts, runs, length: ends + runs * parts.run.byteLength };
}

function* answerChunks({ parts, runs }: { parts: TaskRun; runs: number }): Generator<Uint8Array> {
  yield parts.head;
  for (let index = 0; index < runs; index++) yield parts.run;
  yield parts.tail;
}

/** A pull stream: the next chunk is made only when the reader asks for it, and a cancelled read stops the making. */
function pullStream(chunks: Iterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        chunks.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** About 20 MiB of valid task XML: `Content-Length` declared (`oversized`) or not (`oversized-chunked`). */
function oversizedReply(contract: Contract, declareLength: boolean): StreamedReply {
  const answer = sizedAnswer(contract, OVERSIZED_BYTES);
  return {
    status: 200,
    contentType: XML_CONTENT_TYPE,
    contentEncoding: null,
    contentLength: declareLength ? answer.length : null,
    stream: () => pullStream(answerChunks(answer)),
  };
}

/**
 * `Content-Encoding: gzip` of 1 GiB of valid task XML, compressed (level 9) as the reader pulls, so neither side
 * of the emulator ever holds more than a chunk: the whole body would be about 3 MB on the wire. Chunked, since
 * its compressed length is not known before it is made; a reader that stops early stops the compression.
 */
function gzipBombReply(contract: Contract): StreamedReply {
  const answer = sizedAnswer(contract, GZIP_BOMB_BYTES);
  const stream = (): ReadableStream<Uint8Array> => {
    const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
    pipeline(Readable.from(answerChunks(answer), { objectMode: false }), gzip, () => undefined);
    return Readable.toWeb(gzip) as ReadableStream<Uint8Array>;
  };
  return { status: 200, contentType: XML_CONTENT_TYPE, contentEncoding: "gzip", contentLength: null, stream };
}

const deepAnswers = new Map<string, string>();

/** A success answer whose one task holds {@link DEEP_NESTING} nested elements (about 700 KB). */
function deepBody(contract: Contract): string {
  const known = deepAnswers.get(contract.version);
  if (known !== undefined) return known;
  const xml = successEnvelope(SEED_TASKS.slice(0, 1), contract);
  const at = xml.indexOf("</BatchTaskInfo>");
  const made = `${xml.slice(0, at)}${"<a>".repeat(DEEP_NESTING)}${"</a>".repeat(DEEP_NESTING)}${xml.slice(at)}`;
  deepAnswers.set(contract.version, made);
  return made;
}

/**
 * The answer for an injected failure, in the contract's namespace. `normal` computes the regular answer; only
 * `truncated` uses it (it sends the first half of that answer's body with HTTP 200).
 */
export function failureReply(
  mode: Exclude<FailMode, "none">,
  normal: () => EmulatorReply,
  contract: Contract,
): EmulatorReply | StreamedReply {
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
    case "oversized":
      return oversizedReply(contract, true);
    case "oversized-chunked":
      return oversizedReply(contract, false);
    case "gzip-bomb":
      return gzipBombReply(contract);
    case "deep":
      return xmlReply(deepBody(contract));
  }
}
