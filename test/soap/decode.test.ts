import { describe, expect, it } from "vitest";
import { decodeBatchResponse } from "../../src/soap/decode.js";
import doctypeEntity from "../fixtures/doctype-entity.xml?raw";
import exception from "../fixtures/exception.xml?raw";
import faultSoap11 from "../fixtures/fault-soap11.xml?raw";
import faultSoap12 from "../fixtures/fault-soap12.xml?raw";
import prefixed from "../fixtures/prefixed.xml?raw";
import referenceExample from "../fixtures/reference-example.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { DECODE_85, DECODE_88 } from "./options.js";

function tasksOf(xml: string): Record<string, unknown>[] {
  const result = decodeBatchResponse(xml, DECODE_85);
  if (!result.ok) throw new Error(`expected tasks, got ${result.failure}: ${result.detail}`);
  return result.tasks;
}

const ENVELOPE_START =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><s:Body>' +
  '<GetBatchTaskInfosByAssociatesAndStateResponse xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85"><Response>';
const ENVELOPE_END = "</Response></GetBatchTaskInfosByAssociatesAndStateResponse></s:Body></s:Envelope>";
const withTasks = (...tasks: string[]) => ENVELOPE_START + tasks.join("") + ENVELOPE_END;

describe("decodeBatchResponse: successful answers", () => {
  it("decodes the reference page's SOAP 1.2 example (prefixes, xsi:type, no Header)", () => {
    expect(tasksOf(referenceExample)).toEqual([
      {
        id: 0,
        name: "",
        associateId: 0,
        detailsTable: 0,
        detailsRecord: 0,
        isSystemTask: false,
        isInternalTask: false,
        parameterObject: { "": "" },
        lastStarted: "2022-08-26T08:52:19Z",
        created: "2022-08-26T08:52:19Z",
        startCount: 0,
        databaseSerialNumber: "",
        context: "",
        result: "",
        state: "Unknown",
        description: "",
        response: "",
        request: "",
        progressDescription: "",
        progressPercent: 0,
        fileName: null,
        cancellationBehaviour: null,
      },
    ]);
  });

  it("decodes WCF's default-namespace style: nils, escapes, dates kept as written, unknown elements ignored", () => {
    const [first, second, third] = tasksOf(wcf);
    expect(first).toEqual({
      id: 101,
      name: 'Mass update & merge <contacts> "Q4" – Åsgårdstrand 🚀',
      associateId: 5,
      detailsTable: 5,
      detailsRecord: 1234,
      isSystemTask: false,
      isInternalTask: false,
      parameterObject: { selectionId: "77", mode: "a < b && c > d", note: null, empty: "" },
      lastStarted: "2026-11-20T08:15:30.1234567+01:00",
      created: "2026-11-19T23:59:59.9999999Z",
      startCount: 3,
      databaseSerialNumber: "1234567890",
      context: `ctx:"quoted" & 'single'`,
      result: "",
      state: "Started",
      description: "  keeps  spaces  ",
      response: null,
      request: "<xml/>",
      progressDescription: "Row 42 of 100",
      progressPercent: 42,
      fileName: null,
      cancellationBehaviour: null,
    });
    expect(second).toMatchObject({
      id: 102,
      name: null,
      isSystemTask: true,
      isInternalTask: true,
      parameterObject: null,
      lastStarted: null,
      created: "2026-01-02T03:04:05",
      databaseSerialNumber: null,
      state: "New",
    });
    expect(third).toEqual({
      id: 103,
      name: null,
      associateId: 0,
      detailsTable: 0,
      detailsRecord: 0,
      isSystemTask: false,
      isInternalTask: false,
      parameterObject: {},
      lastStarted: null,
      created: null,
      startCount: 0,
      databaseSerialNumber: null,
      context: null,
      result: null,
      state: "Aquired",
      description: null,
      response: null,
      request: null,
      progressDescription: null,
      progressPercent: 0,
      fileName: null,
      cancellationBehaviour: null,
    });
    expect(Object.keys(first ?? {})).not.toContain("tableRight");
  });

  it("decodes a prefixed SOAP 1.1 answer with CDATA, 1/0 booleans and foreign-namespace elements", () => {
    expect(tasksOf(prefixed)).toEqual([
      expect.objectContaining({
        id: 7,
        name: "CDATA <kept> & raw",
        associateId: 12,
        isSystemTask: false,
        lastStarted: "2026-05-01T10:00:00-05:00",
        created: null,
        state: "Failed",
        result: "Error: row 3",
        progressPercent: 100,
      }),
    ]);
  });

  it("treats an empty, nil or absent Response as no tasks", () => {
    expect(tasksOf(withTasks())).toEqual([]);
    expect(
      tasksOf(ENVELOPE_START.replace("<Response>", '<Response i:nil="true"/>') + ENVELOPE_END.replace("</Response>", "")),
    ).toEqual([]);
    expect(tasksOf(ENVELOPE_START.replace("<Response>", "") + ENVELOPE_END.replace("</Response>", ""))).toEqual([]);
  });

  it("keeps dictionary keys that are special to JavaScript objects", () => {
    const [task] = tasksOf(
      withTasks(
        "<BatchTaskInfo><ParameterObject>" +
          "<StringKeyValuePair><Key>__proto__</Key><Value>a</Value></StringKeyValuePair>" +
          "<StringKeyValuePair><Key>constructor</Key><Value>b</Value></StringKeyValuePair>" +
          "</ParameterObject></BatchTaskInfo>",
      ),
    );
    expect(JSON.stringify(task?.parameterObject)).toBe('{"__proto__":"a","constructor":"b"}');
  });
});

