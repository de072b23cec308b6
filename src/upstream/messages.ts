/**
 * What of SuperOffice's own text may leave the Worker. A fault once reached callers verbatim, with an internal URL,
 * a stack frame and a 5 MB `faultstring`, and only exact copies of the ticket were hidden. So callers get a short
 * sentence that reads as prose or a fixed one, and the full text goes only to the log, cut and redacted.
 */

import type { FailureKind } from "./failure.js";

/** The failures a caller-facing sentence is written for: all but the Worker's own refusals, whose words are its own. */
export type MessageKind = Exclude<FailureKind, "busy" | "circuit-open">;

/** What a caller reads when SuperOffice's text is missing, or is not clean prose. */
export const FIXED_MESSAGES: Readonly<Record<MessageKind, string>> = {
  exception: "SuperOffice reported an error.",
  fault: "SuperOffice answered with a SOAP fault.",
  "bad-response": "SuperOffice's answer could not be used.",
  "too-large": "SuperOffice's answer is larger than this service accepts.",
  timeout: "SuperOffice did not answer in time.",
  unreachable: "SuperOffice could not be reached.",
  "credentials-rejected": "SuperOffice rejected the configured credentials (ticket or application token).",
  "authentication-failed": "Signing in to SuperOffice Online failed.",
};

/** What replaces any part of a secret. */
export const REDACTED = "[redacted]";

/** The longest `detail` a caller gets, "…" included. */
export const CALLER_MESSAGE_MAX = 300;

/**
 * The shortest run of a secret's characters that is hidden wherever it appears. Eight, not fewer: the development
 * ticket `7T:dev-ticket` holds the 6-character run "ticket", which would otherwise blank that word out of
 * SuperOffice's "…the ticket is not valid…"; and seven characters of a 40-character random ticket give nothing away.
 */
const WINDOW = 8;

/** Secrets shorter than this are not looked for: they would match ordinary words and hide nothing worth hiding. */
const MIN_SECRET = 4;

/** Folds A–Z only, so that the folded text keeps the original's indexes (full Unicode folding can change lengths). */
function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

/**
 * A secret as a server may echo it: as sent, or percent-encoded as a URL component (`%20` for a space), as a form
 * field (`+`), or by `encodeURI`, which keeps `:` and `=` but not spaces: that mixture's runs of 8 near a kept
 * character match no other variant.
 */
function variantsOf(secret: string): string[] {
  const variants = [secret, new URLSearchParams([["", secret]]).toString().slice(1)];
  try {
    variants.push(encodeURIComponent(secret), encodeURI(secret));
  } catch {
    // A lone surrogate cannot be percent-encoded, so nobody can have echoed it that way.
  }
  return [...new Set(variants.map(foldAscii))];
}

/**
 * Replaces every copy of any part of a secret with `[redacted]`: the whole secret or any run of at least 8 of its
 * consecutive characters (a truncated copy), in any ASCII case, as sent or URL-encoded (`%3A` or `%3a`, `+` or
 * `%20` for a space). A secret shorter than 8 characters is matched whole; one shorter than 4 is ignored. Adjacent
 * or overlapping matches become one `[redacted]`.
 *
 * Cost is O(n·8) in the text's length n: the 8-character runs of every variant go into a set, and each of the
 * text's runs is looked up once. Callers cut the text before calling this (see `logText`).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const runs = new Set<string>();
  const wholes: string[] = [];
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET) continue;
    for (const variant of variantsOf(secret)) {
      if (variant.length < WINDOW) wholes.push(variant);
      else for (let at = 0; at + WINDOW <= variant.length; at++) runs.add(variant.slice(at, at + WINDOW));
    }
  }
  if (runs.size === 0 && wholes.length === 0) return text;
  const folded = foldAscii(text);
  const hidden = new Uint8Array(text.length);
  if (runs.size > 0) {
    for (let at = 0; at + WINDOW <= folded.length; at++) {
      if (runs.has(folded.slice(at, at + WINDOW))) hidden.fill(1, at, at + WINDOW);
    }
  }
  for (const whole of wholes) {
    for (let at = folded.indexOf(whole); at !== -1; at = folded.indexOf(whole, at + 1)) hidden.fill(1, at, at + whole.length);
  }
  let clean = "";
  let at = 0;
  while (at < text.length) {
    const start = at;
    const secret = hidden[at] === 1;
    while (at < text.length && (hidden[at] === 1) === secret) at++;
    clean += secret ? REDACTED : text.slice(start, at);
  }
  return clean;
}

/** How much of SuperOffice's text is examined for a caller's sentence: ample for 300 characters of prose. */
const SCAN_MAX = 1000;

