/** Why an upstream body was not turned into text. */
export type BodyFailureReason = "too-large" | "charset" | "encoding" | "read-failed" | "over-budget";

/**
 * An upstream body as text, or why not. `bytes` counts the body as delivered by `fetch`, that is after it undid any
 * `Content-Encoding`. A failure's `detail` is a fixed sentence, safe to show callers: it never quotes the body, and
 * quotes a header only when it is a plain charset name.
 */
export type BodyResult = { ok: true; text: string; bytes: number } | { ok: false; reason: BodyFailureReason; detail: string };

/** Charset names that mean UTF-8 for our purpose: US-ASCII is a subset of it. */
const UTF8_CHARSETS: ReadonlySet<string> = new Set(["utf-8", "utf8", "us-ascii"]);

/** A charset name we may quote back: anything else in the header is not repeated. */
const QUOTABLE_CHARSET = /^[A-Za-z0-9._-]{1,40}$/;

/**
 * `Content-Type` parameters after the media type: `; name=token` or `; name="quoted \" string"`. A quoted value
 * is consumed whole, so a `;` inside SOAP 1.2's `action="…"` does not start a parameter.
 */
const PARAMETER = /;\s*([^\s;=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;

/** Every `charset` parameter's value, unquoted and trimmed; an empty list when there is none. */
function charsetsOf(contentType: string): string[] {
  const found: string[] = [];
  for (const [, name = "", raw = ""] of contentType.matchAll(PARAMETER)) {
    if (name.toLowerCase() !== "charset") continue;
    const value = raw.trim();
    found.push(value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value);
  }
  return found;
}

type BodyFailure = Extract<BodyResult, { ok: false }>;

function failure(reason: BodyFailureReason, detail: string): BodyFailure {
  return { ok: false, reason, detail };
}

const tooLarge = (maxBytes: number) => failure("too-large", `SuperOffice's answer is larger than ${maxBytes} bytes`);
const notUtf8 = () => failure("encoding", "SuperOffice's answer is not valid UTF-8");
const unreadable = () => failure("read-failed", "SuperOffice's answer could not be read");

/**
 * Asks for room for `bytes` more of the answer in the isolate's budget (see `ByteBudget`); false stops the read.
 * What was taken is the caller's to give back, once it no longer holds the answer: a declared length is taken
 * whole before reading, a streamed body chunk by chunk.
 */
export type Take = (bytes: number) => boolean;

function overBudget(): BodyFailure {
  return failure("over-budget", "This service is reading too many large answers from SuperOffice at once; retry shortly.");
}

/** Releases a body we will not read, so the connection is freed; a failure to cancel changes nothing for us. */
function discard(stream: ReadableStream | null): void {
  if (stream !== null && !stream.locked) stream.cancel().catch(() => undefined);
}

/**
 * The body of an answer whose `Content-Length` is within the cap and which is not encoded: its chunks go into one
 * buffer of that length (grown only if the body overruns it, still within the cap) and are decoded once, which costs
 * about half the chunk-by-chunk decoding (measured in workerd on a 948 KB answer: 7 ms against 15 ms of CPU).
 *
 * The buffer is taken from the isolate's budget before it is allocated, and each growth before it is made: the
 * budget counts what is allocated, not only what has arrived. Otherwise many slow answers that each declare the
 * cap would each hold a buffer of it while their first bytes were still on the way, whatever the budget.
 */
async function readDeclared(body: ReadableStream, declared: number, maxBytes: number, take: Take): Promise<BodyResult> {
  if (!take(declared)) {
    discard(body);
    return overBudget();
  }
  let buffer = new Uint8Array(declared);
  const withinBuffer: Take = () => true;
  const read = await eachChunk(body, maxBytes, withinBuffer, (chunk, before) => {
    if (before + chunk.byteLength > buffer.byteLength) {
      const size = Math.min(maxBytes, Math.max(before + chunk.byteLength, buffer.byteLength * 2));
      if (!take(size - buffer.byteLength)) return overBudget();
      const grown = new Uint8Array(size);
      grown.set(buffer.subarray(0, before));
      buffer = grown;
    }
    buffer.set(chunk, before);
    return null;
  });
  if (!read.ok) return read;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buffer.subarray(0, read.bytes));
    return { ok: true, text, bytes: read.bytes };
  } catch {
    return notUtf8();
  }
}

/**
 * Reads a body chunk by chunk, within `maxBytes` and the isolate's budget, handing each chunk (and the bytes read
 * before it) to `consume`; the first failure, its own or `consume`'s, cancels the stream and is returned.
 */
