import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { SEED_TASKS, type SeedTask } from "../../emulator/seed.js";
import { successEnvelope } from "../../emulator/xml-writer.js";
import { decodeBatchResponse, decodeBatchResponseWith } from "../../src/soap/decode.js";
import { decodeInOnePass } from "../../src/soap/one-pass.js";
import { ABSENT_VALUES, TASK_FIELDS, taskOf } from "../../src/soap/rules.js";
import { TASK_PATTERN } from "../../src/soap/task-pattern.js";
import { parseWithSaxes } from "../../src/soap/xml-saxes.js";
import { DOCTYPE_REFUSED, TOO_DEEP } from "../../src/soap/xml-tree.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { DECODE_85 } from "./options.js";

const ENVELOPE_START =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><s:Body>' +
  '<GetBatchTaskInfosByAssociatesAndStateResponse xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85"><Response>';
const ENVELOPE_END = "</Response></GetBatchTaskInfosByAssociatesAndStateResponse></s:Body></s:Envelope>";
const withTasks = (...tasks: string[]) => ENVELOPE_START + tasks.join("") + ENVELOPE_END;
const task = (id: number, extra = "") => `<BatchTaskInfo><Id>${id}</Id>${extra}</BatchTaskInfo>`;

const saxes = (xml: string) => decodeBatchResponseWith(parseWithSaxes, xml, DECODE_85);

describe("the one-pass decoder: what it reads itself", () => {
  it("builds every task with the decoder's fields, in order", () => {
    expect(Object.keys(taskOf(ABSENT_VALUES))).toEqual(TASK_FIELDS.map((field) => field.name));
  });

  it("reads every task the general way when the task pattern throws (V8 out of backtracking stack)", () => {
    const xml = successEnvelope(SEED_TASKS);
    const expected = saxes(xml);
    const exec = vi.spyOn(TASK_PATTERN, "exec").mockImplementation(() => {
      throw new RangeError("Maximum call stack size exceeded");
    });
    try {
      expect(decodeInOnePass(xml, DECODE_85)).toEqual(expected);
      expect(exec).toHaveBeenCalledTimes(SEED_TASKS.length);
    } finally {
      exec.mockRestore();
    }
  });

  it.each([
    ["comments, processing instructions and CDATA in text", "<Name>a<!-- x --><?pi y?>b<![CDATA[<c>&]]></Name>", "ab<c>&"],
    ["references of every kind", "<Name>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F680;&#x00e9;</Name>", "<>&\"'A🚀é"],
    ["CR LF and CR, written raw, read as LF; a CR by reference kept", "<Name>a\r\nb\rc&#13;</Name>", "a\nb\nc\r"],
    ["white space around the text kept", "<Name>  a  </Name>", "  a  "],
    ["an end tag with white space before >", "<Name>a</Name \n>", "a"],
  ])("%s", (_name, field, name) => {
    const xml = withTasks(task(1, field));
    const result = decodeInOnePass(xml, DECODE_85);
    expect(result).toMatchObject({ ok: true, tasks: [{ id: 1, name }] });
    expect(result).toEqual(saxes(xml));
  });

  it("resolves prefixes by scope: a redeclared prefix, a default namespace undeclared and declared again", () => {
    const xml =
      '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body xmlns:e="urn:not-soap">' +
      '<x xmlns=""/></e:Body><e:Body><n:GetBatchTaskInfosByAssociatesAndStateResponse xmlns:n="http://www.superoffice.net/ws/crm/NetServer/Services85">' +
      '<n:Response><n:BatchTaskInfo xmlns:n="urn:other"><n:Id>9</n:Id></n:BatchTaskInfo><BatchTaskInfo xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85"><Id>2</Id></BatchTaskInfo></n:Response>' +
      "</n:GetBatchTaskInfosByAssociatesAndStateResponse></e:Body></e:Envelope>";
    const result = decodeInOnePass(xml, DECODE_85);
    expect(result).toMatchObject({ ok: true, tasks: [{ id: 2 }] });
    expect(result).toEqual(saxes(xml));
  });

  it("reads xsi:nil through any prefix, with references, and only as true or 1", () => {
    const xml = withTasks(
      task(
        1,
        '<Name xmlns:q="http://www.w3.org/2001/XMLSchema-instance" q:nil="&#116;rue"/><Context i:nil="1"/><Result i:nil=" true"/>',
      ),
    );
    expect(decodeInOnePass(xml, DECODE_85)).toMatchObject({ ok: true, tasks: [{ name: null, context: null, result: "" }] });
  });

  it("refuses a DOCTYPE and nesting deeper than 32 levels itself, with the saxes reader's words", () => {
    const doctype = `<!DOCTYPE s:Envelope [<!ENTITY e "x">]>${withTasks(task(1))}`;
    expect(decodeInOnePass(doctype, DECODE_85)).toEqual({ ok: false, failure: "malformed", detail: DOCTYPE_REFUSED });
    const deep = withTasks(`<BatchTaskInfo><Name>${"<x>".repeat(200_000)}`);
    expect(decodeInOnePass(deep, DECODE_85)).toEqual({ ok: false, failure: "malformed", detail: TOO_DEEP });
  });

  it("reports the first refusal in the task list in document order, as the tree decoder does", () => {
    const options = { ...DECODE_85, maxTasks: 2 };
    const bad = "<BatchTaskInfo><Id>x</Id></BatchTaskInfo>";
    expect(decodeInOnePass(withTasks(task(1), bad, task(3)), options)).toMatchObject({ failure: "malformed" });
    expect(decodeInOnePass(withTasks(task(1), task(2), task(3), bad), options)).toMatchObject({ failure: "too-large" });
    for (const xml of [withTasks(task(1), bad, task(3)), withTasks(task(1), task(2), task(3), bad)]) {
      expect(decodeInOnePass(xml, options)).toEqual(decodeBatchResponseWith(parseWithSaxes, xml, options));
    }
  });

  it("gives a fault, then the header's exception, precedence over the Body's content, wherever the Header is", () => {
    const header =
      '<s:Header><ExceptionInfo xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85"><Message>expired</Message></ExceptionInfo></s:Header>';
    const headerAfterBody = withTasks("<BatchTaskInfo><Id>x</Id></BatchTaskInfo>").replace("</s:Body>", `</s:Body>${header}`);
    expect(decodeInOnePass(headerAfterBody, DECODE_85)).toEqual({ ok: false, failure: "exception", detail: "expired" });
    const fault = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">${header}<s:Body><s:Fault><faultstring>down</faultstring></s:Fault></s:Body></s:Envelope>`;
    expect(decodeInOnePass(fault, DECODE_85)).toEqual({ ok: false, failure: "fault", detail: "down" });
  });
});