describe("decodeBatchResponse: the Services88 contract and values it does not know", () => {
  const SERVICES88 = (xml: string) => xml.replaceAll("NetServer/Services85", "NetServer/Services88");

  it("reads Services88's FileName, CancellationBehaviour and SucceededManualCleanup in its own namespace", () => {
    const xml = SERVICES88(
      withTasks(
        "<BatchTaskInfo><Id>7</Id><State>SucceededManualCleanup</State><FileName>export.xlsx</FileName>" +
          "<CancellationBehaviour>CancelWithWarning</CancellationBehaviour></BatchTaskInfo>",
      ),
    );
    const result = decodeBatchResponse(xml, DECODE_88);
    expect(result).toMatchObject({ ok: true, unknown: [] });
    expect(result.ok && result.tasks[0]).toMatchObject({
      id: 7,
      state: "SucceededManualCleanup",
      fileName: "export.xlsx",
      cancellationBehaviour: "CancelWithWarning",
    });
  });

  it("does not read a Services85 answer as Services88, nor the reverse", () => {
    const xml = withTasks("<BatchTaskInfo><Id>7</Id></BatchTaskInfo>");
    expect(decodeBatchResponse(xml, DECODE_88)).toMatchObject({ ok: false, failure: "malformed" });
    expect(decodeBatchResponse(SERVICES88(xml), DECODE_85)).toMatchObject({ ok: false, failure: "malformed" });
  });

  it("keeps a task whose state or cancellation behaviour it does not know, and says which values were unknown", () => {
    const xml = withTasks(
      "<BatchTaskInfo><Id>1</Id><State>Paused</State><CancellationBehaviour>Later</CancellationBehaviour></BatchTaskInfo>" +
        "<BatchTaskInfo><Id>2</Id><State>Paused</State></BatchTaskInfo>",
    );
    const result = decodeBatchResponse(xml, DECODE_85);
    expect(result).toMatchObject({ ok: true, unknown: ["State=Paused", "CancellationBehaviour=Later"] });
    expect(result.ok && result.tasks.map((task) => [task.id, task.state, task.cancellationBehaviour])).toEqual([
      [1, "Unknown", null],
      [2, "Unknown", null],
    ]);
  });
});