async function eachChunk(
  body: ReadableStream,
  maxBytes: number,
  take: Take,
  consume: (chunk: Uint8Array, before: number) => BodyFailure | null,
): Promise<{ ok: true; bytes: number } | BodyFailure> {
  let reader: ReadableStreamDefaultReader<unknown>;
  try {
    reader = body.getReader();
  } catch {
    return unreadable();
  }
  const stop = (result: BodyFailure) => {
    reader.cancel().catch(() => undefined);
    return result;
  };
  let bytes = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<unknown>;
    try {
      chunk = await reader.read();
    } catch {
      return failure("read-failed", "The connection to SuperOffice failed while its answer was being read");
    }
    if (chunk.done) return { ok: true, bytes };
    const value = chunk.value;
    if (!(value instanceof Uint8Array)) return stop(unreadable());
    if (bytes + value.byteLength > maxBytes) return stop(tooLarge(maxBytes));
    if (!take(value.byteLength)) return stop(overBudget());
    const refused = consume(value, bytes);
    if (refused !== null) return stop(refused);
    bytes += value.byteLength;
  }
}

/**
 * Reads an upstream answer's body as UTF-8 text, holding at most `maxBytes` of it.
 *
 * - A `Content-Length` above `maxBytes` is refused before a byte is read. Otherwise bytes are counted as they arrive
 *   and reading stops (the stream is cancelled) with the chunk that crosses `maxBytes`: no declared length is
 *   trusted, and production `fetch` has already undone gzip or brotli, so a compression bomb is counted as what it
 *   expands to. (When `Content-Encoding` is set, `Content-Length` is the compressed size: refusing it early is still
 *   right, as the decoded body is at least about as large.)
 * - Room in the isolate's budget (`take`) is taken before bytes are held: a declared length whole, before the first
 *   byte is read (when it does not fit, nothing is read: `over-budget`), a streamed body chunk by chunk.
 * - Only UTF-8 is accepted (`charset` absent, `utf-8`, `utf8` or `us-ascii`): WCF's BasicHttpBinding always answers in
 *   UTF-8, so another charset means something other than NetServer answered; it is refused rather than decoded with
 *   a guess, and invalid UTF-8 is refused rather than replaced with U+FFFD. A leading BOM is dropped, as
 *   `Response.text()` does.
 * - A body with a declared length and no `Content-Encoding` goes into one buffer of that length and is decoded once
 *   (see `readDeclared`). Any other body is decoded chunk by chunk with a streaming `TextDecoder`, its bytes never
 *   kept: measured in workerd on an 8 MiB body, this costs 8–11 ms against 45–90 ms for collecting the chunks and
 *   decoding once. The decoded pieces are joined once at the end rather than appended one by one: `+=` makes a rope
 *   (a V8 ConsString), and every `charCodeAt` the decoder makes on a rope is slower (one 945 KB answer: 14 ms to
 *   decode in Node instead of 4.9).
 * - A stream that errors (a dropped connection, or the caller's `AbortSignal` given to `fetch` firing) is
 *   `read-failed`; the caller tells a timeout apart by looking at its own signal.
 */
export async function readBoundedText(response: Response, maxBytes: number, take: Take = () => true): Promise<BodyResult> {
  const declared = response.headers.get("Content-Length")?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    discard(response.body);
    return tooLarge(maxBytes);
  }
  const charsets = charsetsOf(response.headers.get("Content-Type") ?? "");
  const foreign = charsets.find((charset) => !UTF8_CHARSETS.has(charset.toLowerCase()));
  if (foreign !== undefined) {
    discard(response.body);
    return failure(
      "charset",
      QUOTABLE_CHARSET.test(foreign)
        ? `SuperOffice answered in the character set "${foreign}"; only UTF-8 is accepted`
        : "SuperOffice answered in a character set other than UTF-8; only UTF-8 is accepted",
    );
  }
  if (response.body === null) return { ok: true, text: "", bytes: 0 };
  if (declared !== undefined && /^\d+$/.test(declared) && !response.headers.has("Content-Encoding")) {
    return readDeclared(response.body, Number(declared), maxBytes, take);
  }

  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const parts: string[] = [];
  const read = await eachChunk(response.body, maxBytes, take, (chunk) => {
    try {
      parts.push(decoder.decode(chunk, { stream: true }));
      return null;
    } catch {
      return notUtf8();
    }
  });
  if (!read.ok) return read;
  try {
    parts.push(decoder.decode());
  } catch {
    return notUtf8();
  }
  return { ok: true, text: parts.join(""), bytes: read.bytes };
}
