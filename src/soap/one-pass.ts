import { NS, OPERATION } from "./namespaces.js";
import {
  ABSENT_VALUES,
  addEntry,
  type DecodeOptions,
  type DecodeResult,
  type Dictionary,
  dateTimeValue,
  declaresAnotherEncoding,
  decodeEnvelope,
  dictionaryKey,
  type Field,
  holdsElements,
  knownState,
  newReading,
  nilNotNillable,
  nilTask,
  type Reading,
  Refusal,
  refusing,
  repeatedField,
  scalarValue,
  TASK_FIELDS,
  taskOf,
  tasksOfTree,
  tooManyTasks,
} from "./rules.js";
import { decodeEntities, NOT_BMP_CHAR, pairTexts, TASK_PATTERN } from "./task-pattern.js";
import { DOCTYPE_REFUSED, MAX_DEPTH, MalformedXml, TOO_DEEP, type XmlElement } from "./xml-tree.js";

/*
 * A one-pass decoder for NetServer answers: a scanner that reads the text once, checks well-formedness as it goes and
 * turns it straight into task objects, with no parser events and no element tree for the task list.
 *
 * It is exact on what it accepts and declines the rest. It accepts a subset of XML 1.0 + Namespaces: ASCII names,
 * the five predefined entities and character references, CDATA, comments, processing instructions, an XML 1.0
 * declaration, any prefixes and default namespaces. It declines (returns `null`, and the caller reads the answer with
 * the saxes tree decoder) any document that breaks a well-formedness rule, or that uses what it does not handle
 * (non-ASCII names, XML 1.1, a byte order mark, namespace bindings involving the reserved `xml`/`xmlns` names or
 * URIs, more than MAX_ATTRIBUTES attributes on one element or MAX_BINDINGS prefixes in scope). It refuses a DOCTYPE
 * and nesting deeper than MAX_DEPTH itself, with the saxes reader's refusals. So a well-formedness error is always
 * reported by a conforming parser, and this decoder never guesses.
 *
 * Meaning comes from rules.ts, shared with the tree decoders: the envelope, Header, Body and Fault (small, rarely more
 * than a dozen elements) are built as `XmlElement`s and read by `decodeEnvelope`; only the chosen `Response`
 * element's children, the task list, are read inline, each value through the same rule functions (with shortcuts
 * that give the same result for plain digits, booleans, known states and dates).
 *
 * Why it is fast: a task as WCF writes it is matched whole by one regular expression (task-pattern.ts), which V8
 * compiles to machine code; everything else is read by one small loop (tag names twice: an end tag is compared with
 * its start tag; a task the pattern did not match, partly twice), a tag name is matched against the names it may be
 * while it is scanned (a trie), and the loop allocates nothing per element but the values kept (the pattern's match
 * and a dictionary's list of texts are the per-task exceptions).
 */

const MAX_ATTRIBUTES = 16;
const MAX_BINDINGS = 64;

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** Namespace ids: which of the namespaces the decoder looks for a name is in. */
const NO_NAMESPACE = 0;
const OTHER = 1;
const CONTRACT = 2;
const SOAP11 = 3;
const SOAP12 = 4;
const XSI = 5;

/*
 * What an open element is to the decoder. Tree roles (below DOCUMENT) build `XmlElement`s; RESPONSE builds one but
 * reads its children inline; the rest are inline. DOCUMENT is the parent of the root element.
 */
const TREE = 0;
const ENVELOPE = 1;
const BODY = 2;
const PAYLOAD = 3;
const DOCUMENT = 4;
const RESPONSE = 5;
const TASK = 6;
const DICTIONARY = 7;
const PAIR = 8;
const FIELD = 9;
const KEY = 10;
const VALUE = 11;
const SKIP = 12;

/** A leaf's text so far: none, one raw range of the input (no reference, no CR), or a string. */
const EMPTY = 0;
const RAW = 1;
const STRING = 2;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const AMP = 0x26;
const SQUOTE = 0x27;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const BANG = 0x21;
const CLOSE_BRACKET = 0x5d;
const LOWER_X = 0x78;

/**
 * What an ASCII character means in character data: nothing special (0), the end of the text (`<`), a reference to
 * decode (`&`), a line end to normalise (CR), a possible `]]>`, or a character XML 1.0 does not allow (C0 controls
 * other than tab, LF and CR). HAS_REFERENCE and HAS_CR double as flags saying what a run of text holds.
 */
const HAS_REFERENCE = 1;
const HAS_CR = 2;
const TEXT_END = 4;
const BRACKET = 8;
const NOT_CHAR = 16;
const TEXT_CLASSES = new Uint8Array(128);
for (let code = 0; code < SPACE; code++) if (code !== TAB && code !== LF && code !== CR) TEXT_CLASSES[code] = NOT_CHAR;
TEXT_CLASSES[AMP] = HAS_REFERENCE;
TEXT_CLASSES[CR] = HAS_CR;
TEXT_CLASSES[0x3c] = TEXT_END;
TEXT_CLASSES[CLOSE_BRACKET] = BRACKET;

/*
 * Names. The local names the inline reader looks for get ids: the task fields (ids = TASK_FIELDS indexes), then the
 * rest. A trie recognises them while a name is scanned, and checks the name's characters at the same time.
 * State GENERIC is "a valid name that is none of these", ROOT the start of a name (or of a local name, after a colon).
 * Most trie states have one child: EXPECTED[state] is its character and NEXT[state] the child, so the common step is
 * two reads of small arrays; the few states with several children (and ROOT) have a row of 128 transitions in
 * BRANCHES, at BRANCH_ROW[state]. A transition is the next state, COLON_FOUND, or END (a character that ends the name
 * or may not be in it here); a name character off the trie leads to GENERIC.
 */
const KNOWN_NAMES = [
  ...TASK_FIELDS.map((field) => field.element),
  "BatchTaskInfo",
  "StringKeyValuePair",
  "Key",
  "Value",
  "xmlns",
  "nil",
];
const NAME_BATCH_TASK_INFO = TASK_FIELDS.length;
const NAME_PAIR = NAME_BATCH_TASK_INFO + 1;
const NAME_KEY = NAME_BATCH_TASK_INFO + 2;
const NAME_VALUE = NAME_BATCH_TASK_INFO + 3;
const NAME_XMLNS = NAME_BATCH_TASK_INFO + 4;
const NAME_NIL = NAME_BATCH_TASK_INFO + 5;
const UNKNOWN_NAME = -1;