const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/;

/**
 * .NET / Java stack frames: `at Namespace.Type.Method(args)` (or such a call without `at`), and
 * `in C:\path\File.cs:line 42`, whose path may hold spaces but must look like a path, so no prose before it goes.
 */
const FRAME_AT = /(?:\bat\s+)?[A-Za-z_$][\w$`<>[\],+]*(?:\.[\w$`<>[\],+]+)+\([^()]{0,300}\)/g;
const FRAME_IN = /\bin\s+(?:(?:[A-Za-z]:\\|\\\\|\/)[^:]{0,260}|[^\s:]{1,260}):line\s+\d+/gi;

/** Words (runs between spaces) that are not prose: each is removed whole. */
const NOISE: readonly RegExp[] = [
  /[a-z][a-z0-9+.-]*:\/\//i, // a URL with a scheme
  /^\W*(?:www\.|(?:mailto|urn|file|data|javascript|tel):)/i, // a URL without "//"
  /\\/, // a Windows or UNC path
  /\/.*\//, // two slashes or more: a Unix path or a URL's path
  /\S@\S/, // an e-mail address or user@host
  /%[0-9a-f]{2}/i, // percent-encoding
  /::/, // an IPv6 address or a scoped name
  /\b\d{1,3}(?:\.\d{1,3}){3}\b/, // an IPv4 address
  /[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]+){2,}/, // three dotted names or more: a host, a namespace, a type
  /\w\.\w[\w-]*:\d/, // host:port
  /\w\.\w+[([]/, // a method call: Type.Method( or Type.Method[T]
  /:line\b/i, // what is left of a stack frame
];

/** An opaque token (a key, a hash, a ticket that is not ours): long, letters and digits mixed; not a date-time. */
function isOpaque(word: string): boolean {
  return word.length >= 16 && /\d/.test(word) && /\p{L}/u.test(word) && !/^\d{4}-\d\d-\d\dT/.test(word);
}

/** Whether a word is not prose: a URL, a path, a host, an address, an opaque token (see NOISE). */
const isNoise = (word: string): boolean => NOISE.some((noise) => noise.test(word)) || isOpaque(word);

/** Letters, digits, spaces and the punctuation of sentences (with `[` and `]`, which `[redacted]` needs). */
const PROSE = /^[\p{L}\p{M}\p{N} .,;:!?'"‘’“”«»()[\]\-–—/&%+#…]+$/u;

/** A cut that does not split a surrogate pair. */
function cutChars(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/**
 * SuperOffice's text as a clean sentence, or null when it does not read as one. URLs, paths, stack frames and
 * opaque tokens are removed, secrets redacted. What remains must be made of prose characters only, without line
 * breaks (a stack trace or a dump), and hold at least two words, or three when something was removed: "Error at"
 * left over from "Error at https://…" is not worth more than the fixed sentence.
 */
function proseOf(upstreamText: string, secrets: readonly string[]): string | null {
  const text = (upstreamText.length > SCAN_MAX ? cutChars(upstreamText, SCAN_MAX).replace(/\S*$/, "") : upstreamText).trim();
  if (LINE_BREAK.test(text)) return null;
  let removed = false;
  const remove = () => {
    removed = true;
    return " ";
  };
  const kept = redactSecrets(text, secrets)
    .replace(FRAME_AT, remove)
    .replace(FRAME_IN, remove)
    .replace(/\S+/g, (word) => (word !== REDACTED && isNoise(word) ? remove() : word))
    .replace(/\s+/g, " ")
    .replace(/ ([.,;:!?)\]…])/g, "$1")
    .trim();
  if (!PROSE.test(kept)) return null;
  const words = kept.replaceAll(REDACTED, " ").match(/\p{L}{2,}/gu)?.length ?? 0;
  return words >= (removed ? 3 : 2) ? kept : null;
}

/** A quoted value kept in the Worker's own sentences: one plain word, like an element or charset name. */
const PLAIN_QUOTE = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * A sentence of this Worker's own (a decoder's or validator's refusal) for callers. Its words are ours, but it may
 * quote the answer: a dictionary key, an element name, an entity, a charset. Anything quoted that is not one plain
 * word, and every word that looks like a URL, a path, a host, an address or a stack frame, becomes "…"; the rest is
 * cut to 200 characters at a word, and secrets are redacted. (Long mixed words are kept, unlike in SuperOffice's
 * prose: the Worker's own field paths, `tasks[12].detailsTable`, are such words.)
 */
export function ownSentence(message: string, secrets: readonly string[]): string {
  const cut = message.length > SCAN_MAX ? cutChars(message, SCAN_MAX) : message;
  const elided = redactSecrets(cut, secrets)
    .replace(/"([^"]*)"/g, (quoted, inner: string) => (PLAIN_QUOTE.test(inner) && !isNoise(inner) ? quoted : '"…"'))
    .replace(FRAME_AT, " … ")
    .replace(FRAME_IN, " … ")
    // A word is judged by what is outside its kept quotes: `"x"https://host/…` glued to a plain quote is a URL.
    .replace(/\S+/g, (word) => (NOISE.some((noise) => noise.test(word.replace(/"[^"]*"/g, ""))) ? "…" : word))
    .replace(/\s+/g, " ")
    .trim();
  return cutAtWord(elided, 200);
}

/** At most `max` characters, cut at a word boundary when one is in the second half, ending in "…" when cut. */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - 1;
  const space = text.lastIndexOf(" ", room);
  const end = space >= room / 2 ? space : room;
  return `${cutChars(text, end).replace(/[\s.,;:(–—-]+$/, "")}…`;
}

/**
 * The `detail` a caller gets for an upstream failure: `upstreamText` (the Worker passes only an exception's
 * FriendlyText, SuperOffice's text for end users; a fault's text and ExceptionInfo's Message go to the log) when it
 * reads as prose once URLs, file paths, stack frames, opaque tokens and secrets are removed, cut to 300 characters
 * at a word; otherwise the kind's fixed sentence. For `credentials-rejected` and `authentication-failed` it is always
 * the fixed sentence: SuperOffice's "Please log in again" would mislead a caller who never logged in, while operators
 * need to know the configured credentials failed. Nothing but `upstreamText` is ever quoted.
 */
export function callerMessage(kind: MessageKind, upstreamText: string | undefined, secrets: readonly string[]): string {
  if (upstreamText === undefined || kind === "credentials-rejected" || kind === "authentication-failed") {
    return FIXED_MESSAGES[kind];
  }
  const prose = proseOf(upstreamText, secrets);
  return prose === null ? FIXED_MESSAGES[kind] : cutAtWord(prose, CALLER_MESSAGE_MAX);
}

/** Control characters (but tab and line feed) and bidirectional overrides, which can disguise a log line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_IN_LOGS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * SuperOffice's full text for the log: cut FIRST to `max` characters (so a 5 MB faultstring costs nothing more than
 * a short one; a note then says how long it was), then redacted, then stripped of control characters, which become
 * U+FFFD. A secret cut by the limit to fewer than 8 characters stays, as seven characters of it tell nothing.
 */
export function logText(text: string, secrets: readonly string[], max = 2000): string {
  const cut = text.length > max ? cutChars(text, max) : text;
  const note = cut === text ? "" : `… [cut: ${text.length} characters in all]`;
  return redactSecrets(cut, secrets).replace(UNSAFE_IN_LOGS, "\uFFFD") + note;
}
