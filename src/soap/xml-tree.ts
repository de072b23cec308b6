/**
 * The parser-neutral view of a SOAP answer that the decoder reads: elements with their namespace, local name,
 * `xsi:nil` flag, child elements and character data. Comments, processing instructions and other attributes are
 * not kept. Each parser module (`xml-saxes.ts`, `xml-xmldom.ts`) turns XML text into this shape.
 */
export interface XmlElement {
  /** The namespace URI, or `null` for an element in no namespace. */
  readonly namespace: string | null;
  readonly localName: string;
  /** `xsi:nil` is `true` or `1`. */
  readonly nil: boolean;
  readonly children: readonly XmlElement[];
  /** The element's character data (text and CDATA, entities decoded) when it has no child elements, else `""`. */
  readonly text: string;
}

/** Parses a whole XML document and returns its root element; throws `MalformedXml` when it cannot. */
export type XmlParser = (xml: string) => XmlElement;

/** The text is not a namespace-well-formed XML document, or it has a DOCTYPE. The message is safe to show callers. */
export class MalformedXml extends Error {}

/** The message for any DOCTYPE: refused before an entity it declares could be expanded. */
export const DOCTYPE_REFUSED = "a SOAP message must not contain a DOCTYPE";

/**
 * The deepest element nesting accepted (the envelope is depth 1). A real answer needs about 8 levels; refusing
 * deeper documents as soon as the limit is crossed keeps a hostile answer from costing time that grows with the
 * square of its depth (saxes walks the open-tag stack to resolve each prefix).
 */
export const MAX_DEPTH = 32;

export const TOO_DEEP = `the response nests elements deeper than ${MAX_DEPTH} levels`;

/** Wraps a parser's own error message. */
export function notWellFormed(message: string): MalformedXml {
  return new MalformedXml(`the response is not well-formed XML (${message || "unreadable"})`);
}