const GENERIC = 0;
const ROOT = 1;
const END = -1;
const COLON_FOUND = -2;

/** Name characters (ASCII only): NAME_START_CHAR letters and `_`, NAME_CHAR also digits, `.` and `-`. */
const NAME_START_CHAR = 1;
const NAME_CHAR = 2;
const NAME_CLASSES = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z_]/.test(char)) NAME_CLASSES[code] = NAME_START_CHAR | NAME_CHAR;
  else if (/[0-9.-]/.test(char)) NAME_CLASSES[code] = NAME_CHAR;
}

const TRIE = buildTrie(KNOWN_NAMES);

function buildTrie(names: readonly string[]) {
  const children: Map<number, number>[] = [new Map(), new Map()];
  const named: number[] = [UNKNOWN_NAME, UNKNOWN_NAME];
  names.forEach((name, id) => {
    let state = ROOT;
    for (let index = 0; index < name.length; index++) {
      const map = children[state] as Map<number, number>;
      const code = name.charCodeAt(index);
      if (!map.has(code)) {
        map.set(code, children.length);
        children.push(new Map());
        named.push(UNKNOWN_NAME);
      }
      state = map.get(code) as number;
    }
    named[state] = id;
  });
  const expected = new Int16Array(children.length).fill(-1);
  const next = new Int16Array(children.length);
  const branchRow = new Int16Array(children.length).fill(-1);
  const branches: number[] = [];
  children.forEach((map, state) => {
    if (map.size === 1 && state !== ROOT) {
      const [[code, child]] = [...map] as [[number, number]];
      expected[state] = code;
      next[state] = child;
      return;
    }
    if (map.size === 0) return;
    branchRow[state] = branches.length / 128;
    for (let code = 0; code < 128; code++) branches.push(map.get(code) ?? offTrie(state === ROOT, code));
  });
  return { expected, next, branchRow, branches: Int16Array.from(branches), names: Int8Array.from(named) };
}

/** Where a character not on the trie leads: GENERIC for a name character (a name start at the root), else the end. */
function offTrie(root: boolean, code: number): number {
  const kind = NAME_CLASSES[code] as number;
  if ((kind & (root ? NAME_START_CHAR : NAME_CHAR)) !== 0) return GENERIC;
  return code === 0x3a && !root ? COLON_FOUND : END;
}

/** The XML declarations accepted (version 1.0 only); any other is declined, for saxes to judge. */
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.0\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/;

const OPERATION_RESPONSE = `${OPERATION}Response`;

/**
 * An attribute value that needs no decoding, up to its closing quote: no reference, no tab or line end to normalise,
 * only characters of the Basic Multilingual Plane that XML allows. Namespace URIs are most of an answer's attribute
 * text, and a compiled pattern reads them faster than the character loop, which reads every other value.
 */
const PLAIN_DOUBLE_QUOTED = new RegExp(String.raw`[^"<&\t\n\r${NOT_BMP_CHAR}]*"`, "y");
const PLAIN_SINGLE_QUOTED = new RegExp(String.raw`[^'<&\t\n\r${NOT_BMP_CHAR}]*'`, "y");

const isSpace = (code: number): boolean => code === SPACE || code === LF || code === TAB || code === CR;

/** XML 1.0's Char production, for a character reference's code point. */
const isXmlChar = (code: number): boolean =>
  code >= SPACE
    ? code <= 0xd7ff || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
    : code === TAB || code === LF || code === CR;

/** Thrown to decline the input; caught at the edge, never escapes. */
class Declined extends Error {}
const DECLINE = new Declined("declined");

type OpenNode = { namespace: string | null; localName: string; nil: boolean; children: XmlElement[]; text: string };

/** What the decoder keeps per open element; one per depth, reused. */
type Frame = {
  /** The qualified name, [qStart, qStart + qLength) in the text: what the end tag must repeat. */
  qStart: number;
  qLength: number;
  /** The bindings and the default namespace in scope before this element's own declarations. */
  bindMark: number;
  defaultUri: string;
  defaultId: number;
  role: number;
  node: OpenNode | null;
};

type Attribute = {
  nameStart: number;
  nameEnd: number;
  colon: number;
  nameId: number;
  valueStart: number;
  valueEnd: number;
  /** The value, when it needed decoding; else `null` (slice it when needed). */
  value: string | null;
};

type Binding = { readonly prefix: string; readonly uri: string; readonly id: number };

function newFrame(): Frame {
  return { qStart: 0, qLength: 0, bindMark: 0, defaultUri: "", defaultId: NO_NAMESPACE, role: SKIP, node: null };
}

function newAttribute(): Attribute {
  return { nameStart: 0, nameEnd: 0, colon: -1, nameId: UNKNOWN_NAME, valueStart: 0, valueEnd: 0, value: null };
}

class OnePass {
  private readonly frames: Frame[] = [];
  private readonly attributes: Attribute[] = [];
  private depth = 0;
  private rootClosed = false;
  private root: OpenNode | null = null;

  /** What `scanName` found: the colon's index (or -1) and the local name's id. */
  private colon = -1;
  private nameId = UNKNOWN_NAME;

  /** In-scope prefix bindings, innermost last; `xml` is always bound. */
  private readonly bindings: Binding[] = [{ prefix: "xml", uri: XML_NS, id: OTHER }];
  private bindCount = 1;
  private defaultUri = "";
  private defaultId = NO_NAMESPACE;

  private envelopeId = OTHER;
  private bodySeen = false;
  private bodyHasChild = false;
  private responseSeen = false;
  private responseNode: OpenNode | null = null;

  private readonly reading: Reading;
  private readonly tasks: Record<string, unknown>[] = [];
  /** The first refusal in the task list, in document order (the tree decoder's order). */
  private taskRefusal: Refusal | null = null;
  /** The current task's values, in TASK_FIELDS order, and which fields it has had. */
  private readonly values: unknown[] = [...ABSENT_VALUES];
  /**
   * The first `&` at or after the start of a task the pattern matched (the text's length when there is none): a task
   * holds an entity reference when it lies before the task's end. Searched again only once a task starts past it, so
   * finding them costs one scan of the text in all, not one scan of each task.
   */
  private nextAmpersand = -1;
  private seen = 0;
  private field = TASK_FIELDS[0] as Field;
  private dictionary: Dictionary = {};