describe("decodeBatchResponse: bounded work", () => {
  const task = "<BatchTaskInfo><Id>1</Id></BatchTaskInfo>";

  it("reads a small answer the one-pass decoder declines with the fallback parser, and refuses a large one", () => {
    const unusual = (count: number) =>
      withTasks(`<BatchTaskInfo><Id>1</Id><Ünknown>x</Ünknown></BatchTaskInfo>`, ...Array(count).fill(task));
    expect(decodeBatchResponse(unusual(10), DECODE_85)).toMatchObject({ ok: true });
    const large = unusual(30_000);
    expect(large.length).toBeGreaterThan(1024 * 1024);
    expect(decodeBatchResponse(large, { ...DECODE_85, maxTasks: 100_000 })).toMatchObject({
      ok: false,
      failure: "malformed",
      detail: expect.stringContaining("larger than 1 MiB"),
    });
  });

  it("refuses an answer with more tasks than allowed, as too large", () => {
    const options = { ...DECODE_85, maxTasks: 3 };
    expect(decodeBatchResponse(withTasks(task, task, task), options)).toMatchObject({ ok: true });
    expect(decodeBatchResponse(withTasks(task, task, task, task), options)).toEqual({
      ok: false,
      failure: "too-large",
      detail: "the response holds more than 3 tasks",
    });
  });

  it("refuses nesting deeper than 32 levels, however deep, without the cost growing with the square of the depth", () => {
    const nested = (depth: number) =>
      withTasks(`<BatchTaskInfo><Name>${"<x>".repeat(depth)}${"</x>".repeat(depth)}</Name></BatchTaskInfo>`);
    // The envelope, Body, response, Response, BatchTaskInfo and Name are 6 levels: 26 more reach 32.
    expect(decodeBatchResponse(nested(26), DECODE_85)).toMatchObject({
      failure: "malformed",
      detail: "BatchTaskInfo[0].Name must hold text, not elements",
    });
    const tooDeep = { ok: false, failure: "malformed", detail: "the response nests elements deeper than 32 levels" };
    expect(decodeBatchResponse(nested(27), DECODE_85)).toEqual(tooDeep);
    expect(decodeBatchResponse(nested(200_000), DECODE_85)).toEqual(tooDeep);
  });
});

