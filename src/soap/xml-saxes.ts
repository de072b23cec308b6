import { SaxesParser, type SaxesTagNS } from "saxes";
import { NS } from "./namespaces.js";
import { DOCTYPE_REFUSED, MAX_DEPTH, MalformedXml, notWellFormed, TOO_DEEP, type XmlElement } from "./xml-tree.js";

type OpenElement = {
  namespace: string | null;
  localName: string;
  nil: boolean;
  children: XmlElement[];
  text: string;
};

function isNil(tag: SaxesTagNS): boolean {
  for (const name in tag.attributes) {
    const attribute = tag.attributes[name];
    if (attribute !== undefined && attribute.local === "nil" && attribute.uri === NS.xsi) {
      return attribute.value === "true" || attribute.value === "1";
    }
  }
  return false;
}

/**
 * Parses with saxes (namespace-aware, XML 1.0 conforming, no DTD processing), building the `XmlElement` tree in one
 * pass. Fails closed: any DOCTYPE is refused as soon as it is read, an undefined entity or unbound prefix is an error,
 * and nesting deeper than `MAX_DEPTH` is refused at the first start tag past it (saxes reports a start tag only
 * after resolving its namespaces, which walks the open tags, so the check must also come first).
 */
export function parseWithSaxes(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const open: OpenElement[] = [];
  const document: XmlElement[] = [];
  const addText = (text: string): void => {
    const parent = open[open.length - 1];
    if (parent !== undefined && parent.children.length === 0) parent.text += text;
  };
  parser.on("doctype", () => {
    throw new MalformedXml(DOCTYPE_REFUSED);
  });
  parser.on("error", (error) => {
    throw notWellFormed(error.message);
  });
  parser.on("opentagstart", () => {
    if (open.length >= MAX_DEPTH) throw new MalformedXml(TOO_DEEP);
  });
  parser.on("opentag", (tag) => {
    const element: OpenElement = {
      namespace: tag.uri === "" ? null : tag.uri,
      localName: tag.local,
      nil: isNil(tag),
      children: [],
      text: "",
    };
    const parent = open[open.length - 1];
    if (parent === undefined) document.push(element);
    else {
      parent.text = "";
      parent.children.push(element);
    }
    open.push(element);
  });
  parser.on("closetag", () => {
    open.pop();
  });
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.write(xml).close();
  const root = document[0];
  if (root === undefined) throw new MalformedXml("the response is not an XML document");
  return root;
}