  /** The open leaf whose text is read (a task field, a pair's Key or Value). */
  private leafMode = EMPTY;
  private leafStart = 0;
  private leafEnd = 0;
  private leafText = "";
  private leafNil = false;
  private leafHasChildren = false;

  private keySeen = false;
  private keyNil = false;
  private keyHasChildren = false;
  private keyText = "";
  private valueSeen = false;
  private valueNil = false;
  private valueHasChildren = false;
  private valueText = "";

  constructor(
    private readonly xml: string,
    private readonly options: DecodeOptions,
  ) {
    this.reading = newReading(options);
  }

  decode(): DecodeResult | null {
    try {
      this.scan();
    } catch (error) {
      if (error === DECLINE) return null;
      if (error instanceof MalformedXml) return { ok: false, failure: "malformed", detail: error.message };
      throw error;
    }
    const root = this.root as OpenNode;
    return refusing(() => decodeEnvelope(root, this.reading, (response) => this.tasksOf(response)));
  }

  /** The tasks read inline when `response` is the element they were read from (always, as roles follow the rules). */
  private tasksOf(response: XmlElement): Record<string, unknown>[] {
    if (response !== this.responseNode) return tasksOfTree(response, this.reading, this.options.maxTasks);
    if (this.taskRefusal !== null) throw this.taskRefusal;
    return this.tasks;
  }

  /** The whole document, each character checked against XML 1.0's Char production as it is read. */
  private scan(): void {
    const xml = this.xml;
    const length = xml.length;
    let pos = 0;
    if (matches(xml, 0, "<?xml") && (isSpace(xml.charCodeAt(5)) || xml.charCodeAt(5) === QUESTION)) {
      const declaration = XML_DECLARATION.exec(xml);
      if (declaration === null) throw DECLINE;
      pos = declaration[0].length;
    }
    for (;;) {
      let index = pos;
      let flags = 0;
      let code = xml.charCodeAt(index);
      for (;;) {
        if (code < 128) {
          const kind = TEXT_CLASSES[code] as number;
          if (kind !== 0) {
            if (kind === TEXT_END) break;
            if (kind === BRACKET) {
              if (xml.charCodeAt(index + 1) === CLOSE_BRACKET && xml.charCodeAt(index + 2) === GT) throw DECLINE;
            } else if (kind === NOT_CHAR) throw DECLINE;
            else flags |= kind;
          }
          code = xml.charCodeAt(++index);
        } else if (code < 0xd800) code = xml.charCodeAt(++index);
        else if (index < length) {
          index = afterNonAscii(xml, index, code);
          code = xml.charCodeAt(index);
        } else break;
      }
      if (index > pos) this.text(pos, index, flags);
      if (index >= length) break;
      const next = xml.charCodeAt(index + 1);
      if (next === SLASH) pos = this.endTag(index + 2);
      else if (next === BANG) pos = this.declaration(index);
      else if (next === QUESTION) pos = this.instruction(index);
      else pos = this.startTag(index);
    }
    if (this.depth !== 0 || this.root === null) throw DECLINE;
  }

  /** Character data [from, to) between markup; `flags` says whether it holds references or CRs. */
  private text(from: number, to: number, flags: number): void {
    const xml = this.xml;
    const depth = this.depth;
    if (depth === 0) {
      for (let index = from; index < to; index++) if (!isSpace(xml.charCodeAt(index))) throw DECLINE;
      return;
    }
    const frame = this.frames[depth - 1] as Frame;
    const role = frame.role;
    if (role >= FIELD && role <= VALUE && !this.leafHasChildren) {
      if (flags !== 0) this.collect(this.decodeText(from, to));
      else this.collectRaw(from, to);
    } else if (role < DOCUMENT && (frame.node as OpenNode).children.length === 0) {
      (frame.node as OpenNode).text += flags !== 0 ? this.decodeText(from, to) : xml.slice(from, to);
    } else if ((flags & HAS_REFERENCE) !== 0) {
      this.decodeText(from, to);
    }
  }

  /** A CDATA section's content [from, to): text without references, line ends normalised. */
  private cdata(from: number, to: number): void {
    const crs = checkChars(this.xml, from, to);
    if (from === to) return;
    const frame = this.frames[this.depth - 1] as Frame;
    const role = frame.role;
    if (role >= FIELD && role <= VALUE && !this.leafHasChildren) {
      if (crs) this.collect(this.normalisedSlice(from, to));
      else this.collectRaw(from, to);
    } else if (role < DOCUMENT && (frame.node as OpenNode).children.length === 0) {
      (frame.node as OpenNode).text += crs ? this.normalisedSlice(from, to) : this.xml.slice(from, to);
    }
  }

  private normalisedSlice(from: number, to: number): string {
    return this.xml.slice(from, to).replace(/\r\n?/g, "\n");
  }

  /** Text with references decoded and CR LF / CR read as LF (XML 1.0 section 2.11). */
  private decodeText(from: number, to: number): string {
    return this.normalised(from, to, false);
  }

  /** An attribute value with references decoded and tab, LF, CR LF and CR read as a space (XML 1.0 section 3.3.3). */
  private attributeValue(from: number, to: number): string {
    return this.normalised(from, to, true);
  }

  /**
   * [from, to) with references decoded and line ends normalised: CR LF and CR become LF in text, and, in an attribute
   * value, a space, as do tab and LF.
   */
  private normalised(from: number, to: number, attribute: boolean): string {
    const xml = this.xml;
    let out = "";
    let at = from;
    for (let index = from; index < to; index++) {
      const code = xml.charCodeAt(index);
      if (code === CR || (attribute && (code === TAB || code === LF))) {
        out += `${xml.slice(at, index)}${attribute ? " " : "\n"}`;
        if (code === CR && index + 1 < to && xml.charCodeAt(index + 1) === LF) index++;
        at = index + 1;
      } else if (code === AMP) {
        const semicolon = this.semicolon(index, to);
        out += xml.slice(at, index) + this.reference(index + 1, semicolon);
        index = semicolon;
        at = semicolon + 1;
      }
    }
    return out + xml.slice(at, to);
  }

