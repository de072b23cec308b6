import { describe, expect, it, vi } from "vitest";
import exception from "../fixtures/exception.xml?raw";
import faultSoap11 from "../fixtures/fault-soap11.xml?raw";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { API_KEY, APP_TOKEN, authorized, fakeUpstream, send, TICKET, testEnv, xmlResponse } from "../helpers.js";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const options = { now: () => NOW };

async function getTasks(query: string, headers: Record<string, string> = {}) {
  return send(`/v1/batch-tasks?${query}`, { headers: authorized(headers), options });
}

async function problemOf(response: Response) {
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  return (await response.json()) as { type: string; title: string; status: number; detail: string; errors?: unknown[] };
}

describe("GET /v1/batch-tasks", () => {
  it("answers validated camelCase JSON with fetchedAt and tells the cache outcome", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const response = await getTasks("associateIds=-1&state=All");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(response.headers.get("Age")).toBe("0");
    const body = (await response.json()) as { tasks: Record<string, unknown>[]; fetchedAt: string };
    expect(body.fetchedAt).toBe("2026-11-28T12:00:00.000Z");
    expect(body.tasks.map((task) => task.id)).toEqual([101, 102, 103]);
    expect(body.tasks[0]).toMatchObject({
      name: 'Mass update & merge <contacts> "Q4" – Åsgårdstrand 🚀',
      parameterObject: { selectionId: "77", mode: "a < b && c > d", note: null, empty: "" },
      lastStarted: "2026-11-20T08:15:30.1234567+01:00",
      state: "Started",
    });
    expect(Object.keys(body.tasks[0] ?? {})).toEqual([
      "id",
      "name",
      "associateId",
      "detailsTable",
      "detailsRecord",
      "isSystemTask",
      "isInternalTask",
      "parameterObject",
      "lastStarted",
      "created",
      "startCount",
      "databaseSerialNumber",
      "context",
      "result",
      "state",
      "description",
      "response",
      "request",
      "progressDescription",
      "progressPercent",
      "fileName",
      "cancellationBehaviour",
    ]);
  });

  it("sends SuperOffice exactly the right envelope and headers, with ids sorted and de-duplicated", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    await getTasks("associateIds=7,5&associateIds=-1,0,5&state=sUcCeEdEd");
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe("https://tenant.example/Cust1/Remote/Services85/Batch.svc");
    expect(call?.method).toBe("POST");
    expect(call?.redirect).toBe("manual");
    expect(call?.headers.get("Content-Type")).toBe("text/xml; charset=utf-8");
    expect(call?.headers.get("SOAPAction")).toBe(
      '"http://www.superoffice.net/ws/crm/NetServer/Services85/Batch/GetBatchTaskInfosByAssociatesAndState"',
    );
    expect(call?.headers.get("Authorization")).toBeNull();
    expect(call?.body).toContain(
      `<ApplicationToken xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85">${APP_TOKEN}</ApplicationToken>`,
    );
    expect(call?.body).toContain(`<Ticket>${TICKET}</Ticket>`);
    expect(call?.body).toContain(
      "<a:int>-1</a:int><a:int>0</a:int><a:int>5</a:int><a:int>7</a:int></AssociateIds><State>Succeeded</State>",
    );
    expect(call?.body).not.toContain(API_KEY);
  });

  it.each([
    ["associateIds is missing", "state=New", [{ parameter: "associateIds", detail: "at least one associate id is required" }]],
    ["associateIds is empty", "associateIds=&state=New", [{ parameter: "associateIds[0]", detail: "must be an integer" }]],
    ["an id is not a number", "associateIds=1,x,3&state=New", [{ parameter: "associateIds[1]", detail: "must be an integer" }]],
    ["an id is fractional", "associateIds=1.5&state=New", [{ parameter: "associateIds[0]", detail: "must be an integer" }]],
    [
      "an id is below -1",
      "associateIds=-2&state=New",
      [{ parameter: "associateIds[0]", detail: "must be -1 (all users), 0 (system tasks) or a positive associate id" }],
    ],
    [
      "an id is above xs:int",
      "associateIds=2147483648&state=New",
      [{ parameter: "associateIds[0]", detail: "must be at most 2147483647" }],
    ],
    ["state is missing", "associateIds=1", [{ parameter: "state", detail: "is required" }]],
    [
      "state is unknown",
      "associateIds=1&state=Acquired",
      [
        {
          parameter: "state",
          detail: "must be one of Unknown, New, Aquired, Started, Succeeded, Failed, SucceededManualCleanup, All",
        },
      ],
    ],
    ["state is repeated", "associateIds=1&state=New&state=Failed", [{ parameter: "state", detail: "must be given once" }]],
    [
      "a parameter is unknown",
      "associateIds=1&state=New&associateId=2",
      [{ parameter: "associateId", detail: "is not a known parameter" }],
    ],
    [
      "several fields are wrong",
      "associateIds=a,b&state=nope",
      [
        { parameter: "associateIds[0]", detail: "must be an integer" },
        { parameter: "associateIds[1]", detail: "must be an integer" },
        {
          parameter: "state",
          detail: "must be one of Unknown, New, Aquired, Started, Succeeded, Failed, SucceededManualCleanup, All",
        },
      ],
    ],
  ])("answers 400 listing each invalid field when %s, and calls nobody", async (_name, query, errors) => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await getTasks(query);
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:invalid-request",
      title: "Invalid request",
      status: 400,
      errors,
    });
    expect(calls).toHaveLength(0);
  });

  it("answers HEAD with the same headers and no body", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const response = await send("/v1/batch-tasks?associateIds=5&state=Started", {
      method: "HEAD",
      headers: authorized(),
      options,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toMatch(/^W\//);
    expect(response.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    expect(await response.text()).toBe("");
  });

  it("lists at most 20 invalid fields, then says how many more", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const response = await getTasks(`associateIds=${Array.from({ length: 25 }, () => "x").join(",")}&state=New`);
    const { errors } = await problemOf(response);
    expect(errors).toHaveLength(21);
    expect(errors?.[20]).toEqual({ parameter: "query", detail: "and 5 more invalid fields" });
  });

  it("accepts 1000 distinct ids (after de-duplication) and refuses 1001", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const ids = Array.from({ length: 1000 }, (_, index) => index + 1);
    expect((await getTasks(`associateIds=${ids.join(",")},1,2,3&state=New`)).status).toBe(200);
    const response = await getTasks(`associateIds=${ids.join(",")},1001&state=New`);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([
      { parameter: "associateIds", detail: "at most 1000 distinct associate ids are allowed" },
    ]);
  });
});

