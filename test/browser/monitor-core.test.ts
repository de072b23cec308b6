import { describe, expect, it } from "vitest";
import {
  describeCacheStatus,
  formatAge,
  formatDateTime,
  parseAssociateIds,
  readProblem,
  STATES,
  tasksUrl,
} from "../../public/monitor-core.js";
import { BATCH_TASK_STATES } from "../../src/model/batch-task.js";

/** The monitor page's pure parts (public/monitor-core.js), in Node. */

describe("monitor core", () => {
  it("offers exactly the states the API accepts", () => {
    expect([...STATES].sort()).toEqual([...BATCH_TASK_STATES].sort());
  });

  it("reads associate ids separated by commas and/or spaces, and says what is wrong", () => {
    expect(parseAssociateIds(" 5, 7 12,,-1 ")).toEqual({ ok: true, ids: [5, 7, 12, -1] });
    expect(parseAssociateIds(" , ")).toMatchObject({ ok: false, error: expect.stringContaining("at least one") });
    expect(parseAssociateIds("5,x7")).toEqual({
      ok: false,
      error: "“x7” is not an associate id: use whole numbers such as 5,7.",
    });
    expect(parseAssociateIds("1.5")).toMatchObject({ ok: false });
  });

  it("builds the API path, under /v1/tenants/{tenant} when a tenant is given", () => {
    expect(tasksUrl({ associateIds: [5, 7], state: "All" })).toBe("/v1/batch-tasks?associateIds=5,7&state=All");
    expect(tasksUrl({ associateIds: [-1], state: "Started", tenant: "Cust12345" })).toBe(
      "/v1/tenants/Cust12345/batch-tasks?associateIds=-1&state=Started",
    );
    expect(tasksUrl({ associateIds: [1], state: "New", tenant: "a/b?c" })).toBe(
      "/v1/tenants/a%2Fb%3Fc/batch-tasks?associateIds=1&state=New",
    );
  });

  it("shows SuperOffice's dates in the viewer's time zone, 'never' for null, and zone-less ones as written", () => {
    const oslo = { locale: "en-GB", timeZone: "Europe/Oslo" };
    expect(formatDateTime("2026-11-20T09:01:02.0000001Z", oslo)).toEqual({
      text: "20 Nov 2026, 10:01:02",
      dateTime: "2026-11-20T09:01:02.000Z",
    });
    expect(formatDateTime("2026-11-19T16:45:00.5000000-05:00", oslo)).toEqual({
      text: "19 Nov 2026, 22:45:00",
      dateTime: "2026-11-19T21:45:00.500Z",
    });
    expect(formatDateTime("2026-11-20T08:00:00", oslo)).toEqual({
      text: "20 Nov 2026, 08:00:00 (server time)",
      dateTime: "2026-11-20T08:00:00",
    });
    expect(formatDateTime(null, oslo)).toEqual({ text: "never", dateTime: null });
    expect(formatDateTime("not a date", oslo)).toEqual({ text: "not a date", dateTime: null });
  });

  it("says durations as people read them", () => {
    expect([0, 59, 60, 185, 3600, 7380].map(formatAge)).toEqual([
      "0 s",
      "59 s",
      "1 min 0 s",
      "3 min 5 s",
      "1 h 0 min",
      "2 h 3 min",
    ]);
  });

  it("puts the edge's Cache-Status into words", () => {
    expect(describeCacheStatus("superoffice-batch-edge; hit; ttl=12")).toBe("hit, fresh for 12 s");
    expect(describeCacheStatus("superoffice-batch-edge; hit; ttl=-5")).toBe("hit, stale by 5 s; refreshing");
    expect(describeCacheStatus("superoffice-batch-edge; fwd=miss; stored")).toBe("miss: asked SuperOffice");
    expect(describeCacheStatus("superoffice-batch-edge; fwd=stale; stored; collapsed")).toBe(
      "expired: asked SuperOffice, shared with a concurrent request",
    );
    expect(describeCacheStatus("superoffice-batch-edge; fwd=request; stored")).toBe("revalidated with SuperOffice");
    expect(describeCacheStatus("superoffice-batch-edge; fwd=stale; ttl=-5; detail=stale-if-error")).toBe(
      "SuperOffice failed; cached data served",
    );
    expect(describeCacheStatus("OtherCache; hit, superoffice-batch-edge; fwd=miss; stored")).toBe("miss: asked SuperOffice");
    expect(describeCacheStatus("OtherCache; hit")).toBe("unknown");
    expect(describeCacheStatus(null)).toBe("unknown");
  });

  it("reads a problem document defensively", () => {
    expect(
      readProblem(400, {
        title: "Invalid request",
        detail: "The request has 2 invalid fields; see errors.",
        errors: [
          { parameter: "associateIds[1]", detail: "must be an integer" },
          { pointer: "#/state", detail: "must be one of …" },
        ],
        requestId: "abc",
      }),
    ).toEqual({
      title: "Invalid request",
      detail: "The request has 2 invalid fields; see errors. (request id abc)",
      errors: ["associateIds[1]: must be an integer", "#/state: must be one of …"],
    });
    expect(readProblem(502, "<html>")).toEqual({ title: "HTTP 502", detail: "", errors: [] });
    expect(readProblem(500, { title: 5, errors: "no" })).toEqual({ title: "HTTP 500", detail: "", errors: [] });
  });
});