  /** The `;` ending the reference that starts at `amp`, within [amp, to). */
  private semicolon(amp: number, to: number): number {
    for (let index = amp + 1; index < to; index++) if (this.xml.charCodeAt(index) === SEMICOLON) return index;
    throw DECLINE;
  }

  /** The text of the reference whose name is [from, to) (between `&` and `;`). */
  private reference(from: number, to: number): string {
    const xml = this.xml;
    if (xml.charCodeAt(from) === HASH) {
      const hex = xml.charCodeAt(from + 1) === LOWER_X;
      let index = hex ? from + 2 : from + 1;
      if (index === to) throw DECLINE;
      let code = 0;
      for (; index < to; index++) {
        const digit = digitValue(xml.charCodeAt(index), hex);
        if (digit < 0) throw DECLINE;
        code = code * (hex ? 16 : 10) + digit;
        if (code > 0x10ffff) throw DECLINE;
      }
      if (!isXmlChar(code)) throw DECLINE;
      return String.fromCodePoint(code);
    }
    const length = to - from;
    if (length === 2 && matches(xml, from, "lt")) return "<";
    if (length === 2 && matches(xml, from, "gt")) return ">";
    if (length === 3 && matches(xml, from, "amp")) return "&";
    if (length === 4 && matches(xml, from, "quot")) return '"';
    if (length === 4 && matches(xml, from, "apos")) return "'";
    throw DECLINE;
  }

  /** `<!--…-->`, `<![CDATA[…]]>`, or a DOCTYPE (refused); anything else is declined. */
  private declaration(lt: number): number {
    const xml = this.xml;
    if (matches(xml, lt, "<!--")) {
      const close = xml.indexOf("--", lt + 4);
      if (close === -1 || xml.charCodeAt(close + 2) !== GT) throw DECLINE;
      checkChars(xml, lt + 4, close);
      return close + 3;
    }
    if (matches(xml, lt, "<![CDATA[")) {
      const close = xml.indexOf("]]>", lt + 9);
      if (this.depth === 0 || close === -1) throw DECLINE;
      this.cdata(lt + 9, close);
      return close + 3;
    }
    if (matches(xml, lt, "<!DOCTYPE")) throw new MalformedXml(DOCTYPE_REFUSED);
    throw DECLINE;
  }

  /** A processing instruction other than an XML declaration (which only the prolog may hold). */
  private instruction(lt: number): number {
    const xml = this.xml;
    const index = this.scanName(lt + 2);
    if (this.colon !== -1 || (index - lt === 5 && xml.slice(lt + 2, index).toLowerCase() === "xml")) throw DECLINE;
    const code = xml.charCodeAt(index);
    if (code !== QUESTION && !isSpace(code)) throw DECLINE;
    const close = xml.indexOf("?>", index);
    if (close === -1) throw DECLINE;
    checkChars(xml, index, close);
    return close + 2;
  }

  /**
   * Scans the name at `from`: a name start character, then name characters, with at most one colon, followed by a
   * name start. Returns the index after it and leaves the colon's index and the local name's id in `colon` and
   * `nameId`; declines a name that is empty or ends in a colon (a second colon ends the name, for the caller to
   * decline as the character after a name).
   */
  private scanName(from: number): number {
    const xml = this.xml;
    const { expected, next, branchRow, branches } = TRIE;
    let state = ROOT;
    let colon = -1;
    let index = from;
    for (let code = xml.charCodeAt(index); code < 128; code = xml.charCodeAt(++index)) {
      if (code === expected[state]) {
        state = next[state] as number;
        continue;
      }
      const row = branchRow[state] as number;
      const to = row >= 0 ? (branches[row * 128 + code] as number) : offTrie(false, code);
      if (to >= 0) state = to;
      else if (to === COLON_FOUND && colon === -1) {
        colon = index;
        state = ROOT;
      } else break;
    }
    if (index === from || colon === index - 1) throw DECLINE;
    this.colon = colon;
    this.nameId = TRIE.names[state] as number;
    return index;
  }

  private startTag(lt: number): number {
    const xml = this.xml;
    const nameStart = lt + 1;
    let index = this.scanName(nameStart);
    const colon = this.colon;
    const nameId = this.nameId;
    const nameEnd = index;
    if (this.rootClosed) throw DECLINE;
    if (this.depth >= MAX_DEPTH) throw new MalformedXml(TOO_DEEP);
    let code = xml.charCodeAt(index);
    if (code === GT && nameId >= 0 && nameId < TASK_FIELDS.length) {
      const end = this.plainField(nameStart, colon, nameEnd, nameId);
      if (end !== -1) return end;
    } else if (code === GT && nameId === NAME_BATCH_TASK_INFO && colon === -1) {
      const end = this.patternTask(lt);
      if (end !== -1) return end;
    }
    let count = 0;
    let selfClosing = false;
    for (;;) {
      if (code === GT) {
        index++;
        break;
      }
      if (code === SLASH) {
        if (xml.charCodeAt(index + 1) !== GT) throw DECLINE;
        index += 2;
        selfClosing = true;
        break;
      }
      if (!isSpace(code)) throw DECLINE;
      do code = xml.charCodeAt(++index);
      while (isSpace(code));
      if (code === GT || code === SLASH) continue;
      if (count === MAX_ATTRIBUTES) throw DECLINE;
      index = this.attribute(count++, index);
      code = xml.charCodeAt(index);
    }
    this.open(nameStart, colon, nameEnd, nameId, count);
    if (selfClosing) this.close();
    return index;
  }