describe("POST /v1/batch-tasks/query", () => {
  const post = (body: string, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
    send("/v1/batch-tasks/query", { method: "POST", body, headers: authorized(headers), options });

  it("answers the same body as GET, from the same cache entry", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const viaPost = await post(JSON.stringify({ associateIds: [7, 5, 5], state: "started" }));
    expect(viaPost.status).toBe(200);
    const viaGet = await getTasks("associateIds=5,7&state=Started");
    expect(viaGet.headers.get("Cache-Status")).toMatch(/; hit; ttl=30$/);
    expect(await viaGet.text()).toBe(await viaPost.text());
    expect(calls).toHaveLength(1);
  });

  it.each([
    [
      "an empty list",
      { associateIds: [], state: "New" },
      [{ pointer: "#/associateIds", detail: "at least one associate id is required" }],
    ],
    ["ids as strings", { associateIds: ["1"], state: "New" }, [{ pointer: "#/associateIds/0", detail: "must be a number" }]],
    ["a missing state", { associateIds: [1] }, [{ pointer: "#/state", detail: "is required" }]],
    [
      "an unknown field",
      { associateIds: [1], state: "New", extra: true },
      [{ pointer: "#/extra", detail: "is not a known field" }],
    ],
    ["a non-object", [1, 2], [{ pointer: "#", detail: "must be an object" }]],
  ])("answers 400 with JSON pointers for %s", async (_name, body, errors) => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual(errors);
    expect(calls).toHaveLength(0);
  });

  it("refuses invalid JSON, other media types and oversized bodies", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    expect((await post("{not json")).status).toBe(400);
    expect((await post("associateIds=1&state=New", { "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(415);
    const huge = JSON.stringify({ associateIds: [1], state: "New", pad: "x".repeat(70_000) });
    const tooLarge = await post(huge);
    expect(tooLarge.status).toBe(413);
    expect(await problemOf(tooLarge)).toMatchObject({ status: 413 });
    expect(calls).toHaveLength(0);
  });
});

describe("upstream failures", () => {
  it.each([
    [
      "Succeeded=false",
      () => xmlResponse(exception.replace("SoSessionException", "SoServerException")),
      502,
      "upstream-error",
      "Your session has expired. Please log in again.",
    ],
    [
      "a session exception",
      () => xmlResponse(exception),
      502,
      "upstream-credentials-rejected",
      "SuperOffice rejected the configured credentials",
    ],
    // A fault's text is for operators (it goes to the log): callers get the fixed sentence.
    [
      "a SOAP fault with HTTP 500",
      () => xmlResponse(faultSoap11, 500),
      502,
      "upstream-error",
      "SuperOffice answered with a SOAP fault.",
    ],
    [
      "an HTML error page",
      () => new Response("<html>IIS error</html>", { status: 503, headers: { "Content-Type": "text/html" } }),
      502,
      "upstream-invalid-response",
      "HTTP 503 with a body that is not XML",
    ],
    ["truncated XML", () => xmlResponse(wcf.slice(0, 900)), 502, "upstream-invalid-response", "not well-formed XML"],
    ["a valid answer with HTTP 404", () => xmlResponse(wcf, 404), 502, "upstream-invalid-response", "HTTP 404"],
    [
      "a redirect",
      () => new Response(null, { status: 307, headers: { Location: "https://elsewhere.example/steal" } }),
      502,
      "upstream-invalid-response",
      "HTTP 307 (a redirect, not followed)",
    ],
    [
      "an out-of-range short",
      () => xmlResponse(wcf.replace("<ProgressPercent>42<", "<ProgressPercent>40000<")),
      502,
      "upstream-invalid-response",
      "tasks[0].progressPercent must fit in xs:short",
    ],
    [
      "a malformed date",
      () => xmlResponse(wcf.replace("2026-01-02T03:04:05", "yesterday")),
      502,
      "upstream-invalid-response",
      "tasks[1].created must be an xs:dateTime",
    ],
    [
      "a date that is no day",
      () => xmlResponse(wcf.replace("2026-01-02T03:04:05", "2026-02-29T03:04:05")),
      502,
      "upstream-invalid-response",
      "tasks[1].created must be an xs:dateTime of a real day",
    ],
  ])(
    "maps %s to a problem with the message, no stack trace or secret, and caches nothing",
    async (_name, answer, status, type, detail) => {
      const calls = fakeUpstream(answer);
      const first = await getTasks("associateIds=5&state=Started");
      expect(first.status).toBe(status);
      const text = await first.text();
      const problem = JSON.parse(text) as { type: string; detail: string };
      expect(problem.type).toBe(`urn:superoffice-batch-edge:problem:${type}`);
      expect(problem.detail).toContain(detail);
      for (const leak of ["StackTrace", "   at ", TICKET, APP_TOKEN, API_KEY]) expect(text).not.toContain(leak);
      await getTasks("associateIds=5&state=Started");
      expect(calls).toHaveLength(2);
    },
  );

  it("gives callers only FriendlyText: ExceptionInfo's Message goes to the log, the ticket it echoes redacted", async () => {
    const warn = vi.spyOn(console, "warn");
    const echo = exception.replace(/<FriendlyText>.*<\/FriendlyText>/, "").replace("SoSessionException", "SoServerException");
    fakeUpstream(() => xmlResponse(echo));
    const response = await getTasks("associateIds=5&state=Started");
    const problem = (await response.json()) as { detail: string };
    expect(problem.detail).toBe("SuperOffice reported an error.");
    const logged = warn.mock.calls.map(([line]) => JSON.parse(String(line))).find((line) => line.event === "upstream_failed");
    expect(logged).toMatchObject({
      requestId: response.headers.get("X-Request-Id"),
      upstreamText: "Ticket [redacted] is expired or invalid",
    });
  });

  it("answers 503 when SuperOffice cannot be reached", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      throw new TypeError("Network connection lost.");
    });
    const response = await getTasks("associateIds=5&state=Started");
    expect(response.status).toBe(503);
    expect(await problemOf(response)).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-unavailable" });
  });

  it("answers 504 when SuperOffice does not answer within UPSTREAM_TIMEOUT_MS", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const response = await send("/v1/batch-tasks?associateIds=5&state=Started", {
      headers: authorized(),
      env: testEnv({ UPSTREAM_TIMEOUT_MS: "20" }),
    });
    expect(response.status).toBe(504);
    expect(await problemOf(response)).toMatchObject({ detail: "SuperOffice did not answer within 20 ms." });
  });
});
