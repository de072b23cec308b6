import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { manualClock } from "../cache/clock.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, xmlResponse } from "../helpers.js";

const REST_PATH = "/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState";

const post = (
  body: unknown,
  init: { query?: string; headers?: Record<string, string>; app?: ReturnType<typeof createApp> } = {},
) =>
  send(`${REST_PATH}${init.query ?? ""}`, {
    method: "POST",
    headers: authorized({ "Content-Type": "application/json; charset=utf-8", ...init.headers }),
    body: JSON.stringify(body),
    ...(init.app === undefined ? {} : { app: init.app }),
  });

const PASCAL_KEYS = [
  "Id",
  "Name",
  "AssociateId",
  "DetailsTable",
  "DetailsRecord",
  "IsSystemTask",
  "IsInternalTask",
  "ParameterObject",
  "LastStarted",
  "Created",
  "StartCount",
  "DatabaseSerialNumber",
  "Context",
  "Result",
  "State",
  "Description",
  "Response",
  "Request",
  "ProgressDescription",
  "ProgressPercent",
  "FileName",
  "CancellationBehaviour",
];

describe("SuperOffice REST compatibility: POST /api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState", () => {
  it("answers a bare array of PascalCase BatchTaskInfo, dates as SuperOffice wrote them, from the same cache as /v1", async () => {
    const app = createApp(manualClock());
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const response = await post({ AssociateIds: [5], State: "Started" }, { app });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    const tasks = (await response.json()) as Record<string, unknown>[];
    expect(Array.isArray(tasks)).toBe(true);
    expect(Object.keys(tasks[0] ?? {})).toEqual(PASCAL_KEYS);
    expect(tasks[0]).toMatchObject({
      Id: 101,
      AssociateId: 5,
      State: "Started",
      LastStarted: "2026-11-20T08:15:30.1234567+01:00",
      ParameterObject: { selectionId: "77", mode: "a < b && c > d", note: null, empty: "" },
      FileName: null,
      CancellationBehaviour: null,
    });
    const viaV1 = await send("/v1/batch-tasks?associateIds=5&state=Started", { headers: authorized(), app });
    expect(viaV1.headers.get("Cache-Status")).toMatch(/; hit; /);
    expect(calls).toHaveLength(1);
  });

  it("reads the body's keys in any case (camelCase as @superoffice/webapi sends them), with the same rules", async () => {
    const app = createApp(manualClock());
    fakeUpstream(() => xmlResponse(wcf));
    expect((await post({ associateIds: [5], state: "Started" }, { app })).status).toBe(200);
    expect((await post({ ASSOCIATEIDS: [5], sTaTe: "started" }, { app })).headers.get("Cache-Status")).toMatch(/; hit; /);
    const invalid = await post({ AssociateIds: ["x"], State: "Nope" }, { app });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("Content-Type")).toBe("application/problem+json");
    expect(((await invalid.json()) as { errors: unknown[] }).errors).toEqual([
      { pointer: "#/AssociateIds/0", detail: "must be a number" },
      { pointer: "#/State", detail: expect.stringContaining("must be one of") },
    ]);
    const twice = await post({ AssociateIds: [5], associateIds: [6], State: "New" }, { app });
    expect(twice.status).toBe(400);
  });

  it("keeps the properties $select lists (any case) and sets the others to null", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const response = await post({ AssociateIds: [5], State: "Started" }, { query: "?$select=name,State" });
    const [task] = (await response.json()) as Record<string, unknown>[];
    expect(Object.keys(task ?? {})).toEqual(PASCAL_KEYS);
    expect(Object.entries(task ?? {}).filter(([, value]) => value !== null)).toEqual([
      ["Name", 'Mass update & merge <contacts> "Q4" – Åsgårdstrand 🚀'],
      ["State", "Started"],
    ]);
    const unknown = await post({ AssociateIds: [5], State: "Started" }, { query: "?$select=Name,Secret" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      errors: [{ parameter: "$select", detail: '"Secret" is not a BatchTaskInfo property' }],
    });
  });

  it("has its own ETag per representation, and answers 304 to it", async () => {
    const app = createApp(manualClock());
    fakeUpstream(() => xmlResponse(wcf));
    const full = await post({ AssociateIds: [5], State: "Started" }, { app });
    const selected = await post({ AssociateIds: [5], State: "Started" }, { app, query: "?$select=Name" });
    const v1 = await send("/v1/batch-tasks?associateIds=5&state=Started", { headers: authorized(), app });
    const tags = [full, selected, v1].map((response) => response.headers.get("ETag"));
    expect(new Set(tags).size).toBe(3);
    const again = await post({ AssociateIds: [5], State: "Started" }, { app, headers: { "If-None-Match": tags[0] ?? "" } });
    expect(again.status).toBe(304);
  });

  it("takes the client's Authorization: Bearer key, ignores its SO-* headers, and refuses others with problems", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const headers = { "SO-Browser-TZ-Offset": "-60", "SO-Language": "en", "User-Agent": "SuperOffice WebApi" };
    expect((await post({ AssociateIds: [5], State: "Started" }, { headers })).status).toBe(200);
    const anonymous = await send(REST_PATH, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("Content-Type")).toBe("application/problem+json");
    const get = await send(REST_PATH, { headers: authorized() });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
  });
});