  /**
   * A whole task as WCF writes it, read with TASK_PATTERN (task-pattern.ts) without opening a frame: where the
   * general path would open it as a task (in the Response, in the contract's namespace, no refusal yet, room for one
   * more) and with `i` bound to XML Schema instance, as the pattern assumes. (Depth needs no check: the Response's
   * children sit at depth 4, and the pattern nests 5 deeper, far inside MAX_DEPTH.) Gives each value through the
   * same rules as the general path and returns the index after its end tag; returns -1, having changed nothing, when
   * the pattern does not match, for the general path.
   */
  private patternTask(lt: number): number {
    const depth = this.depth;
    if (
      depth === 0 ||
      (this.frames[depth - 1] as Frame).role !== RESPONSE ||
      this.taskRefusal !== null ||
      this.tasks.length === this.options.maxTasks ||
      this.defaultId !== CONTRACT ||
      this.prefixId("i") !== XSI
    )
      return -1;
    TASK_PATTERN.lastIndex = lt;
    let match: RegExpExecArray | null;
    try {
      match = TASK_PATTERN.exec(this.xml);
    } catch {
      // V8 ran out of backtracking stack on an outsized task: the general path reads it.
      return -1;
    }
    if (match === null) return -1;
    const values = this.values;
    // Whether the task holds an entity reference at all (most do not), from the search the tasks share.
    if (this.nextAmpersand < lt) {
      const found = this.xml.indexOf("&", lt);
      this.nextAmpersand = found === -1 ? this.xml.length : found;
    }
    const references = this.nextAmpersand < TASK_PATTERN.lastIndex;
    for (let index = 0; index < TASK_FIELDS.length; index++) {
      const text = match[2 * index + 1];
      const closing = match[2 * index + 2];
      if (text === undefined && closing === undefined) {
        values[index] = ABSENT_VALUES[index];
        continue;
      }
      const field = TASK_FIELDS[index] as Field;
      const nil = closing !== undefined && closing.length > 1;
      this.field = field;
      try {
        values[index] =
          field.kind === "dictionary"
            ? this.patternDictionary(nil, text ?? "", references)
            : this.textValue(nil, text === undefined ? "" : references ? decodeEntities(text) : text);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        this.taskRefusal = error;
        return TASK_PATTERN.lastIndex;
      }
    }
    this.tasks.push(taskOf(values));
    return TASK_PATTERN.lastIndex;
  }

  /** The id of the namespace `prefix` is bound to, or -1 when it is unbound. */
  private prefixId(prefix: string): number {
    for (let index = this.bindCount - 1; index >= 0; index--) {
      const binding = this.bindings[index] as Binding;
      if (binding.prefix === prefix) return binding.id;
    }
    return -1;
  }

  /**
   * A dictionary TASK_PATTERN matched: `pairs` is the text of its pairs, which `pairTexts` reads;
   * `references` says whether the task holds an entity reference anywhere. Keys are not checked one by one: a
   * dictionary with no missing key and as many own keys as pairs repeats none. Otherwise it is read again with every
   * check, which refuses it as the general path does (the same pair, the same words).
   */
  private patternDictionary(nil: boolean, pairs: string, references: boolean): Dictionary | null {
    if (nil) return null;
    const texts = references ? pairTexts(pairs).map((text) => (text === null ? null : decodeEntities(text))) : pairTexts(pairs);
    const dictionary: Dictionary = {};
    for (let index = 0; index < texts.length; index += 2) {
      const key = texts[index] as string | null;
      if (key === null) break;
      addEntry(dictionary, key, texts[index + 1] as string | null);
    }
    if (texts.length <= 2 ? texts[0] !== null : Object.keys(dictionary).length * 2 === texts.length) return dictionary;
    const checked: Dictionary = {};
    for (let index = 0; index < texts.length; index += 2) {
      addEntry(checked, this.checkedKey(checked, texts[index] as string | null), texts[index + 1] as string | null);
    }
    return checked;
  }

  /**
   * The common case, read without opening a frame: a task field without attributes holding plain text (no reference,
   * CR, `]`, markup or non-BMP character) and closed right after it (`</Name>`). Reads it as the general path would
   * (same checks, same value) and returns the index after its end tag; returns -1, having changed nothing, for
   * anything else, which the general path then reads.
   */
  private plainField(nameStart: number, colon: number, nameEnd: number, nameId: number): number {
    const parent = this.depth === 0 ? DOCUMENT : (this.frames[this.depth - 1] as Frame).role;
    const field = TASK_FIELDS[nameId] as Field;
    if (parent !== TASK || this.taskRefusal !== null || field.kind === "dictionary" || (this.seen & field.bit) !== 0) return -1;
    const id = colon === -1 ? this.defaultId : this.binding(nameStart, colon).id;
    if (id !== CONTRACT) return -1;
    const xml = this.xml;
    const textStart = nameEnd + 1;
    let index = textStart;
    for (let code = xml.charCodeAt(index); ; code = xml.charCodeAt(++index)) {
      if (code < 128) {
        if (TEXT_CLASSES[code] !== 0) break;
      } else if (!(code < 0xd800)) return -1;
    }
    const qLength = nameEnd - nameStart;
    if (!this.closes(index, nameStart, qLength)) return -1;
    this.seen |= field.bit;
    this.field = field;
    this.leafMode = index === textStart ? EMPTY : RAW;
    this.leafStart = textStart;
    this.leafEnd = index;
    this.leafNil = false;
    this.leafHasChildren = false;
    this.endField();
    return index + 3 + qLength;
  }

  /** Whether `</` + the qualified name [nameStart, nameStart + qLength) + `>` is at `at`. */
  private closes(at: number, nameStart: number, qLength: number): boolean {
    const xml = this.xml;
    return (
      xml.charCodeAt(at) === 0x3c &&
      xml.charCodeAt(at + 1) === SLASH &&
      xml.charCodeAt(at + 2 + qLength) === GT &&
      sameText(xml, at + 2, nameStart, qLength)
    );
  }

