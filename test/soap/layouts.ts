import fc from "fast-check";
import { BATCH_TASK_STATES } from "../../src/model/batch-task.js";
import { NS, OPERATION } from "../../src/soap/namespaces.js";

/**
 * Random NetServer answers for property-based tests, and a writer that serialises the same answer in many equivalent
 * ways: any prefixes, default or prefixed namespaces declared on the root or where used, SOAP 1.1 or 1.2, whitespace
 * between elements, text written with references, CDATA sections, comments and processing instructions, either quote,
 * `i:nil="1"`, booleans as digits, an XML declaration or none. Every layout of one answer must decode alike.
 */

const CONTRACT_NS = "http://www.superoffice.net/ws/crm/NetServer/Services85";

export type Pair = { key: string | null; value: string | null };

/** A task as the writer takes it: element name → text (null = nil); absent keys are left out. */
export type TaskData = {
  scalars: readonly (readonly [element: string, text: string | null])[];
  parameters: readonly Pair[] | null | undefined;
  /** Elements the decoder does not know, written before the fields (as WCF writes the Carrier members). */
  extras: readonly string[];
};

export type Layout = {
  declaration: boolean;
  soap12: boolean;
  /** The envelope's prefix, or null for a default namespace on the envelope. */
  envelopePrefix: string | null;
  /** The contract's prefix, or null for `xmlns="…"` on the operation element (and on each header element). */
  contractPrefix: string | null;
  xsiPrefix: string;
  /** Declare the contract and xsi prefixes once on the envelope, rather than where first used. */
  declareOnRoot: boolean;
  header: boolean;
  quote: '"' | "'";
  nil: "true" | "1";
  /** Whitespace strings, used in turn between elements ("" = none). */
  spaces: readonly string[];
  /** How each text is written, used in turn: 0 escaped, 1 references, 2 CDATA, 3 split by a comment, 4 split by a PI. */
  textStyles: readonly number[];
};

/** Characters XML 1.0 can carry, with the ones that need care over-represented. */
const TEXT_CHAR = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("a", "Z", "0", " ", "-", ":", "é", "Å", "–", "€", "🚀", "中") },
  { weight: 3, arbitrary: fc.constantFrom("&", "<", ">", '"', "'", "]", "\t", "\n", "\r", ";", "#") },
  { weight: 1, arbitrary: fc.constantFrom("]]>", "\r\n", "&amp;", "<!--", "?>", "\u00a0", "\ufeff", "\ud7ff", "\ue000") },
);

export const textArbitrary = fc.array(TEXT_CHAR, { maxLength: 12 }).map((chars) => chars.join(""));

const nullableText = fc.option(textArbitrary, { nil: null, freq: 4 });
const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const int16 = fc.integer({ min: -32768, max: 32767 });
const intText = (value: fc.Arbitrary<number>) =>
  fc.tuple(value, fc.constantFrom("", " ", "\n", "+", "0")).map(([number, decoration]) => {
    if (decoration === "+" && number >= 0) return `+${number}`;
    if (decoration === "0" && number >= 0) return `0${number}`;
    return decoration.trim() === "" ? `${decoration}${number}${decoration}` : String(number);
  });
const boolText = fc.constantFrom("true", "false", "1", "0", " true ");
/** Every state a task may carry, and one this Worker does not know. */
const stateText = fc.constantFrom(...BATCH_TASK_STATES.filter((state) => state !== "All"), "Paused");
const dateText = fc.option(
  fc.constantFrom(
    "2026-11-20T08:15:30.1234567+01:00",
    "2026-01-02T03:04:05",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00Z",
    " 2024-02-29T00:00:00Z ",
    "2026-02-30T00:00:00",
    "not a date",
  ),
  { nil: null, freq: 3 },
);

const pairArbitrary = fc.record({
  key: fc.option(fc.constantFrom("Format", "Columns", "__proto__", "constructor", "1", "", "k"), { nil: null, freq: 8 }),
  value: nullableText,
});

