/**
 * Deterministic mutations of XML text for differential fuzzing: each one makes a document that is slightly wrong,
 * or slightly unusual but still right, in the ways a broken proxy, a newer server or an attacker could.
 */

/** A small seeded PRNG (mulberry32), so every run fuzzes the same inputs and a failure can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
type Mutation = (xml: string, rng: Rng) => string;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const at = (rng: Rng, xml: string): number => Math.floor(rng() * (xml.length + 1));
const insert = (xml: string, index: number, text: string): string => xml.slice(0, index) + text + xml.slice(index);

/** Offsets just after a `>`: between tags or at the start of text, where markup may be inserted. */
function tagBoundary(rng: Rng, xml: string): number {
  const offsets: number[] = [];
  for (let index = xml.indexOf(">"); index !== -1; index = xml.indexOf(">", index + 1)) offsets.push(index + 1);
  return offsets.length === 0 ? at(rng, xml) : pick(rng, offsets);
}

/** Offsets just before the `>` or `/>` ending a start tag, where an attribute may be inserted. */
function startTagEnd(rng: Rng, xml: string): number {
  const offsets: number[] = [];
  for (const match of xml.matchAll(/<[^/!?][^<>]*?(\/?)>/g))
    offsets.push(match.index + match[0].length - 1 - (match[1] ?? "").length);
  return offsets.length === 0 ? at(rng, xml) : pick(rng, offsets);
}

const SPECIAL_CHARACTERS = [
  "<",
  ">",
  "&",
  '"',
  "'",
  "/",
  "=",
  ":",
  " ",
  "x",
  "]",
  "\u0000",
  "\u0001",
  "\uFFFE",
  "\uD800",
  "\r",
  "é",
];

const ENTITIES = [
  "&amp;",
  "&lt;",
  "&gt;",
  "&quot;",
  "&apos;",
  "&#65;",
  "&#x1F680;",
  "&#0;",
  "&#xD800;",
  "&#x110000;",
  "&leak;",
  "&nbsp;",
  "&",
  "&#;",
  "&#x;",
];

const MARKUP = [
  "<x/>",
  "<Extra>1</Extra>",
  '<Id xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85">9</Id>',
  "<BatchTaskInfo/>",
  "<!-- comment -->",
  "<?pi data?>",
  "<![CDATA[<cdata> & ]]>",
  "<![CDATA[]]>",
  "]]>",
  "<u:x/>",
  '<a xmlns:u="urn:u"><u:b/></a>',
  "</x>",
  '<?xml version="1.0"?>',
  "\r\n \t",
];

const DOCTYPES = [
  '<!DOCTYPE s:Envelope [<!ENTITY leak "expanded-entity-text">]>',
  "<!DOCTYPE html>",
  '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
  '<!DOCTYPE x [<!ENTITY a "&#38;#60;">]>',
];

const ATTRIBUTES = [
  ' i:nil="true"',
  ' i:nil="1"',
  ' i:nil="false"',
  ' i:nil=" true "',
  ' xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"',
  ' xsi:nil="true"',
  ' a="1" a="2"',
  ' xmlns="urn:other"',
  ' xmlns=""',
  ' xmlns:s="urn:other"',
  " a=unquoted",
  ' a="<"',
  ' xml:lang="en"',
];

const PREFIX_RENAMES: readonly (readonly [from: RegExp, to: string])[] = [
  [/\bs:/g, "soap:"],
  [/\bi:/g, "xsi:"],
  [/xmlns:s=/g, "xmlns:t="],
  [/xmlns:i=/g, "xmlns:j="],
  [/<s:Envelope /g, '<s:Envelope xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85" '],
  [/ xmlns="http:\/\/www\.superoffice\.net\/ws\/crm\/NetServer\/Services85"/g, ""],
  [/<(\/?)(Id|Name|State)>/g, "<$1n:$2>"],
  [/<BatchTaskInfo>/g, '<n:BatchTaskInfo xmlns:n="http://www.superoffice.net/ws/crm/NetServer/Services85">'],
];

const MUTATIONS: readonly Mutation[] = [
  (xml, rng) => xml.slice(0, at(rng, xml)),
  (xml, rng) => {
    const index = Math.min(at(rng, xml), xml.length - 1);
    return xml.slice(0, index) + pick(rng, SPECIAL_CHARACTERS) + xml.slice(index + 1);
  },
  (xml, rng) => insert(xml, at(rng, xml), pick(rng, SPECIAL_CHARACTERS)),
  (xml, rng) => {
    const index = at(rng, xml);
    return xml.slice(0, index) + xml.slice(index + 1 + Math.floor(rng() * 8));
  },
  (xml, rng) => insert(xml, tagBoundary(rng, xml), pick(rng, ENTITIES)),
  (xml, rng) => insert(xml, tagBoundary(rng, xml), pick(rng, MARKUP)),
  (xml, rng) => {
    const declaration = /^<\?xml[^>]*\?>/.exec(xml)?.[0] ?? "";
    return declaration + pick(rng, DOCTYPES) + xml.slice(declaration.length);
  },
  (xml, rng) => insert(xml, startTagEnd(rng, xml), pick(rng, ATTRIBUTES)),
  (xml, rng) => (rng() < 0.5 ? xml.replace(/ i:nil="true"/, "") : xml.replaceAll(' i:nil="true"', ' i:nil="false"')),
  (xml, rng) => {
    const [from, to] = pick(rng, PREFIX_RENAMES);
    return rng() < 0.7 ? xml.replace(from, to) : xml.replace(new RegExp(from.source), to);
  },
  (xml, rng) => pick(rng, ["\uFEFF", " ", "\n", "x", '<?xml version="1.1"?>', '<?xml version="1.0" encoding="utf-16"?>']) + xml,
];

/** `count` mutants of `xml`, each made by one to three mutations, reproducible from `seed`. */
export function mutants(xml: string, seed: number, count: number): string[] {
  const rng = random(seed);
  const result: string[] = [];
  for (let index = 0; index < count; index++) {
    let mutant = xml;
    const steps = 1 + Math.floor(rng() * 3);
    for (let step = 0; step < steps; step++) mutant = pick(rng, MUTATIONS)(mutant, rng);
    result.push(mutant);
  }
  return result;
}
