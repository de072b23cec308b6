import { DOMParser, type Document, type Element, type Node } from "@xmldom/xmldom";
import { NS } from "./namespaces.js";
import { DOCTYPE_REFUSED, MAX_DEPTH, MalformedXml, notWellFormed, TOO_DEEP, type XmlElement } from "./xml-tree.js";

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

type Built = { namespace: string | null; localName: string; nil: boolean; children: XmlElement[]; text: string };

type Pending = { node: Node; built: Built; depth: number };

function shallow(element: Element): Built {
  const nil = element.getAttributeNS(NS.xsi, "nil");
  return {
    namespace: element.namespaceURI,
    localName: element.localName ?? element.nodeName,
    nil: nil === "true" || nil === "1",
    children: [],
    text: "",
  };
}

/**
 * Copies the DOM into `XmlElement`s without recursion, so deep nesting cannot exhaust the stack; refuses nesting
 * deeper than `MAX_DEPTH`, as the saxes reader does (xmldom has built the whole DOM by then: it is only the reference).
 */
function convert(rootElement: Element): XmlElement {
  const root = shallow(rootElement);
  const pending: Pending[] = [{ node: rootElement, built: root, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, built, depth } = next;
    let text = "";
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType === ELEMENT_NODE) {
        if (depth >= MAX_DEPTH) throw new MalformedXml(TOO_DEEP);
        const element = shallow(child as Element);
        built.children.push(element);
        pending.push({ node: child, built: element, depth: depth + 1 });
      } else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
        text += child.nodeValue ?? "";
      }
    }
    if (built.children.length === 0) built.text = text;
  }
  return root;
}

/**
 * Parses with `@xmldom/xmldom` 0.9 (the original parser of record), then copies the DOM into `XmlElement`s.
 * Not used by the Worker: it is the reference the saxes parser is checked against (test/soap) and benchmarked with.
 */
export function parseWithXmldom(xml: string): XmlElement {
  let problem = "";
  const parser = new DOMParser({
    locator: false,
    onError: (level, message) => {
      if (level === "warning") return;
      problem ||= message;
      throw new MalformedXml(message);
    },
  });
  let document: Document;
  try {
    document = parser.parseFromString(xml, "text/xml");
  } catch {
    throw notWellFormed(problem);
  }
  if (document.doctype !== null) throw new MalformedXml(DOCTYPE_REFUSED);
  const root = document.documentElement;
  if (root === null) throw new MalformedXml("the response is not an XML document");
  return convert(root);
}