describe("decodeBatchResponse: failures", () => {
  it("reports Succeeded=false with ExceptionInfo's FriendlyText for callers and Message beside it for the log, never its stack trace", () => {
    const result = decodeBatchResponse(exception, DECODE_85);
    expect(result).toEqual({
      ok: false,
      failure: "exception",
      detail: "Your session has expired. Please log in again. (Ticket 7T:test-ticket is expired or invalid)",
      exceptionType: "SoSessionException",
      friendlyText: "Your session has expired. Please log in again.",
    });
  });

  it("falls back to ExceptionInfo's Message for the detail when there is no FriendlyText, and has no friendlyText", () => {
    const result = decodeBatchResponse(exception.replace(/<FriendlyText>.*<\/FriendlyText>/, ""), DECODE_85);
    expect(result).toMatchObject({ failure: "exception", detail: "Ticket 7T:test-ticket is expired or invalid" });
    expect(result).not.toHaveProperty("friendlyText");
  });

  it("reports Succeeded=false even without ExceptionInfo", () => {
    const result = decodeBatchResponse(exception.replace(/<ExceptionInfo .*?<\/ExceptionInfo>/s, ""), DECODE_85);
    expect(result).toMatchObject({ ok: false, failure: "exception" });
  });

  it("reads SOAP 1.1 and SOAP 1.2 faults", () => {
    expect(decodeBatchResponse(faultSoap11, DECODE_85)).toEqual({
      ok: false,
      failure: "fault",
      detail:
        "The message with Action 'urn:wrong' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.",
    });
    expect(decodeBatchResponse(faultSoap12, DECODE_85)).toEqual({
      ok: false,
      failure: "fault",
      detail: "Server was unable to process request.",
    });
  });

  it.each(["ISO-8859-1", "windows-1252", "UTF-16"])(
    "refuses an answer whose XML declaration names %s, since its text was read as UTF-8",
    (encoding) => {
      const declared = `<?xml version="1.0" encoding="${encoding}"?>${wcf.replace(/^<\?xml[^>]*>/, "")}`;
      expect(decodeBatchResponse(declared, DECODE_85)).toEqual({
        ok: false,
        failure: "malformed",
        detail: `the response declares the encoding "${encoding}", but was sent as UTF-8; only UTF-8 is accepted`,
      });
    },
  );

  it("refuses an encoding whose name is long, quoting only the first 40 characters of it", () => {
    const name = "Extended_UNIX_Code_Packed_Format_for_Japanese";
    const declared = `<?xml version="1.0" encoding="${name}"?>${wcf.replace(/^<\?xml[^>]*>/, "")}`;
    expect(decodeBatchResponse(declared, DECODE_85)).toMatchObject({
      ok: false,
      failure: "malformed",
      detail: `the response declares the encoding "${name.slice(0, 40)}", but was sent as UTF-8; only UTF-8 is accepted`,
    });
  });

  it.each(["UTF-8", "utf-8", "utf8", "US-ASCII"])("reads an answer whose XML declaration names %s", (encoding) => {
    const declared = `<?xml version='1.0' encoding='${encoding}' ?>${wcf.replace(/^<\?xml[^>]*>/, "")}`;
    expect(decodeBatchResponse(declared, DECODE_85)).toEqual(decodeBatchResponse(wcf, DECODE_85));
  });

  it("refuses a DOCTYPE, so no entity reaches the output", () => {
    const result = decodeBatchResponse(doctypeEntity, DECODE_85);
    expect(result).toMatchObject({ ok: false, failure: "malformed" });
    expect(JSON.stringify(result)).not.toContain("expanded-entity-text");
    const withoutEntity = decodeBatchResponse(doctypeEntity.replace("&leak;", "plain"), DECODE_85);
    expect(withoutEntity).toEqual({ ok: false, failure: "malformed", detail: "a SOAP message must not contain a DOCTYPE" });
  });

  it.each([
    ["truncated XML", wcf.slice(0, wcf.length / 2)],
    ["an empty body", ""],
    ["an HTML page", "<html><body><h1>Server Error in '/' Application.</h1></body></html>"],
    ["text", "Service Unavailable"],
    ["a non-SOAP document", '<Envelope xmlns="urn:other"><Body/></Envelope>'],
    ["a Body with another operation", withTasks().replaceAll("GetBatchTaskInfosByAssociatesAndStateResponse", "OtherResponse")],
    ["a non-integer Id", withTasks("<BatchTaskInfo><Id>12a</Id></BatchTaskInfo>")],
    ["a non-boolean flag", withTasks("<BatchTaskInfo><IsSystemTask>yes</IsSystemTask></BatchTaskInfo>")],
    ["a nil non-nillable int", withTasks('<BatchTaskInfo><StartCount i:nil="true"/></BatchTaskInfo>')],
    ["an element inside a string field", withTasks("<BatchTaskInfo><Name>a<b/>c</Name></BatchTaskInfo>")],
    ["a repeated field", withTasks("<BatchTaskInfo><Id>1</Id><Id>2</Id></BatchTaskInfo>")],
    [
      "a repeated dictionary key",
      withTasks(
        "<BatchTaskInfo><ParameterObject><StringKeyValuePair><Key>k</Key><Value>1</Value></StringKeyValuePair><StringKeyValuePair><Key>k</Key><Value>2</Value></StringKeyValuePair></ParameterObject></BatchTaskInfo>",
      ),
    ],
    [
      "a dictionary pair without key",
      withTasks(
        "<BatchTaskInfo><ParameterObject><StringKeyValuePair><Value>1</Value></StringKeyValuePair></ParameterObject></BatchTaskInfo>",
      ),
    ],
    ["a nil task", withTasks('<BatchTaskInfo i:nil="true"/>')],
    ["an undeclared prefix", withTasks("<BatchTaskInfo><x:Id>1</x:Id></BatchTaskInfo>")],
  ])("refuses %s as malformed", (_name, xml) => {
    expect(decodeBatchResponse(xml, DECODE_85)).toMatchObject({ ok: false, failure: "malformed" });
  });
});