/** A task with every field present, absent, nil, odd or plain, in WSDL order. */
export const taskArbitrary: fc.Arbitrary<TaskData> = fc
  .record({
    id: intText(int32),
    name: nullableText,
    associateId: intText(int32),
    detailsTable: intText(int16),
    detailsRecord: intText(int32),
    isSystemTask: boolText,
    isInternalTask: boolText,
    lastStarted: dateText,
    created: dateText,
    startCount: intText(int32),
    databaseSerialNumber: nullableText,
    context: nullableText,
    result: nullableText,
    state: stateText,
    description: nullableText,
    response: nullableText,
    request: nullableText,
    progressDescription: nullableText,
    progressPercent: intText(int16),
    parameters: fc.option(fc.array(pairArbitrary, { maxLength: 3 }), { nil: null, freq: 4 }),
    absent: fc.subarray(["Name", "Created", "State", "ParameterObject", "ProgressPercent"], { maxLength: 2 }),
    extras: fc.subarray(["<TableRight><Mask>Read</Mask><Reason/></TableRight>", "<FutureField>x</FutureField>"]),
  })
  .map((task) => {
    const scalars: [string, string | null][] = [
      ["Id", task.id],
      ["Name", task.name],
      ["AssociateId", task.associateId],
      ["DetailsTable", task.detailsTable],
      ["DetailsRecord", task.detailsRecord],
      ["IsSystemTask", task.isSystemTask],
      ["IsInternalTask", task.isInternalTask],
      ["LastStarted", task.lastStarted],
      ["Created", task.created],
      ["StartCount", task.startCount],
      ["DatabaseSerialNumber", task.databaseSerialNumber],
      ["Context", task.context],
      ["Result", task.result],
      ["State", task.state],
      ["Description", task.description],
      ["Response", task.response],
      ["Request", task.request],
      ["ProgressDescription", task.progressDescription],
      ["ProgressPercent", task.progressPercent],
    ];
    return {
      scalars: scalars.filter(([element]) => !task.absent.includes(element)),
      parameters: task.absent.includes("ParameterObject") ? undefined : task.parameters,
      extras: task.extras,
    };
  });

const prefix = fc.constantFrom("s", "soap", "SOAP-ENV", "e", "ns0", "x.y", "a-b", "_p");

export const layoutArbitrary: fc.Arbitrary<Layout> = fc
  .record({
    declaration: fc.boolean(),
    soap12: fc.boolean(),
    envelopePrefix: fc.option(prefix, { nil: null, freq: 5 }),
    contractPrefix: fc.option(fc.constantFrom("b", "Batch", "n1", "ns"), { nil: null }),
    xsiPrefix: fc.constantFrom("i", "xsi", "q"),
    declareOnRoot: fc.boolean(),
    header: fc.boolean(),
    quote: fc.constantFrom('"' as const, "'" as const),
    nil: fc.constantFrom("true" as const, "1" as const),
    spaces: fc.array(fc.constantFrom("", "", "", " ", "\n", "\r\n  ", "\t"), { minLength: 1, maxLength: 5 }),
    textStyles: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
  })
  // A default-namespaced envelope needs the contract's elements to say their own namespace.
  .map((layout) => ({ ...layout, declareOnRoot: layout.declareOnRoot && layout.contractPrefix !== null }));