  /** Reads the attribute at `from` into slot `slot`; returns the index after its closing quote. */
  private attribute(slot: number, from: number): number {
    const xml = this.xml;
    const attribute = this.attributes[slot] ?? newAttribute();
    this.attributes[slot] = attribute;
    let index = this.scanName(from);
    attribute.nameStart = from;
    attribute.nameEnd = index;
    attribute.colon = this.colon;
    attribute.nameId = this.nameId;
    let code = xml.charCodeAt(index);
    while (isSpace(code)) code = xml.charCodeAt(++index);
    if (code !== EQUALS) throw DECLINE;
    do code = xml.charCodeAt(++index);
    while (isSpace(code));
    if (code !== DQUOTE && code !== SQUOTE) throw DECLINE;
    const quote = code;
    const valueStart = index + 1;
    const plain = quote === DQUOTE ? PLAIN_DOUBLE_QUOTED : PLAIN_SINGLE_QUOTED;
    plain.lastIndex = valueStart;
    if (plain.test(xml)) {
      attribute.valueStart = valueStart;
      attribute.valueEnd = plain.lastIndex - 1;
      attribute.value = null;
      return plain.lastIndex;
    }
    let special = false;
    for (code = xml.charCodeAt(++index); code !== quote; code = xml.charCodeAt(++index)) {
      if (code < 128) {
        const kind = TEXT_CLASSES[code] as number;
        if (kind === TEXT_END || kind === NOT_CHAR) throw DECLINE;
        if (kind === HAS_REFERENCE || code === TAB || code === LF || code === CR) special = true;
      } else if (!(code < 0xd800)) {
        if (index >= xml.length) throw DECLINE;
        index = afterNonAscii(xml, index, code) - 1;
      }
    }
    attribute.valueStart = valueStart;
    attribute.valueEnd = index;
    attribute.value = special ? this.attributeValue(valueStart, index) : null;
    return index + 1;
  }

  private endTag(from: number): number {
    if (this.depth === 0) throw DECLINE;
    const xml = this.xml;
    const { qStart, qLength } = this.frames[this.depth - 1] as Frame;
    for (let index = 0; index < qLength; index++) {
      if (xml.charCodeAt(from + index) !== xml.charCodeAt(qStart + index)) throw DECLINE;
    }
    let index = from + qLength;
    let code = xml.charCodeAt(index);
    while (isSpace(code)) code = xml.charCodeAt(++index);
    if (code !== GT) throw DECLINE;
    this.close();
    return index + 1;
  }

  private valueOf(attribute: Attribute): string {
    return attribute.value ?? this.xml.slice(attribute.valueStart, attribute.valueEnd);
  }

  private is(from: number, to: number, name: string): boolean {
    return to - from === name.length && matches(this.xml, from, name);
  }

  private idOf(uri: string): number {
    if (uri === "") return NO_NAMESPACE;
    if (uri === this.reading.ns) return CONTRACT;
    if (uri === NS.soap11) return SOAP11;
    if (uri === NS.soap12) return SOAP12;
    return uri === NS.xsi ? XSI : OTHER;
  }

  /** The binding of the prefix [from, to); declines an unbound prefix. */
  private binding(from: number, to: number): Binding {
    const length = to - from;
    for (let index = this.bindCount - 1; index >= 0; index--) {
      const binding = this.bindings[index] as Binding;
      if (binding.prefix.length === length && matches(this.xml, from, binding.prefix)) return binding;
    }
    throw DECLINE;
  }

  /** Whether the attribute's prefix is `xmlns` (a namespace declaration, like an unprefixed `xmlns`). */
  private declares(attribute: Attribute): boolean {
    return attribute.colon === -1 ? attribute.nameId === NAME_XMLNS : this.is(attribute.nameStart, attribute.colon, "xmlns");
  }

  /**
   * Applies the namespace declarations among the start tag's `count` attributes, checks the others' prefixes and
   * that no two are the same attribute, and says whether the element is `xsi:nil` (`true` or `1`).
   */
  private declare(count: number): boolean {
    for (let index = 0; index < count; index++) {
      const attribute = this.attributes[index] as Attribute;
      if (!this.declares(attribute)) continue;
      const uri = this.valueOf(attribute).trim();
      if (uri === XML_NS || uri === XMLNS_NS) throw DECLINE;
      if (attribute.colon === -1) {
        this.defaultUri = uri;
        this.defaultId = this.idOf(uri);
        continue;
      }
      const prefix = this.xml.slice(attribute.colon + 1, attribute.nameEnd);
      if (uri === "" || prefix === "xml" || prefix === "xmlns" || this.bindCount === MAX_BINDINGS) throw DECLINE;
      this.bindings[this.bindCount++] = { prefix, uri, id: this.idOf(uri) };
    }
    let nil = false;
    for (let index = 0; index < count; index++) {
      const attribute = this.attributes[index] as Attribute;
      if (attribute.colon !== -1 && !this.declares(attribute)) {
        const binding = this.binding(attribute.nameStart, attribute.colon);
        if (binding.id === XSI && attribute.nameId === NAME_NIL) {
          const value = this.valueOf(attribute);
          nil = value === "true" || value === "1";
        }
      }
      for (let other = 0; other < index; other++) {
        if (this.sameAttribute(this.attributes[other] as Attribute, attribute)) throw DECLINE;
      }
    }
    return nil;
  }

  /** Whether two attributes of one start tag are the same: the same name, or the same local name in one namespace. */
  private sameAttribute(a: Attribute, b: Attribute): boolean {
    const xml = this.xml;
    if ((a.colon === -1) !== (b.colon === -1)) return false;
    if (a.colon === -1) {
      const length = a.nameEnd - a.nameStart;
      return length === b.nameEnd - b.nameStart && sameText(xml, a.nameStart, b.nameStart, length);
    }
    const localLength = a.nameEnd - a.colon;
    if (localLength !== b.nameEnd - b.colon || !sameText(xml, a.colon, b.colon, localLength)) return false;
    const aDeclares = this.declares(a);
    if (aDeclares || this.declares(b)) return aDeclares === this.declares(b);
    return this.binding(a.nameStart, a.colon).uri === this.binding(b.nameStart, b.colon).uri;
  }

