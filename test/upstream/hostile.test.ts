import { waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import { manualClock } from "../cache/clock.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, dispatch, fakeUpstream, send, TICKET, testEnv, xmlResponse } from "../helpers.js";

/** Asks for associate 5's Started tasks: the fixture's task 101 fits, its tasks 102 (system, New) and 103 do not. */
const PATH = "/v1/batch-tasks?associateIds=5&state=Started";
const get = (init: Parameters<typeof send>[1] = {}) => send(PATH, { headers: authorized(), ...init });

type Problem = { type: string; detail: string; requestId: string };
const problemOf = async (response: Response) => (await response.json()) as Problem;

const ENVELOPE_START =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
  '<GetBatchTaskInfosByAssociatesAndStateResponse xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85"><Response>';
const ENVELOPE_END = "</Response></GetBatchTaskInfosByAssociatesAndStateResponse></s:Body></s:Envelope>";
const task = (id: number, associateId = 5, state = "Started") =>
  `<BatchTaskInfo><Id>${id}</Id><AssociateId>${associateId}</AssociateId><State>${state}</State></BatchTaskInfo>`;
const withTasks = (...tasks: string[]) => ENVELOPE_START + tasks.join("") + ENVELOPE_END;

/** A body stream that records how many chunks were pulled and whether it was cancelled. */
function countedStream(chunk: Uint8Array, chunks: number) {
  const seen = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulls += 1;
      if (seen.pulls > chunks) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

describe("bounded work on SuperOffice's answers", () => {
  it("refuses an answer nested deeper than 32 levels as upstream-invalid-response, whatever its depth", async () => {
    const nested = withTasks(`<BatchTaskInfo><Name>${"<x>".repeat(50_000)}${"</x>".repeat(50_000)}</Name></BatchTaskInfo>`);
    fakeUpstream(() => xmlResponse(nested));
    const response = await get();
    expect(response.status).toBe(502);
    expect(await problemOf(response)).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:upstream-invalid-response",
      detail: expect.stringContaining("deeper than 32 levels"),
    });
  });

  it("refuses a Content-Length over UPSTREAM_MAX_BYTES without reading the body", async () => {
    const { stream, seen } = countedStream(new TextEncoder().encode("<".repeat(1024)), 100);
    fakeUpstream(
      () => new Response(stream, { headers: { "Content-Type": "text/xml; charset=utf-8", "Content-Length": "5000" } }),
    );
    const response = await get({ env: testEnv({ UPSTREAM_MAX_BYTES: "4096" }) });
    expect(response.status).toBe(502);
    expect(await problemOf(response)).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-response-too-large" });
    expect(seen.pulls).toBeLessThanOrEqual(1);
  });

  it("stops reading a streamed answer the moment it passes UPSTREAM_MAX_BYTES", async () => {
    const { stream, seen } = countedStream(new TextEncoder().encode(" ".repeat(1024)), 10_000);
    fakeUpstream(() => new Response(stream, { headers: { "Content-Type": "text/xml; charset=utf-8" } }));
    const response = await get({ env: testEnv({ UPSTREAM_MAX_BYTES: "4096" }) });
    expect(response.status).toBe(502);
    const problem = await problemOf(response);
    expect(problem.type).toBe("urn:superoffice-batch-edge:problem:upstream-response-too-large");
    expect(problem.detail).toContain("4096");
    expect(seen.pulls).toBeLessThan(10);
    expect(seen.cancelled).toBe(true);
  });

  it("holds at most three maximal answers at once in an isolate: a fourth large read is refused as busy", async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const slowAnswer = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode(" ".repeat(900)));
            await gate;
            controller.close();
          },
        }),
        { headers: { "Content-Type": "text/xml; charset=utf-8" } },
      );
    const calls = fakeUpstream(slowAnswer);
    const app = createApp(manualClock());
    const env = testEnv({ UPSTREAM_MAX_BYTES: "1024" });
    const pending = [1, 2, 3, 4].map((id) =>
      dispatch(`/v1/batch-tasks?associateIds=${id}&state=All`, { headers: authorized(), app, env }),
    );
    await vi.waitFor(() => expect(calls).toHaveLength(4));
    const fourth = await Promise.race(pending.map((request) => request.then(({ response }) => response)));
    expect(fourth.status).toBe(503);
    expect(fourth.headers.get("Retry-After")).toBe("1");
    expect(await fourth.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-busy" });
    open();
    for (const { ctx } of await Promise.all(pending)) await waitOnExecutionContext(ctx);
  });

  it("refuses more than MAX_TASKS tasks as too large", async () => {
    fakeUpstream(() => xmlResponse(withTasks(task(1), task(2), task(3))));
    expect((await get({ env: testEnv({ MAX_TASKS: "3" }) })).status).toBe(200);
    const response = await send("/v1/batch-tasks?associateIds=5,6&state=Started", {
      headers: authorized(),
      env: testEnv({ MAX_TASKS: "2" }),
    });
    expect(response.status).toBe(502);
    expect(await problemOf(response)).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:upstream-response-too-large",
      detail: expect.stringContaining("more than 2 tasks"),
    });
  });

  it.each([
    [
      "invalid UTF-8",
      () =>
        new Response(new Uint8Array([...new TextEncoder().encode(withTasks(task(1))), 0xc3, 0x28]), {
          headers: { "Content-Type": "text/xml; charset=utf-8" },
        }),
    ],
    [
      "a charset other than UTF-8",
      () => new Response(withTasks(task(1)), { headers: { "Content-Type": "text/xml; charset=iso-8859-1" } }),
    ],
    [
      "a year beyond 9999",
      () => xmlResponse(withTasks(task(1).replace("</Id>", "</Id><Created>10000-01-01T00:00:00</Created>"))),
    ],
    [
      "an 8-digit fraction",
      () => xmlResponse(withTasks(task(1).replace("</Id>", "</Id><Created>2026-01-01T00:00:00.12345678</Created>"))),
    ],
  ])("refuses %s instead of mangling it", async (_name, answer) => {
    fakeUpstream(answer);
    const response = await get();
    expect(response.status).toBe(502);
    expect((await problemOf(response)).type).toBe("urn:superoffice-batch-edge:problem:upstream-invalid-response");
  });

  it("drops tasks that do not fit the question, and says so in the log", async () => {
    const warn = vi.spyOn(console, "warn");
    fakeUpstream(() => xmlResponse(withTasks(task(1), task(2, 6), task(3, 5, "Failed"), task(4, 5, "Paused"))));
    const response = await get();
    expect(response.status).toBe(200);
    const body = (await response.json()) as { tasks: { id: number; state: string }[] };
    // Task 4's state (Paused) is one this Worker does not know: read as Unknown, so not the Started asked for.
    expect(body.tasks.map((t) => [t.id, t.state])).toEqual([[1, "Started"]]);
    const dropped = warn.mock.calls
      .map(([line]) => JSON.parse(String(line)))
      .find((line) => line.event === "upstream_tasks_dropped");
    expect(dropped).toMatchObject({ dropped: 3, requestId: response.headers.get("X-Request-Id") });
  });

  it("classifies anything that goes wrong in the exchange, so stale-if-error still applies", async () => {
    const clock = manualClock();
    const app = createApp(clock);
    const env = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "60" });
    fakeUpstream(() => xmlResponse(wcf));
    expect((await get({ app, env })).status).toBe(200);
    clock.advance(15);
    vi.restoreAllMocks();
    fakeUpstream(() => {
      const broken = xmlResponse(wcf);
      Object.defineProperty(broken, "headers", {
        get() {
          throw new TypeError("Cannot create a string longer than 0x1fffffe8 characters");
        },
      });
      return broken;
    });
    const stale = await get({ app, env, headers: authorized({ "Cache-Control": "no-cache" }) });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=stale; ttl=-5; detail=stale-if-error");
    clock.advance(60);
    const failed = await get({ app, env });
    expect(failed.status).toBe(502);
    expect(await problemOf(failed)).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-invalid-response" });
  });

  it("says stored only when something stored the answer", async () => {
    const clock = manualClock();
    const app = createApp({ ...clock, memoryBytes: 2048 });
    fakeUpstream(() => xmlResponse(wcf));
    const first = await get({ app });
    expect(first.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=miss; stored");
    const again = await get({ app, headers: authorized({ "Cache-Control": "no-cache" }) });
    // Too big for this memory tier, and KV takes one write per key per second: nothing kept this answer.
    expect(again.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request");
  });
});

