import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEED_TASKS } from "../../emulator/seed.js";
import { batchTaskInfo, exceptionEnvelope, faultEnvelope, successEnvelope } from "../../emulator/xml-writer.js";
import { type DecodeResult, decodeBatchResponse, decodeBatchResponseWith } from "../../src/soap/decode.js";
import { CONTRACTS } from "../../src/soap/namespaces.js";
import { decodeInOnePass } from "../../src/soap/one-pass.js";
import { TASK_PATTERN } from "../../src/soap/task-pattern.js";
import { parseWithSaxes } from "../../src/soap/xml-saxes.js";
import { DOCTYPE_REFUSED, TOO_DEEP } from "../../src/soap/xml-tree.js";
import { parseWithXmldom } from "../../src/soap/xml-xmldom.js";
import doctypeEntity from "../fixtures/doctype-entity.xml?raw";
import exception from "../fixtures/exception.xml?raw";
import faultSoap11 from "../fixtures/fault-soap11.xml?raw";
import faultSoap12 from "../fixtures/fault-soap12.xml?raw";
import prefixed from "../fixtures/prefixed.xml?raw";
import referenceExample from "../fixtures/reference-example.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { layoutArbitrary, taskArbitrary, textArbitrary, WCF_LAYOUT, writeAnswer } from "./layouts.js";
import { mutants } from "./mutations.js";
import { DECODE_85 } from "./options.js";
import { xmldomGap } from "./xmldom-gaps.js";

/*
 * The Worker decodes with the one-pass decoder (src/soap/one-pass.ts), which declines what it does not handle to the
 * saxes tree decoder; xmldom is the reference both were built against. This file requires, on every fixture and on
 * more than 20,000 generated documents, that the three give the same answer: the same tasks and unknown values, the
 * same exception or fault (text and type), or a refusal of the same kind. A `malformed` refusal's detail may differ
 * (each parser quotes its own error); xmldom may differ only where it does not enforce a rule of XML 1.0.
 */

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

/** Mutants of each fixture (fewer of the 14-task answer, which costs xmldom the most). */
const CORPUS_MUTANTS: Record<string, number> = { "emulator seed tasks": 300 };
const MUTANTS_PER_FIXTURE = 1000;

const saxes = (xml: string) => decodeBatchResponseWith(parseWithSaxes, xml, DECODE_85);
const xmldom = (xml: string) => decodeBatchResponseWith(parseWithXmldom, xml, DECODE_85);

/** What must agree: success with the tasks, or the refusal (a malformed refusal by kind only). -0 stays -0. */
function comparable(result: DecodeResult): string {
  const shown = result.ok || result.failure !== "malformed" ? result : { ok: false, failure: "malformed" };
  return JSON.stringify(shown, (_key, value: unknown) => (Object.is(value, -0) ? "-0" : value));
}

const MALFORMED = comparable({ ok: false, failure: "malformed", detail: "" });

/**
 * Why xmldom may answer otherwise, or `null`: only when the document breaks a well-formedness rule xmldom 0.9 does
 * not check (see xmldom-gaps.ts), or starts with a byte order mark, which xmldom reports as content before the root
 * (in the Worker, `Response.text()` has already removed a UTF-8 BOM).
 */
function xmldomExcuse(xml: string, reference: string, xmldomResult: string): string | null {
  if (reference === MALFORMED && xmldomResult !== MALFORMED) return xmldomGap(xml);
  if (xmldomResult === MALFORMED && reference !== MALFORMED && xml.startsWith("\uFEFF")) return "a leading byte order mark";
  return null;
}

/**
 * A `malformed` refusal of the one-pass decoder says what saxes says (the same rule broken), or, for what it refuses
 * itself, one of two fixed sentences (saxes may word its refusal of a DOCTYPE or of deep nesting otherwise when
 * the same document also breaks another rule first).
 */
function ownDetail(detail: string, saxesResult: DecodeResult): boolean {
  return detail === DOCTYPE_REFUSED || detail === TOO_DEEP || (!saxesResult.ok && saxesResult.detail === detail);
}

type Verdict = { decodedInOnePass: boolean; problem: string | null };

/**
 * Decodes `xml` every way and says whether the one-pass decoder answered itself, and what disagreed (or null).
 * Its own answers must be short, safe sentences when malformed: no parser quotes, no input echoed.
 */
