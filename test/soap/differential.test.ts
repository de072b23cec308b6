import { describe, expect, it } from "vitest";
import { SEED_TASKS } from "../../emulator/seed.js";
import { successEnvelope } from "../../emulator/xml-writer.js";
import { type DecodeResult, decodeBatchResponse, decodeBatchResponseWith } from "../../src/soap/decode.js";
import { parseWithXmldom } from "../../src/soap/xml-xmldom.js";
import doctypeEntity from "../fixtures/doctype-entity.xml?raw";
import exception from "../fixtures/exception.xml?raw";
import faultSoap11 from "../fixtures/fault-soap11.xml?raw";
import faultSoap12 from "../fixtures/fault-soap12.xml?raw";
import prefixed from "../fixtures/prefixed.xml?raw";
import referenceExample from "../fixtures/reference-example.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { mutants } from "./mutations.js";
import { DECODE_85 } from "./options.js";
import { xmldomGap } from "./xmldom-gaps.js";

/** Every fixture, plus the emulator's WCF-style answer carrying all 14 seed tasks. */
const FIXTURES: Record<string, string> = {
  "doctype-entity.xml": doctypeEntity,
  "exception.xml": exception,
  "fault-soap11.xml": faultSoap11,
  "fault-soap12.xml": faultSoap12,
  "prefixed.xml": prefixed,
  "reference-example.xml": referenceExample,
  "wcf-default-namespace.xml": wcf,
  "emulator seed tasks": successEnvelope(SEED_TASKS),
};

const MUTANTS_PER_FIXTURE = 400;

/**
 * What must agree between the two parsers: success and the tasks, or the kind of failure. An `exception` or `fault`
 * detail comes from the document and must agree too; a `malformed` detail quotes each parser's own error text.
 */
function comparable(result: DecodeResult): unknown {
  if (result.ok) return result;
  return result.failure === "malformed" ? { ok: false, failure: "malformed" } : result;
}

function decodeBoth(xml: string): { saxes: unknown; xmldom: unknown } {
  return {
    saxes: comparable(decodeBatchResponse(xml, DECODE_85)),
    xmldom: comparable(decodeBatchResponseWith(parseWithXmldom, xml, DECODE_85)),
  };
}

const MALFORMED = { ok: false, failure: "malformed" };

/**
 * Why a disagreement is expected, or `null` when it is a bug. Only two kinds are: saxes refuses a document that breaks
 * a well-formedness rule xmldom 0.9 does not check, and saxes skips a leading byte order mark that xmldom reports as
 * content outside the root element (in the Worker, `Response.text()` has already removed a UTF-8 BOM).
 */
function expectedDisagreement(xml: string, saxes: unknown, xmldom: unknown): string | null {
  const saxesRefused = JSON.stringify(saxes) === JSON.stringify(MALFORMED);
  const xmldomRefused = JSON.stringify(xmldom) === JSON.stringify(MALFORMED);
  if (saxesRefused && !xmldomRefused) return xmldomGap(xml);
  if (xmldomRefused && !saxesRefused && xml.startsWith("\uFEFF")) return "a leading byte order mark";
  return null;
}

describe("the Worker's decoder (saxes) agrees with the xmldom decoder", () => {
  it.each(Object.entries(FIXTURES))("on %s", (_name, xml) => {
    const { saxes, xmldom } = decodeBoth(xml);
    expect(saxes).toEqual(xmldom);
  });

  it.each(Object.entries(FIXTURES).map(([name, xml], index) => [name, xml, 1000 + index] as const))(
    "on %s mutated (truncations, byte flips, inserted markup, entities, DOCTYPEs, nil toggles, prefix changes)",
    (_name, xml, seed) => {
      const unexplained = mutants(xml, seed, MUTANTS_PER_FIXTURE)
        .map((mutant) => ({ mutant, ...decodeBoth(mutant) }))
        .filter(({ saxes, xmldom }) => JSON.stringify(saxes) !== JSON.stringify(xmldom))
        .filter(({ mutant, saxes, xmldom }) => expectedDisagreement(mutant, saxes, xmldom) === null);
      expect(unexplained.slice(0, 3)).toEqual([]);
    },
  );

  it("covers successes, refusals and every kind of answer among the mutants", () => {
    const kinds = new Map<string, number>();
    Object.values(FIXTURES).forEach((xml, index) => {
      for (const mutant of mutants(xml, 1000 + index, MUTANTS_PER_FIXTURE)) {
        const result = decodeBatchResponse(mutant, DECODE_85);
        const kind = result.ok ? (result.tasks.length > 0 ? "tasks" : "no tasks") : result.failure;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    });
    for (const kind of ["tasks", "exception", "fault", "malformed"]) expect(kinds.get(kind) ?? 0).toBeGreaterThan(50);
  });

  it("refuses each kind of flaw xmldom lets through", () => {
    const envelope = FIXTURES["emulator seed tasks"] ?? "";
    for (const flaw of ["&#0;", "\u0001", "]]>", "&#xD800;", "& "]) {
      const xml = envelope.replace("<Name>Rebuild", `<Name>${flaw}Rebuild`);
      expect(decodeBatchResponse(xml, DECODE_85)).toMatchObject(MALFORMED);
      expect(xmldomGap(xml)).not.toBeNull();
    }
    expect(decodeBatchResponse(envelope.replace("<BatchTaskInfo>", "<BatchTaskInfo a=b>"), DECODE_85)).toMatchObject(MALFORMED);
  });
});
