import { env } from "cloudflare:workers";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { type BatchTasksEntrypoint, problemOfRpcError, type RpcProblem } from "../../src/client.js";
import type { BatchTasksRequest, BatchTasksResult } from "../../src/rpc.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { APP_TOKEN, fakeUpstream, TICKET, xmlResponse } from "../helpers.js";

/** The consumer Worker of vitest.config.ts (test/rpc/consumer.mjs), which calls `BatchTasks` through its binding. */
async function viaConsumer(
  query: unknown,
): Promise<{ ok: true; result: BatchTasksResult } | { ok: false; name: string; message: string }> {
  const response = await env.RPC_CONSUMER.fetch("https://consumer.test/", { method: "POST", body: JSON.stringify(query) });
  return response.json();
}

/** What the consumer caught, read as `problemOfRpcError` reads it; fails the test when the call succeeded. */
async function problemVia(query: unknown): Promise<RpcProblem | null> {
  const outcome = await viaConsumer(query);
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.result)}`);
  expect(outcome.name).toBe("Error");
  return problemOfRpcError(new Error(outcome.message));
}

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("Workers RPC: the BatchTasks entrypoint over a service binding", () => {
  it("answers another Worker with the validated tasks and their cache status, no HTTP and no key", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const first = await viaConsumer({ associateIds: [5, 5], state: "started" });
    expect(first).toMatchObject({ ok: true, result: { cacheStatus: "superoffice-batch-edge; fwd=miss; stored", age: 0 } });
    if (!first.ok) return;
    expect(first.result.tasks.map((task) => [task.id, task.state, task.fileName])).toEqual([[101, "Started", null]]);
    expect(first.result.etag).toMatch(/^W\//);
    const second = await viaConsumer({ associateIds: [5], state: "Started" });
    expect(second).toMatchObject({ ok: true, result: { cacheStatus: expect.stringMatching(/; hit; /) } });
    const forced = await viaConsumer({ associateIds: [5], state: "Started", cache: { noCache: true } });
    expect(forced).toMatchObject({ ok: true, result: { cacheStatus: expect.stringMatching(/fwd=request/) } });
    expect(calls).toHaveLength(2);
  });

  it("throws errors that carry the same problem types as HTTP", async () => {
    fakeUpstream(() => new Response("down", { status: 503 }));
    const invalid = await viaConsumer({ associateIds: [], state: "Started" });
    expect(invalid.ok).toBe(false);
    if (invalid.ok) return;
    expect(problemOfRpcError(new Error(invalid.message))).toMatchObject({ type: "invalid-request" });
    const failed = await viaConsumer({ associateIds: [42], state: "All" });
    expect(failed.ok || problemOfRpcError(new Error(failed.message))).toMatchObject({ type: "upstream-invalid-response" });
    const unknownTenant = await viaConsumer({ associateIds: [42], state: "All", tenant: "Cust99999" });
    expect(unknownTenant.ok || problemOfRpcError(new Error(unknownTenant.message))).toMatchObject({ type: "not-found" });
  });

  it("throws errors that carry the problem's type, status, title and a request id through the binding", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const invalid = await problemVia({ associateIds: [], state: "Started" });
    expect(invalid).toEqual({
      type: "invalid-request",
      status: 400,
      title: "Invalid request",
      detail: "The request has 1 invalid field: #/associateIds at least one associate id is required.",
      requestId: expect.stringMatching(REQUEST_ID),
    });
    const unknownTenant = await problemVia({ associateIds: [42], state: "All", tenant: "Cust99999" });
    expect(unknownTenant).toMatchObject({ type: "not-found", status: 404, detail: "No such tenant." });
    expect(unknownTenant?.requestId).toMatch(REQUEST_ID);
    expect(unknownTenant?.requestId).not.toBe(invalid?.requestId);
    expect(calls).toHaveLength(0);
  });

  it("refuses cache directives it does not honour, and a tenant that is not a string, naming each field", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const cases: Array<[unknown, string]> = [
      [{ maxAge: -1 }, "#/cache/maxAge must be at least 0"],
      [{ maxAge: 1.5 }, "#/cache/maxAge must be an integer"],
      [{ noCache: "yes" }, "#/cache/noCache must be true or false"],
      [{ nocache: true }, "#/cache/nocache is not a known directive (noCache, noStore, maxAge, onlyIfCached)"],
      ["no-cache", "#/cache must be an object"],
    ];
    for (const [cache, field] of cases) {
      const refused = await problemVia({ associateIds: [5], state: "Started", cache });
      expect(refused).toMatchObject({ type: "invalid-request", detail: `The request has 1 invalid field: ${field}.` });
    }
    const both = await problemVia({ associateIds: ["5"], state: "Started", tenant: 7, cache: { onlyIfCached: 1 } });
    expect(both?.detail).toBe(
      "The request has 3 invalid fields: #/associateIds/0 must be a number; #/tenant must be a string; #/cache/onlyIfCached must be true or false.",
    );
    expect(calls).toHaveLength(0);
    const honoured = await viaConsumer({ associateIds: [5], state: "Started", cache: { maxAge: 0, noStore: true } });
    // max-age=0 forwards the request; no-store keeps the answer out of the cache, as the same Cache-Control would.
    expect(honoured).toMatchObject({ ok: true, result: { cacheStatus: "superoffice-batch-edge; fwd=request" } });
    expect(calls).toHaveLength(1);
  });

  it("writes one rpc log line for a call that fails before SuperOffice is asked, with the error's request id", async () => {
    const warn = vi.spyOn(console, "warn");
    const rpcLines = () =>
      warn.mock.calls
        .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
        .filter((line) => line["event"] === "rpc");
    const invalid = await problemVia({ associateIds: [], state: "Started", cache: { noCache: true } });
    const unknownTenant = await problemVia({ associateIds: [7, 5, 7], state: "Started", tenant: "Cust99999" });
    expect(rpcLines()).toEqual([
      {
        level: "warn",
        event: "rpc",
        requestId: invalid?.requestId,
        method: "getBatchTasks",
        status: 400,
        outcome: "invalid-request",
        upstreamMs: 0,
      },
      {
        level: "warn",
        event: "rpc",
        requestId: unknownTenant?.requestId,
        method: "getBatchTasks",
        status: 404,
        outcome: "not-found",
        upstreamMs: 0,
        ids: 2,
        tenant: "Cust99999",
      },
    ]);
    const text = JSON.stringify(warn.mock.calls);
    for (const secret of [TICKET, APP_TOKEN]) expect(text).not.toContain(secret);
  });

  it("types a consumer's binding as Service<BatchTasksEntrypoint>; a plain Fetcher has no getBatchTasks", () => {
    type Binding = Service<BatchTasksEntrypoint>;
    expectTypeOf<BatchTasksRequest>().toExtend<Parameters<Binding["getBatchTasks"]>[0]>();
    expectTypeOf<Awaited<ReturnType<Binding["getBatchTasks"]>>>().toExtend<BatchTasksResult>();
    expectTypeOf<"getBatchTasks" extends keyof Fetcher ? true : false>().toEqualTypeOf<false>();
  });
});