function judge(xml: string): Verdict {
  const saxesResult = saxes(xml);
  const reference = comparable(saxesResult);
  const onePass = decodeInOnePass(xml, DECODE_85);
  const worker = comparable(decodeBatchResponse(xml, DECODE_85));
  const other = comparable(xmldom(xml));
  const problems: string[] = [];
  if (worker !== reference) problems.push(`the Worker's decoder answered ${worker}, saxes ${reference}`);
  if (onePass !== null && comparable(onePass) !== reference) {
    problems.push(`the one-pass decoder answered ${comparable(onePass)}, saxes ${reference}`);
  }
  if (onePass !== null && !onePass.ok && onePass.failure === "malformed" && !ownDetail(onePass.detail, saxesResult)) {
    problems.push(
      `the one-pass decoder's detail ${JSON.stringify(onePass.detail)} is neither saxes' nor one of its own sentences`,
    );
  }
  if (other !== reference && xmldomExcuse(xml, reference, other) === null) {
    problems.push(`xmldom answered ${other}, saxes ${reference}`);
  }
  return {
    decodedInOnePass: onePass !== null,
    problem: problems.length === 0 ? null : `${problems.join("; ")} on ${JSON.stringify(xml.slice(0, 3000))}`,
  };
}

/** Judges every document; the first problems, and how many the one-pass decoder answered itself. */
function judgeAll(documents: readonly string[]): { problems: string[]; decodedInOnePass: number } {
  const problems: string[] = [];
  let decodedInOnePass = 0;
  for (const xml of documents) {
    const verdict = judge(xml);
    if (verdict.decodedInOnePass) decodedInOnePass++;
    if (verdict.problem !== null && problems.length < 3) problems.push(verdict.problem);
  }
  return { problems, decodedInOnePass };
}

/** A property over documents: each must pass `judge`; counts them for the total below. */
let judged = 0;
function agrees(xml: string): void {
  judged++;
  const { problem } = judge(xml);
  if (problem !== null) throw new Error(problem);
}

/** Corruptions a broken proxy, a truncating network or an attacker could make, at a position fast-check picks. */
const SNIPPETS = [
  "<",
  ">",
  "&",
  "]]>",
  "&amp;",
  "&#0;",
  "&#x1F680;",
  "&leak;",
  "<x/>",
  "</x>",
  "<!--c-->",
  "<?p?>",
  "<![CDATA[&<]]>",
  '<!DOCTYPE x [<!ENTITY e "v">]>',
  ' i:nil="true"',
  ' a="1" a="2"',
  ' xmlns="urn:other"',
  " xmlns:i=''",
  "\u0000",
  "\uD800",
  "\uFFFE",
  "\r",
  "é",
  "🚀",
  '<?xml version="1.0"?>',
  "<Id>1</Id>",
  "<BatchTaskInfo/>",
];

type Corruption = { kind: "truncate" | "replace" | "insert" | "delete"; at: number; text: string; length: number };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const corruption: fc.Arbitrary<Corruption> = fc.record({
  kind: fc.constantFrom("truncate" as const, "replace" as const, "insert" as const, "delete" as const),
  at: position,
  text: fc.constantFrom(...SNIPPETS),
  length: fc.integer({ min: 1, max: 12 }),
});

function corrupt(xml: string, change: Corruption): string {
  const index = Math.min(xml.length, Math.floor(change.at * (xml.length + 1)));
  if (change.kind === "truncate") return xml.slice(0, index);
  if (change.kind === "replace") return xml.slice(0, index) + change.text + xml.slice(index + 1);
  if (change.kind === "insert") return xml.slice(0, index) + change.text + xml.slice(index);
  return xml.slice(0, index) + xml.slice(index + change.length);
}

const answers = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.array(taskArbitrary, { maxLength: 2 }), layoutArbitrary)
      .map(([tasks, layout]) => writeAnswer(tasks, layout)),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.record({ seed: fc.constantFrom(...SEED_TASKS), id: fc.integer({ min: -5, max: 2147483647 }) }), { maxLength: 2 })
      .map((picks) => successEnvelope(picks.map(({ seed, id }) => ({ ...seed, id })))),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ message: textArbitrary, friendlyText: textArbitrary, exceptionType: textArbitrary, stackTrace: textArbitrary })
      .map((info) => exceptionEnvelope({ ...info, source: "SoCore" })),
  },
  { weight: 1, arbitrary: textArbitrary.map((reason) => faultEnvelope({ code: { kind: "soap", local: "Server" }, reason })) },
);