describe("nothing from SuperOffice leaks to callers", () => {
  const fault = (text: string) =>
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode>' +
    `<faultstring>${text}</faultstring></s:Fault></s:Body></s:Envelope>`;

  it("answers a fault with a clean sentence; the full text goes to the log, redacted, with the request id", async () => {
    const error = vi.spyOn(console, "warn");
    const text =
      "Login failed for https://internal-sql01.corp.local:8443/api?x=1 " +
      `at SuperOffice.CRM.Security.SoSession.Authenticate() in C:\\src\\NetServer\\Session.cs:line 42 ticket ${TICKET.toLowerCase()} ${encodeURIComponent(TICKET)} ${TICKET.slice(0, 9)}`;
    fakeUpstream(() => xmlResponse(fault(text), 500));
    const response = await get();
    expect(response.status).toBe(502);
    const body = await response.text();
    for (const leak of [
      "internal-sql01",
      "Session.cs",
      "SoSession",
      "C:\\",
      TICKET.toLowerCase(),
      encodeURIComponent(TICKET),
      TICKET.slice(0, 9),
      "text/xml",
    ]) {
      expect(body).not.toContain(leak);
    }
    const requestId = response.headers.get("X-Request-Id");
    const logged = error.mock.calls.map(([line]) => JSON.parse(String(line))).find((line) => line.event === "upstream_failed");
    expect(logged).toMatchObject({ requestId, kind: "fault" });
    expect(logged.upstreamText).toContain("internal-sql01");
    expect(logged.upstreamText).not.toContain(TICKET.slice(0, 9));
  });

  it("cuts a 5 MB faultstring to a short detail", async () => {
    fakeUpstream(() => xmlResponse(fault("The server is busy. ".repeat(250_000)), 500));
    const response = await get();
    const { detail } = await problemOf(response);
    expect(detail.length).toBeLessThanOrEqual(300);
  });

  it.each([
    ["a parser's message quoting a tag name", () => xmlResponse(`${ENVELOPE_START}<crm-db01.corp.internal.example.com>`)],
    [
      "a repeated dictionary key holding quotes, a path and a URL",
      () => {
        const key = 'a" at \\\\crm-sql01\\share\\Session.cs http://10.0.0.5/internal "b';
        const pair = `<StringKeyValuePair><Key>${key.replaceAll('"', "&quot;")}</Key><Value>v</Value></StringKeyValuePair>`;
        return xmlResponse(withTasks(task(1).replace("</Id>", `</Id><ParameterObject>${pair}${pair}</ParameterObject>`)));
      },
    ],
    [
      "a repeated dictionary key gluing a URL and an address to a plain quoted word",
      () => {
        const key = 'x"https://crm-db01.corp.local/admin/secret user@crm-sql01.corp.local';
        const pair = `<StringKeyValuePair><Key>${key.replaceAll('"', "&quot;")}</Key><Value>v</Value></StringKeyValuePair>`;
        return xmlResponse(withTasks(task(1).replace("</Id>", `</Id><ParameterObject>${pair}${pair}</ParameterObject>`)));
      },
    ],
    [
      "a charset named like a host",
      () => new Response(withTasks(task(1)), { headers: { "Content-Type": "text/xml; charset=crm-sql01.corp.internal" } }),
    ],
  ])("keeps SuperOffice's words out of the Worker's own refusals: %s", async (_name, answer) => {
    const warn = vi.spyOn(console, "warn");
    fakeUpstream(answer);
    const response = await get();
    expect(response.status).toBe(502);
    const body = await response.text();
    for (const leak of ["crm-db01", "crm-sql01", "Session.cs", "10.0.0.5", "internal"]) expect(body).not.toContain(leak);
    expect((JSON.parse(body) as Problem).type).toBe("urn:superoffice-batch-edge:problem:upstream-invalid-response");
    const logged = warn.mock.calls.map(([line]) => JSON.parse(String(line))).find((line) => line.event === "upstream_failed");
    expect(logged.upstreamText).toMatch(/crm-(db|sql)01/);
  });

  it("never echoes the upstream Content-Type", async () => {
    fakeUpstream(
      () => new Response("<html/>", { status: 500, headers: { "Content-Type": "text/html; secret=internal-gateway-7" } }),
    );
    const body = await (await get()).text();
    expect(body).not.toContain("internal-gateway-7");
    expect(body).not.toContain("text/html");
  });
});