describe("the one-pass decoder: what it declines to the saxes decoder", () => {
  it.each([
    ["a byte order mark", `\uFEFF${wcf}`],
    ["an XML 1.1 declaration", `<?xml version="1.1"?>${wcf}`],
    ["a non-ASCII element name", withTasks(task(1, "<Nåme>x</Nåme>"))],
    ["a binding of the xml prefix", withTasks(task(1, '<x xmlns:xml="http://www.w3.org/XML/1998/namespace"/>'))],
    [
      "more than 16 attributes on one element",
      withTasks(task(1, `<x ${Array.from({ length: 17 }, (_, n) => `a${n}="1"`).join(" ")}/>`)),
    ],
    ["an unbound prefix", withTasks(task(1, "<x:Id>1</x:Id>"))],
    ["a lone surrogate", withTasks(task(1, "<Name>\uD800</Name>"))],
    ["mismatched tags", withTasks(task(1, "<Name>a</Names>"))],
    ["a bare &", withTasks(task(1, "<Name>a & b</Name>"))],
  ])("%s", (_name, xml) => {
    expect(decodeInOnePass(xml, DECODE_85)).toBeNull();
    expect(decodeBatchResponse(xml, DECODE_85)).toEqual(saxes(xml));
  });
});

/** Inputs built to cost a parser more than their length: depth, attributes, declarations, references, markup runs. */
const HOSTILE: Record<string, string> = {
  "deep nesting": "<a>".repeat(100_000),
  "deep nesting inside the task list": withTasks(
    `<BatchTaskInfo>${"<x>".repeat(31)}${"</x>".repeat(31)}</BatchTaskInfo>`.repeat(2000),
  ),
  "many attributes": `<a ${Array.from({ length: 5000 }, (_, n) => `a${n}="${n}"`).join(" ")}/>`,
  "many namespace declarations in scope": `${'<p xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:c">'.repeat(30)}${"<a:x/>".repeat(20_000)}`,
  "references everywhere": withTasks(task(1, `<Name>${"&amp;&#x41;&lt;".repeat(20_000)}</Name>`)),
  "a long comment": `<a><!--${"-x".repeat(100_000)}--></a>`,
  "many tasks": successEnvelope(
    Array.from({ length: 300 }, (_, id) => ({ ...(SEED_TASKS[id % SEED_TASKS.length] as SeedTask), id })),
  ),
  "unclosed quotes": `<a b="${"<".repeat(50_000)}`,
  "an end tag search": `<a>${"</b>".repeat(50_000)}`,
};

/**
 * A bound on the time to decode `length` characters that only a superlinear decoder can break: 20 µs a character,
 * ten times what the slowest input takes on a loaded 2-core machine, plus start-up. Speed itself is measured by
 * `npm run bench`; this catches work that grows with the square of the input (100,000 characters squared is minutes).
 */
const budgetMs = (length: number) => length * 0.02 + 250;

describe("decodeBatchResponse on any input", () => {
  it("returns a typed result and never throws, in time proportional to the input's length", () => {
    const xmlish = fc
      .array(
        fc.constantFrom(
          "<",
          ">",
          "</",
          "/>",
          "a",
          "b:c",
          " ",
          "=",
          '"',
          "'",
          "&",
          ";",
          "#",
          "x",
          "<!--",
          "-->",
          "<![CDATA[",
          "]]>",
          "<?",
          "?>",
          "xmlns",
          "\uD800",
          "é",
        ),
        {
          maxLength: 60,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), xmlish), (input) => {
        const started = performance.now();
        const result = decodeBatchResponse(input, DECODE_85);
        expect(performance.now() - started).toBeLessThan(budgetMs(input.length));
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(["exception", "fault", "malformed", "too-large"]).toContain(result.failure);
      }),
      { numRuns: 3000, seed: 7 },
    );
  }, 60_000);

  it.each(Object.entries(HOSTILE))("%s", (_name, input) => {
    const started = performance.now();
    const result = decodeBatchResponse(input, DECODE_85);
    expect(performance.now() - started).toBeLessThan(budgetMs(input.length));
    expect(typeof result.ok).toBe("boolean");
  });
});
