import { TASK_FIELDS } from "./rules.js";

/*
 * One regular expression for a whole `BatchTaskInfo` as WCF writes it: its members in WSDL order, each at most once
 * and each optional, unprefixed in the default namespace, empty or nil (`i:nil="true"`) or holding plain text, with
 * nothing between elements; the Carrier members `TableRight` and `FieldProperties` in NetServer's shapes. The
 * one-pass decoder (one-pass.ts) tries it on each task of the Response and reads whatever it does not match (another
 * order, other attributes or prefixes, whitespace between elements, comments, CDATA, character references, a `]` or
 * CR in text) with its general path, so the pattern only ever takes a shortcut, never a decision: what it matches is
 * well-formed by construction (literal tags, a closed set of text characters) and means exactly what the general
 * path would read.
 *
 * Why: V8 compiles a regular expression to machine code, which reads a task in well under half the time the
 * decoder's own character loop takes (BENCHMARKS.md section 2).
 *
 * Bounded: a text character is never `&` or `<`, which start a reference or the next tag, so a text, a reference and
 * a surrogate pair cannot match the same characters, and a failed attempt backtracks over each character a bounded
 * number of times; attempts start only at task start tags and do not overlap, so the whole answer costs linear time.
 * An attempt that outgrew V8's backtracking stack would throw; the task is then read the general way.
 */

/**
 * What is not an XML character of the Basic Multilingual Plane, as the body of a character class: the C0 controls
 * other than tab, LF and CR, the surrogates (a pair is matched apart) and U+FFFE, U+FFFF. The one-pass decoder's
 * plain attribute values exclude the same.
 */
export const NOT_BMP_CHAR = String.raw`\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff`;

/**
 * A character of plain element text: an XML character of the Basic Multilingual Plane other than `<`, `&` (which
 * starts a reference), `]` (which could start `]]>`) and CR (which text normalises).
 */
const CHAR = String.raw`[^<&\]\r${NOT_BMP_CHAR}]`;

/**
 * Plain text: such characters, the five predefined entity references (`decodeEntities` reads them) and surrogate
 * pairs (a lone surrogate is not an XML character).
 */
const TEXT = String.raw`${CHAR}*(?:(?:&(?:lt|gt|amp|quot|apos);|[\ud800-\udbff][\udc00-\udfff])${CHAR}*)*`;

/** `<name>text</name>`, `<name/>` or `<name i:nil="true"/>`, capturing nothing. */
const skippedLeaf = (name: string) => String.raw`(?:<${name}>${TEXT}<\/${name}>|<${name}(?: i:nil="true")?\/>)`;

/**
 * `<name>…</name>` (content `content`), `<name/>` or `<name i:nil="true"/>`, capturing two groups: the
 * content, or what closes an empty element (`/` when it is empty, ` i:nil="true"/` when it is nil).
 */
const captured = (name: string, content: string) => String.raw`<${name}(?:>(${content})<\/${name}>|(\/| i:nil="true"\/)>)`;

/** A `StringKeyValuePair`: a `Key` and a `Value`, each holding text, empty or nil (`pairTexts` reads this shape). */
const PAIR = String.raw`<StringKeyValuePair>${skippedLeaf("Key")}${skippedLeaf("Value")}<\/StringKeyValuePair>`;

/** `TableRight` and `FieldRight`: a `Mask` and a `Reason`. */
const RIGHT = `${skippedLeaf("Mask")}${skippedLeaf("Reason")}`;

/** A Carrier member the decoder skips: content `content`, empty, or nil. */
const skipped = (name: string, content: string) => String.raw`(?:<${name}(?:>${content}<\/${name}>|(?: i:nil="true")?\/>))?`;

/** A `FieldProperties` entry: a field's name, and its right, type and length. */
const FIELD_PROPERTY = String.raw`<FieldPropertyDictionaryKeyValuePair>${skippedLeaf("Key")}<Value><FieldRight>${RIGHT}<\/FieldRight>${skippedLeaf("FieldType")}${skippedLeaf("FieldLength")}<\/Value><\/FieldPropertyDictionaryKeyValuePair>`;

