import { DOMParser } from "@xmldom/xmldom";

/** A character outside XML 1.0's `Char` production (C0 controls, lone surrogates, U+FFFE, U+FFFF). */
const NON_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]*|[0-9]*);/g;
const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;
const BARE_AMPERSAND = /&(?!(?:[A-Za-z_:][\w.:-]*|#[0-9]+|#x[0-9a-fA-F]+);)/;
/** Comments, processing instructions and white space: what may surround the root element. */
const MISC = String.raw`(?:\s|<!--[\s\S]*?-->|<\?[\s\S]*?\?>)*`;
const CDATA_OUTSIDE_ROOT = new RegExp(String.raw`^${MISC}<!\[CDATA\[|\]\]>${MISC}$`);

function badCharacterReference(xml: string): boolean {
  for (const [, digits = ""] of xml.matchAll(CHARACTER_REFERENCE)) {
    const value = digits.startsWith("x") ? Number.parseInt(digits.slice(1), 16) : Number.parseInt(digits, 10);
    if (!Number.isFinite(value) || value > 0x10ffff || NON_CHAR.test(String.fromCodePoint(value))) return true;
  }
  return false;
}

/** A `/` inside a start tag that does not end it (`<a//>`, `<a / b>`); quoted attribute values aside. */
function strayStartTagSlash(xml: string): boolean {
  for (const [tag] of xml.matchAll(/<[A-Za-z_:][^<>]*>/g)) {
    if (/\/(?!>$)/.test(tag.replace(/"[^"]*"|'[^']*'/g, '""'))) return true;
  }
  return false;
}

function xmldomWarns(xml: string): boolean {
  let warned = false;
  const parser = new DOMParser({
    locator: false,
    onError: (level) => {
      if (level === "warning") warned = true;
    },
  });
  try {
    parser.parseFromString(xml, "text/xml");
  } catch {
    return warned;
  }
  return warned;
}

/**
 * The well-formedness rule of XML 1.0 that `xml` breaks and that `@xmldom/xmldom` 0.9 does not enforce (it accepts
 * such a document, at most with a warning), or `null`. A conforming parser must refuse these documents, so they are
 * the only ones on which the saxes decoder may refuse what the xmldom decoder accepted.
 */
export function xmldomGap(xml: string): string | null {
  if (NON_CHAR.test(xml)) return "a character outside XML's Char production";
  if (badCharacterReference(xml)) return "a character reference to a non-character";
  if (xml.replace(CDATA_SECTION, "").includes("]]>")) return '"]]>" in character data';
  if (BARE_AMPERSAND.test(xml.replace(CDATA_SECTION, ""))) return "an & that starts no reference";
  if (CDATA_OUTSIDE_ROOT.test(xml)) return "a CDATA section outside the root element";
  if (strayStartTagSlash(xml)) return "a slash in a start tag that does not end it";
  if (xmldomWarns(xml)) return "an attribute without a quoted value (an xmldom warning)";
  return null;
}