  /** A start tag is complete: bind its namespaces, resolve its name, give it a role. */
  private open(nameStart: number, colon: number, nameEnd: number, nameId: number, count: number): void {
    const depth = this.depth;
    const frame = this.frames[depth] ?? newFrame();
    this.frames[depth] = frame;
    frame.qStart = nameStart;
    frame.qLength = nameEnd - nameStart;
    frame.bindMark = this.bindCount;
    frame.defaultUri = this.defaultUri;
    frame.defaultId = this.defaultId;
    const nil = count > 0 && this.declare(count);
    let uri = this.defaultUri;
    let id = this.defaultId;
    if (colon !== -1) {
      if (this.is(nameStart, colon, "xmlns")) throw DECLINE;
      const binding = this.binding(nameStart, colon);
      uri = binding.uri;
      id = binding.id;
    }
    const parent = depth === 0 ? DOCUMENT : (this.frames[depth - 1] as Frame).role;
    this.depth = depth + 1;
    if (parent > DOCUMENT) {
      frame.node = null;
      frame.role = this.inlineRole(parent, id, nameId, nil);
      return;
    }
    const localStart = colon === -1 ? nameStart : colon + 1;
    const role = this.treeRole(parent, id, localStart, nameEnd, nil);
    const node: OpenNode = {
      namespace: uri === "" ? null : uri,
      localName: this.xml.slice(localStart, nameEnd),
      nil,
      children: [],
      text: "",
    };
    if (parent === DOCUMENT) this.root = node;
    else {
      const parentNode = (this.frames[depth - 1] as Frame).node as OpenNode;
      parentNode.text = "";
      parentNode.children.push(node);
    }
    if (role === RESPONSE) this.responseNode = node;
    frame.node = node;
    frame.role = role;
  }

  /** Which element of the envelope this is, following `decodeEnvelope`'s choices (first Body, its first child…). */
  private treeRole(parent: number, id: number, from: number, to: number, nil: boolean): number {
    if (parent === DOCUMENT) {
      if ((id !== SOAP11 && id !== SOAP12) || !this.is(from, to, "Envelope")) return TREE;
      this.envelopeId = id;
      return ENVELOPE;
    }
    if (parent === ENVELOPE) {
      if (this.bodySeen || id !== this.envelopeId || !this.is(from, to, "Body")) return TREE;
      this.bodySeen = true;
      return BODY;
    }
    if (parent === BODY) {
      if (this.bodyHasChild) return TREE;
      this.bodyHasChild = true;
      return id === CONTRACT && this.is(from, to, OPERATION_RESPONSE) ? PAYLOAD : TREE;
    }
    if (parent === PAYLOAD && !this.responseSeen && id === CONTRACT && this.is(from, to, "Response")) {
      this.responseSeen = true;
      return nil ? TREE : RESPONSE;
    }
    return TREE;
  }

  /** The role of an element inside the chosen Response, following `tasksOfTree` (and `decodeTask`…). */
  private inlineRole(parent: number, id: number, nameId: number, nil: boolean): number {
    if (parent === TASK) return this.openField(id, nameId, nil);
    if (parent === RESPONSE) return this.openTask(id, nameId, nil);
    if (parent === PAIR) {
      if (id !== CONTRACT) return SKIP;
      if (nameId === NAME_KEY && !this.keySeen) {
        this.keySeen = true;
        this.startLeaf(nil);
        return KEY;
      }
      if (nameId === NAME_VALUE && !this.valueSeen) {
        this.valueSeen = true;
        this.startLeaf(nil);
        return VALUE;
      }
      return SKIP;
    }
    if (parent === DICTIONARY) {
      if (this.taskRefusal !== null || id !== CONTRACT || nameId !== NAME_PAIR) return SKIP;
      this.keySeen = false;
      this.valueSeen = false;
      return PAIR;
    }
    // The parent is a leaf being read (a field, a Key, a Value), which must not hold elements, or is skipped.
    if (parent !== SKIP) this.leafHasChildren = true;
    return SKIP;
  }

  private openTask(id: number, nameId: number, nil: boolean): number {
    if (this.taskRefusal !== null || id !== CONTRACT || nameId !== NAME_BATCH_TASK_INFO) return SKIP;
    const index = this.tasks.length;
    if (index === this.options.maxTasks) this.taskRefusal = tooManyTasks(this.options.maxTasks);
    else if (nil) this.taskRefusal = nilTask(`BatchTaskInfo[${index}]`);
    else {
      for (let at = 0; at < ABSENT_VALUES.length; at++) this.values[at] = ABSENT_VALUES[at];
      this.seen = 0;
      return TASK;
    }
    return SKIP;
  }

  private openField(id: number, nameId: number, nil: boolean): number {
    if (this.taskRefusal !== null || id !== CONTRACT || nameId < 0 || nameId >= TASK_FIELDS.length) return SKIP;
    const field = TASK_FIELDS[nameId] as Field;
    if ((this.seen & field.bit) !== 0) {
      this.taskRefusal = repeatedField(`BatchTaskInfo[${this.tasks.length}]`, field.element);
      return SKIP;
    }
    this.seen |= field.bit;
    this.field = field;
    if (field.kind !== "dictionary") {
      this.startLeaf(nil);
      return FIELD;
    }
    if (nil) {
      this.values[field.index] = null;
      return SKIP;
    }
    this.dictionary = {};
    return DICTIONARY;
  }

  private startLeaf(nil: boolean): void {
    this.leafMode = EMPTY;
    this.leafNil = nil;
    this.leafHasChildren = false;
  }

  private collectRaw(from: number, to: number): void {
    if (this.leafMode === EMPTY) {
      this.leafMode = RAW;
      this.leafStart = from;
      this.leafEnd = to;
    } else this.collect(this.xml.slice(from, to));
  }

  private collect(text: string): void {
    if (this.leafMode === RAW) this.leafText = this.xml.slice(this.leafStart, this.leafEnd) + text;
    else if (this.leafMode === EMPTY) this.leafText = text;
    else this.leafText += text;
    this.leafMode = STRING;
  }

  private collected(): string {
    if (this.leafMode === RAW) return this.xml.slice(this.leafStart, this.leafEnd);
    return this.leafMode === EMPTY ? "" : this.leafText;
  }

  /** An element ends: finish what its role reads, then leave its namespace scope. */
  private close(): void {
    const depth = --this.depth;
    const frame = this.frames[depth] as Frame;
    const role = frame.role;
    if (role === FIELD) this.endField();
    else if (role === KEY) {
      this.keyNil = this.leafNil;
      this.keyHasChildren = this.leafHasChildren;
      this.keyText = this.collected();
    } else if (role === VALUE) {
      this.valueNil = this.leafNil;
      this.valueHasChildren = this.leafHasChildren;
      this.valueText = this.collected();
    } else if (role === PAIR) this.endPair();
    else if (role === DICTIONARY) {
      if (this.taskRefusal === null) this.values[this.field.index] = this.dictionary;
    } else if (role === TASK && this.taskRefusal === null) this.tasks.push(taskOf(this.values));
    this.bindCount = frame.bindMark;
    this.defaultUri = frame.defaultUri;
    this.defaultId = frame.defaultId;
    if (depth === 0) this.rootClosed = true;
  }