/** fast-check runs per property (seeded, so a failure replays). */
const RUNS = { layouts: 1500, writer: 1500, corruptions: 10_000 };
const SEED = 20261128;

describe("the one-pass decoder agrees with the saxes and xmldom decoders", () => {
  it.each(Object.entries(FIXTURES))("on %s, which it decodes itself", (_name, xml) => {
    expect(judge(xml).problem).toBeNull();
    expect(decodeInOnePass(xml, DECODE_85)).not.toBeNull();
  });

  it.each(Object.entries(FIXTURES).map(([name, xml], index) => [name, xml, 1000 + index] as const))(
    "on %s mutated (truncations, byte flips, inserted markup, entities, DOCTYPEs, nil toggles, prefix changes)",
    (name, xml, seed) => {
      const documents = mutants(xml, seed, CORPUS_MUTANTS[name] ?? MUTANTS_PER_FIXTURE);
      judged += documents.length;
      const { problems, decodedInOnePass } = judgeAll(documents);
      expect(problems).toEqual([]);
      // Most mutants stay well-formed (entities, comments, prefixes, nils, extra elements): the one-pass decoder reads them.
      expect(decodedInOnePass / documents.length).toBeGreaterThan(0.3);
    },
    60_000,
  );

  it("on any layout of random answers: prefixes, namespaces, whitespace, references, CDATA, comments, SOAP 1.2", () => {
    fc.assert(
      fc.property(fc.array(taskArbitrary, { maxLength: 3 }), layoutArbitrary, (tasks, layout) => {
        const xml = writeAnswer(tasks, layout);
        agrees(xml);
        // Well-formed and in characters XML allows: the one-pass decoder must read it itself, as it reads WCF's layout.
        const result = decodeInOnePass(xml, DECODE_85);
        expect(result).not.toBeNull();
        expect(comparable(result as DecodeResult)).toBe(comparable(saxes(writeAnswer(tasks, WCF_LAYOUT))));
      }),
      { numRuns: RUNS.layouts, seed: SEED },
    );
  }, 120_000);

  it("on random task sets as the emulator writes them, and its exceptions and faults", () => {
    fc.assert(
      fc.property(answers, (xml) => {
        agrees(xml);
        expect(decodeInOnePass(xml, DECODE_85)).not.toBeNull();
      }),
      { numRuns: RUNS.writer, seed: SEED + 1 },
    );
  }, 120_000);

  it("on corruptions of them: truncations, replaced and inserted characters and markup, deletions", () => {
    fc.assert(
      fc.property(answers, fc.array(corruption, { minLength: 1, maxLength: 3 }), (xml, changes) => {
        agrees(changes.reduce((text, change) => corrupt(text, change), xml));
      }),
      { numRuns: RUNS.corruptions, seed: SEED + 2 },
    );
  }, 240_000);

  it("has compared more than 20,000 generated documents", () => {
    expect(judged).toBeGreaterThan(20_000);
  });

  it("covers successes, refusals and every kind of answer among the corpus mutants", () => {
    const kinds = new Map<string, number>();
    Object.entries(FIXTURES).forEach(([name, xml], index) => {
      for (const mutant of mutants(xml, 1000 + index, CORPUS_MUTANTS[name] ?? MUTANTS_PER_FIXTURE)) {
        const result = decodeBatchResponse(mutant, DECODE_85);
        const kind = result.ok ? (result.tasks.length > 0 ? "tasks" : "no tasks") : result.failure;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    });
    for (const kind of ["tasks", "exception", "fault", "malformed"]) expect(kinds.get(kind) ?? 0).toBeGreaterThan(50);
  }, 60_000);

  it("refuses each kind of flaw xmldom lets through", () => {
    const envelope = FIXTURES["emulator seed tasks"] ?? "";
    for (const flaw of ["&#0;", "\u0001", "]]>", "&#xD800;", "& "]) {
      const xml = envelope.replace("<Name>Nightly", `<Name>${flaw}Nightly`);
      expect(decodeBatchResponse(xml, DECODE_85)).toMatchObject({ ok: false, failure: "malformed" });
      expect(xmldomGap(xml)).not.toBeNull();
    }
    expect(decodeBatchResponse(envelope.replace("<BatchTaskInfo>", "<BatchTaskInfo a=b>"), DECODE_85)).toMatchObject({
      ok: false,
      failure: "malformed",
    });
  });
});

/** A Services85 answer whose Response element is written as given, around the task list `tasks`. */
function answerWith(response: (tasks: string) => string, tasks: string): string {
  const ns = CONTRACTS["85"].namespace;
  return (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
    `<GetBatchTaskInfosByAssociatesAndStateResponse xmlns="${ns}">${response(tasks)}` +
    "</GetBatchTaskInfosByAssociatesAndStateResponse></s:Body></s:Envelope>"
  );
}

const XSI = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"';

describe("the task pattern (src/soap/task-pattern.ts), the one-pass decoder's shortcut for a whole task", () => {
  it("matches every seed task exactly as the emulator writes it, for Services85 and Services88", () => {
    for (const contract of [CONTRACTS["85"], CONTRACTS["88"]]) {
      for (const task of SEED_TASKS) {
        const xml = batchTaskInfo(task, contract);
        TASK_PATTERN.lastIndex = 0;
        expect(TASK_PATTERN.exec(xml)?.[0], `task ${task.id}`).toBe(xml);
      }
    }
  });

  /** Tasks as WCF writes them, in one answer: each must match the pattern whole, and the answer must decode in one pass. */
  function patternAnswer(tasks: readonly string[], after = ""): string {
    for (const task of tasks) {
      TASK_PATTERN.lastIndex = 0;
      expect(TASK_PATTERN.exec(task)?.[0], task).toBe(task);
    }
    return answerWith((list) => `<Response ${XSI}>${list}</Response>${after}`, tasks.join(""));
  }

  it.each([
    ["each of the five references alone", ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]],
    ["references side by side, at the start and at the end", ["&lt;&gt;&amp;&quot;&apos;", "&apos;a&quot;", "a&amp;&amp;b&lt;"]],
    ["a reference whose text spells another (read once, not twice)", ["&amp;lt;", "&amp;amp;", "x&amp;quot;y"]],
    ["references among wide characters", ["🚀&amp;–", "&lt;🚀&gt;"]],
  ])("reads the predefined references in task text as the general path does: %s", (_case, texts) => {
    const tasks = texts.map(
      (text, index) =>
        `<BatchTaskInfo><Id>${index}</Id><Name>${text}</Name><ParameterObject><StringKeyValuePair><Key>k${text}</Key>` +
        `<Value>${text}v</Value></StringKeyValuePair></ParameterObject><Description>${text}</Description></BatchTaskInfo>`,
    );
    const xml = patternAnswer(tasks);
    expect(judge(xml)).toEqual({ decodedInOnePass: true, problem: null });
  });

  it("finds the references of each task, whichever tasks around it hold some, and none that come after the tasks", () => {
    const plain = (id: number) => `<BatchTaskInfo><Id>${id}</Id><Name>plain</Name></BatchTaskInfo>`;
    const withReference = (id: number, field: string) =>
      `<BatchTaskInfo><Id>${id}</Id><${field}>a&amp;b</${field}></BatchTaskInfo>`;
    const xml = patternAnswer(
      [plain(1), withReference(2, "Name"), plain(3), plain(4), withReference(5, "ProgressDescription"), plain(6)],
      "<!-- &amp; after the tasks -->",
    );
    expect(judge(xml)).toEqual({ decodedInOnePass: true, problem: null });
    const decoded = decodeInOnePass(xml, DECODE_85);
    expect(decoded?.ok && decoded.tasks.map((task) => [task.name, task.progressDescription])).toEqual([
      ["plain", null],
      ["a&b", null],
      ["plain", null],
      ["plain", null],
      [null, "a&b"],
      ["plain", null],
    ]);
  });

  it("reads every shape of pair the pattern matches (text, empty or nil key and value) as the general path does", () => {
    const leaf = (name: string, shape: string) =>
      shape === "empty" ? `<${name}/>` : shape === "nil" ? `<${name} i:nil="true"/>` : `<${name}>${shape}</${name}>`;
    const pairs = (shapes: readonly (readonly [string, string])[]) =>
      shapes
        .map(([key, value]) => `<StringKeyValuePair>${leaf("Key", key)}${leaf("Value", value)}</StringKeyValuePair>`)
        .join("");
    const task = (id: number, shapes: readonly (readonly [string, string])[]) =>
      `<BatchTaskInfo><Id>${id}</Id><Name>n${id}</Name><ParameterObject>${pairs(shapes)}</ParameterObject></BatchTaskInfo>`;
    const accepted = patternAnswer([
      task(1, [
        ["a", "1"],
        ["b", "empty"],
        ["c", "nil"],
        ["empty", "🚀&lt;"],
        ["d&amp;", "empty"],
      ]),
      task(2, []),
    ]);
    expect(judge(accepted)).toEqual({ decodedInOnePass: true, problem: null });
    const decoded = decodeInOnePass(accepted, DECODE_85);
    expect(decoded?.ok && decoded.tasks.map((each) => [each.parameterObject, each.name])).toEqual([
      [{ a: "1", b: "", c: null, "": "🚀<", "d&": "" }, "n1"],
      [{}, "n2"],
    ]);
    // A missing key and a repeated one, in both orders: the first in the document is the refusal, in saxes' words.
    for (const shapes of [
      [["nil", "1"]],
      [
        ["nil", "1"],
        ["b", "2"],
      ],
      [
        ["a", "1"],
        ["a", "2"],
        ["nil", "3"],
      ],
      [
        ["a", "1"],
        ["nil", "2"],
        ["a", "3"],
      ],
    ] as const) {
      const refused = patternAnswer([task(1, shapes)]);
      expect(judge(refused)).toEqual({ decodedInOnePass: true, problem: null });
      expect(decodeInOnePass(refused, DECODE_85)).toEqual(saxes(refused));
      expect(saxes(refused)).toMatchObject({ ok: false, failure: "malformed" });
    }
  });

  it.each([
    ["keys the object prototype answers", ["toString", "constructor", "hasOwnProperty", "__proto__"], true],
    ["a repeated key", ["a", "b", "a"], false],
    ["a repeated `__proto__`", ["__proto__", "__proto__"], false],
    ["a repeated `toString`", ["toString", "toString"], false],
  ])("checks dictionary keys as the general path does: %s", (_case, keys, accepted) => {
    const pairs = keys.map((key) => `<StringKeyValuePair><Key>${key}</Key><Value>v</Value></StringKeyValuePair>`).join("");
    const xml = patternAnswer([`<BatchTaskInfo><Id>1</Id><ParameterObject>${pairs}</ParameterObject></BatchTaskInfo>`]);
    expect(judge(xml)).toEqual({ decodedInOnePass: true, problem: null });
    expect(decodeInOnePass(xml, DECODE_85)?.ok).toBe(accepted);
  });

  it.each([
    [
      "`i` bound to another namespace: `i:nil` is then an attribute like any other",
      answerWith(
        (tasks) => `<Response xmlns:i="urn:not-xsi">${tasks}</Response>`,
        '<BatchTaskInfo><Id>1</Id><Result i:nil="true"/></BatchTaskInfo>',
      ),
    ],
    [
      "tasks outside the contract's namespace (the Response prefixed, no default namespace in scope)",
      answerWith(
        (tasks) => `<c:Response xmlns:c="${CONTRACTS["85"].namespace}" xmlns="" ${XSI}>${tasks}</c:Response>`,
        "<BatchTaskInfo><Id>1</Id></BatchTaskInfo>",
      ),
    ],
    [
      "a BatchTaskInfo inside an element the decoder skips, within a task",
      answerWith(
        (tasks) => `<Response ${XSI}>${tasks}</Response>`,
        "<BatchTaskInfo><Id>1</Id><Extra><BatchTaskInfo><Id>2</Id></BatchTaskInfo></Extra></BatchTaskInfo>",
      ),
    ],
    [
      "a BatchTaskInfo in a second Response, which the decoder does not read",
      answerWith(
        (tasks) => `<Response ${XSI}>${tasks}</Response><Response ${XSI}><BatchTaskInfo><Id>2</Id></BatchTaskInfo></Response>`,
        "<BatchTaskInfo><Id>1</Id></BatchTaskInfo>",
      ),
    ],
    [
      "tasks after a refused one",
      answerWith(
        (tasks) => `<Response ${XSI}>${tasks}</Response>`,
        '<BatchTaskInfo><Id i:nil="true"/></BatchTaskInfo><BatchTaskInfo><Id>x</Id></BatchTaskInfo>',
      ),
    ],
  ])("is not applied where the general path would read otherwise: %s", (_case, xml) => {
    expect(judge(xml).problem).toBeNull();
    expect(decodeInOnePass(xml, DECODE_85)).not.toBeNull();
  });
});