/** The pairs of a `StringDictionary`. */
const PAIRS = `(?:${PAIR})*`;

/** The task's own members, each optional, in TASK_FIELDS order (the WSDL's). */
const MEMBERS = TASK_FIELDS.map(({ element, kind }) => `(?:${captured(element, kind === "dictionary" ? PAIRS : TEXT)})?`).join(
  "",
);

/**
 * A whole `BatchTaskInfo`, sticky (it matches at `lastIndex` or not at all). For the field at index i of TASK_FIELDS,
 * group 2i + 1 holds its text (a dictionary's pairs) and group 2i + 2 the end of an empty or nil element; neither is
 * defined when the element is absent.
 */
export const TASK_PATTERN = new RegExp(
  String.raw`<BatchTaskInfo>${skipped("TableRight", RIGHT)}${skipped("FieldProperties", `(?:${FIELD_PROPERTY})*`)}${MEMBERS}<\/BatchTaskInfo>`,
  "y",
);

const GREATER_THAN = 0x3e;
const SLASH = 0x2f;
const PAIR_START = "<StringKeyValuePair>".length;
const PAIR_END = "</StringKeyValuePair>".length;
const NIL_END = ' i:nil="true"/>'.length;

/**
 * The texts of the pairs TASK_PATTERN captured for a dictionary, key and value by turns: each one's text (with its
 * references still in it), `""` when it is empty, or null when it is nil. The pattern has already matched these
 * pairs whole, so each is read by its shape (`PAIR`) without matching again: after `<Key` comes `>` and text up to
 * the end tag (text holds no `<`), `/>`, or ` i:nil="true"/>`, and the same after `<Value`. Only for text the
 * pattern captured: it checks nothing itself.
 */
export function pairTexts(pairs: string): (string | null)[] {
  const texts: (string | null)[] = [];
  let at = 0;
  while (at < pairs.length) {
    at = leafText(pairs, leafText(pairs, at + PAIR_START, "Key".length, texts), "Value".length, texts) + PAIR_END;
  }
  return texts;
}

/** Adds the text of the `Key` or `Value` element (name `nameLength` long) that starts at `at`; returns the index after it. */
function leafText(pairs: string, at: number, nameLength: number, texts: (string | null)[]): number {
  const after = at + 1 + nameLength;
  const code = pairs.charCodeAt(after);
  if (code === GREATER_THAN) {
    const end = pairs.indexOf("<", after + 1);
    texts.push(pairs.slice(after + 1, end));
    return end + nameLength + 3;
  }
  texts.push(code === SLASH ? "" : null);
  return code === SLASH ? after + 2 : after + NIL_END;
}

/** Each predefined entity reference: the character it stands for, and its length. */
const LT = ["<", 4] as const;
const GT = [">", 4] as const;
const AMP = ["&", 5] as const;
const APOS = ["'", 6] as const;
const QUOT = ['"', 6] as const;

/**
 * Text the pattern matched, with its predefined entity references read. The pattern lets `&` into text only as the
 * start of one of the five references, so the character after it (and, for `a`, the one after that) says which one,
 * and no reference is looked up by name: a loop over `indexOf` instead of a `replace` with a callback, which cost a
 * task holding a reference about twice what matching the task did (BENCHMARKS.md section 2).
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf("&");
  if (amp === -1) return text;
  let decoded = "";
  let from = 0;
  do {
    const code = text.charCodeAt(amp + 1);
    // l: &lt;  g: &gt;  q: &quot;  a: &amp; or &apos;
    const [character, length] =
      code === 0x6c ? LT : code === 0x67 ? GT : code === 0x71 ? QUOT : text.charCodeAt(amp + 2) === 0x6d ? AMP : APOS;
    decoded += text.slice(from, amp) + character;
    from = amp + length;
    amp = text.indexOf("&", from);
  } while (amp !== -1);
  return decoded + text.slice(from);
}