  private where(): string {
    return `BatchTaskInfo[${this.tasks.length}].${this.field.element}`;
  }

  private endField(): void {
    try {
      this.values[this.field.index] = this.fieldValue();
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.taskRefusal = error;
    }
  }

  /** `decodeField`'s rules, with shortcuts that give the same value for plain digits, booleans, states and dates. */
  private fieldValue(): unknown {
    const kind = this.field.kind;
    if (!this.leafNil) {
      if (this.leafHasChildren) throw holdsElements(this.where());
      if (this.leafMode === RAW) {
        if (kind === "int") {
          const value = rawInteger(this.xml, this.leafStart, this.leafEnd);
          if (!Number.isNaN(value)) return value;
        } else if (kind === "bool") {
          const value = rawBoolean(this.xml, this.leafStart, this.leafEnd);
          if (value !== null) return value;
        }
      }
    }
    return this.textValue(this.leafNil, this.leafNil ? "" : this.collected());
  }

  /** The current field's value from its nil flag and its text, once it is known to hold no elements. */
  private textValue(nil: boolean, text: string): unknown {
    const { kind, element } = this.field;
    if (nil) {
      if (kind === "string" || kind === "dateTime") return null;
      throw nilNotNillable(this.where());
    }
    if (kind === "string") return text;
    if (kind === "int") {
      const value = rawInteger(text, 0, text.length);
      if (!Number.isNaN(value)) return value;
    } else if (kind === "bool") {
      const value = rawBoolean(text, 0, text.length);
      if (value !== null) return value;
    } else if (kind === "dateTime") return dateTimeValue(text);
    else if (kind === "state") {
      const state = knownState(text);
      if (state !== undefined) return state;
    }
    return scalarValue(kind, text, this.where(), element, this.reading);
  }

  /** `decodeDictionary`'s rules for one pair: the key (present, not nil, text only, not repeated), then the value. */
  private endPair(): void {
    try {
      if (this.keySeen && !this.keyNil && this.keyHasChildren) throw holdsElements(`${this.where()}.Key`);
      const key = this.keySeen && !this.keyNil ? this.keyText : null;
      const checked = this.checkedKey(this.dictionary, key);
      if (this.valueSeen && !this.valueNil && this.valueHasChildren) throw holdsElements(`${this.where()}.Value`);
      addEntry(this.dictionary, checked, this.valueSeen && !this.valueNil ? this.valueText : null);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.taskRefusal = error;
    }
  }

  /**
   * A pair's key as `dictionaryKey` checks it (present, not repeated), without its call in the common case: a value is
   * a string or null, never undefined, so only a key the dictionary holds, or one its prototype answers (`toString`),
   * reads as anything else; a plain read is a cheaper test than `Object.hasOwn`.
   */
  private checkedKey(dictionary: Dictionary, key: string | null): string {
    return key === null || dictionary[key] !== undefined ? dictionaryKey(key, dictionary, this.where()) : key;
  }
}

/** Whether `xml` holds `text` at `from` (an inlined loop: `startsWith` is a call TurboFan does not inline). */
function matches(xml: string, from: number, text: string): boolean {
  for (let index = 0; index < text.length; index++) if (xml.charCodeAt(from + index) !== text.charCodeAt(index)) return false;
  return true;
}

/**
 * The index after the non-ASCII character at `index` (code unit `code`, not below U+D800): a surrogate pair is one
 * character; a lone surrogate, U+FFFE and U+FFFF are not XML characters and are declined.
 */
function afterNonAscii(xml: string, index: number, code: number): number {
  if (code <= 0xdbff) {
    const low = xml.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return index + 2;
    throw DECLINE;
  }
  if (code <= 0xdfff || code >= 0xfffe) throw DECLINE;
  return index + 1;
}

/** Checks that [from, to) holds only XML characters; says whether it holds a CR (to normalise). */
function checkChars(xml: string, from: number, to: number): boolean {
  let crs = false;
  for (let index = from; index < to; index++) {
    const code = xml.charCodeAt(index);
    if (code < 128) {
      if (TEXT_CLASSES[code] === NOT_CHAR) throw DECLINE;
      if (code === CR) crs = true;
    } else if (code >= 0xd800) index = afterNonAscii(xml, index, code) - 1;
  }
  return crs;
}

function sameText(xml: string, a: number, b: number, length: number): boolean {
  for (let index = 0; index < length; index++) if (xml.charCodeAt(a + index) !== xml.charCodeAt(b + index)) return false;
  return true;
}

function digitValue(code: number, hex: boolean): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (!hex) return -1;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** `Number(text)` for text of an optional sign and up to 15 digits (exact as a double); NaN for anything else. */
function rawInteger(xml: string, from: number, to: number): number {
  const sign = xml.charCodeAt(from);
  const negative = sign === 0x2d;
  const start = negative || sign === 0x2b ? from + 1 : from;
  if (start === to || to - start > 15) return Number.NaN;
  let value = 0;
  for (let index = start; index < to; index++) {
    const digit = xml.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** xs:boolean's four spellings, untrimmed; `null` for anything else. */
function rawBoolean(xml: string, from: number, to: number): boolean | null {
  const length = to - from;
  if (length === 4 && matches(xml, from, "true")) return true;
  if (length === 5 && matches(xml, from, "false")) return false;
  if (length === 1) {
    const code = xml.charCodeAt(from);
    if (code === 0x31) return true;
    if (code === 0x30) return false;
  }
  return null;
}

/**
 * Decodes a NetServer answer in one pass, or returns `null` when the text is anything it does not fully handle (then
 * read it with a tree decoder). Never throws for any input.
 */
export function decodeInOnePass(xml: string, options: DecodeOptions): DecodeResult | null {
  return declaresAnotherEncoding(xml) ?? new OnePass(xml, options).decode();
}
