import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { problemOfRpcError } from "../../src/client.js";
import type { BatchTasksResult } from "../../src/rpc.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { fakeUpstream, xmlResponse } from "../helpers.js";

/** The consumer Worker of vitest.config.ts (test/rpc/consumer.mjs), which calls `BatchTasks` through its binding. */
async function viaConsumer(
  query: unknown,
): Promise<{ ok: true; result: BatchTasksResult } | { ok: false; name: string; message: string }> {
  const response = await env.RPC_CONSUMER.fetch("https://consumer.test/", { method: "POST", body: JSON.stringify(query) });
  return response.json();
}

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
});