/** Writes one answer; `tasks` null writes a nil Response. */
export function writeAnswer(tasks: readonly TaskData[] | null, layout: Layout): string {
  let spaceTurn = 0;
  let styleTurn = 0;
  const q = layout.quote;
  const space = () => layout.spaces[spaceTurn++ % layout.spaces.length] ?? "";
  const attribute = (name: string, value: string) => ` ${name}=${q}${value}${q}`;
  const soapNs = layout.soap12 ? NS.soap12 : NS.soap11;
  const soapName = (local: string) => (layout.envelopePrefix === null ? local : `${layout.envelopePrefix}:${local}`);
  const contractName = (local: string) => (layout.contractPrefix === null ? local : `${layout.contractPrefix}:${local}`);
  const xsiDeclaration = layout.declareOnRoot ? "" : attribute(`xmlns:${layout.xsiPrefix}`, NS.xsi);
  /** Declares the contract's namespace on the element that first needs it (unless the root did). */
  const contractDeclaration = () => {
    if (layout.declareOnRoot) return "";
    return layout.contractPrefix === null
      ? attribute("xmlns", CONTRACT_NS)
      : attribute(`xmlns:${layout.contractPrefix}`, CONTRACT_NS);
  };
  const nil = (name: string, declarations = "") => `<${name}${declarations}${attribute(`${layout.xsiPrefix}:nil`, layout.nil)}/>`;
  const text = (value: string) => writeText(value, layout.textStyles[styleTurn++ % layout.textStyles.length] ?? 0);
  const leaf = (local: string, value: string | null, declarations = "") => {
    const name = contractName(local);
    if (value === null) return nil(name, `${declarations}${xsiDeclaration}`);
    return value === "" && styleTurn % 2 === 0 ? `<${name}${declarations}/>` : `<${name}${declarations}>${text(value)}</${name}>`;
  };
  const pair = ({ key, value }: Pair) =>
    `<${contractName("StringKeyValuePair")}>${space()}${leaf("Key", key)}${space()}${leaf("Value", value)}${space()}</${contractName("StringKeyValuePair")}>`;
  const task = (data: TaskData) => {
    const members = [...data.extras];
    for (const [element, value] of data.scalars) {
      members.push(leaf(element, value));
      if (element === "IsInternalTask" && data.parameters !== undefined) {
        members.push(
          data.parameters === null
            ? nil(contractName("ParameterObject"), xsiDeclaration)
            : `<${contractName("ParameterObject")}>${data.parameters.map(pair).join(space())}</${contractName("ParameterObject")}>`,
        );
      }
    }
    const name = contractName("BatchTaskInfo");
    return `<${name}>${space()}${members.join(space())}${space()}</${name}>`;
  };
  const response =
    tasks === null
      ? nil(contractName("Response"), xsiDeclaration)
      : `<${contractName("Response")}${xsiDeclaration}>${space()}${tasks.map(task).join(space())}${space()}</${contractName("Response")}>`;
  const operation = contractName(`${OPERATION}Response`);
  const body = `<${soapName("Body")}>${space()}<${operation}${contractDeclaration()}>${space()}${response}${space()}</${operation}>${space()}</${soapName("Body")}>`;
  const header = layout.header
    ? `<${soapName("Header")}>${space()}${nil(contractName("ExceptionInfo"), `${contractDeclaration()}${xsiDeclaration}`)}${space()}${leaf("Succeeded", "true", contractDeclaration())}${space()}</${soapName("Header")}>`
    : "";
  const rootDeclarations =
    (layout.envelopePrefix === null ? attribute("xmlns", soapNs) : attribute(`xmlns:${layout.envelopePrefix}`, soapNs)) +
    (layout.declareOnRoot
      ? `${attribute(`xmlns:${layout.contractPrefix}`, CONTRACT_NS)}${attribute(`xmlns:${layout.xsiPrefix}`, NS.xsi)}`
      : "");
  const declaration = layout.declaration ? `<?xml version=${q}1.0${q} encoding=${q}utf-8${q}?>${space()}` : "";
  return `${declaration}<${soapName("Envelope")}${rootDeclarations}>${space()}${header}${space()}${body}${space()}</${soapName("Envelope")}>${space()}`;
}

/** Escapes what must be escaped: `&`, `<`, `>` (so no `]]>` appears) and CR (a raw CR would be read as LF). */
function escaped(value: string): string {
  return value.replace(/[&<>\r]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" })[char] ?? char);
}

function writeText(value: string, style: number): string {
  if (style === 1) {
    return [...value]
      .map((char, index) => {
        const code = char.codePointAt(0) ?? 0;
        if (index % 3 === 0) return `&#${code};`;
        if (index % 3 === 1) return `&#x${code.toString(16)};`;
        return escaped(char);
      })
      .join("");
  }
  if (style === 2) {
    // CDATA cannot hold `]]>`, and a CR in it would be read as LF: those go outside, as references.
    return value
      .split(/(\r|]]>)/)
      .map((part) => (part === "\r" ? "&#xD;" : part === "]]>" ? "]]&gt;" : part === "" ? "" : `<![CDATA[${part}]]>`))
      .join("");
  }
  if (style === 3 || style === 4) {
    const middle = Math.floor([...value].length / 2);
    const chars = [...value];
    const splitter = style === 3 ? "<!-- split -->" : "<?split here?>";
    return escaped(chars.slice(0, middle).join("")) + splitter + escaped(chars.slice(middle).join(""));
  }
  return escaped(value);
}

/** The canonical layout: WCF's own (default namespaces, `s:` and `i:` prefixes, nothing extra). */
export const WCF_LAYOUT: Layout = {
  declaration: false,
  soap12: false,
  envelopePrefix: "s",
  contractPrefix: null,
  xsiPrefix: "i",
  declareOnRoot: false,
  header: true,
  quote: '"',
  nil: "true",
  spaces: [""],
  textStyles: [0],
};
