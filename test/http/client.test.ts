import { SELF } from "cloudflare:test";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { createClient, problemOfRpcError } from "../../src/client.js";
import { PROBLEMS } from "../../src/http/problem.js";
import type { BatchTaskState } from "../../src/model/batch-task.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { API_KEY, fakeUpstream, xmlResponse } from "../helpers.js";

/** The typed client against the running Worker (the module under test, through `SELF`), with a fake SuperOffice. */
const client = () => createClient("https://edge.test", API_KEY, { fetch: (input, init) => SELF.fetch(input, init) });

describe("createClient (hono/client over AppType)", () => {
  it("types the inputs and the JSON answer of each route", () => {
    const api = client();
    type GetInput = Parameters<(typeof api.v1)["batch-tasks"]["$get"]>[0];
    expectTypeOf<GetInput["query"]["state"]>().toEqualTypeOf<BatchTaskState>();
    expectTypeOf<GetInput["query"]["associateIds"]>().toEqualTypeOf<string | string[]>();
    type PostInput = Parameters<(typeof api.v1)["batch-tasks"]["query"]["$post"]>[0];
    expectTypeOf<PostInput["json"]>().toEqualTypeOf<{ associateIds: number[]; state: BatchTaskState }>();
    type Ok = Extract<Awaited<ReturnType<(typeof api.v1)["batch-tasks"]["$get"]>>, { status: 200 }>;
    type Body = Awaited<ReturnType<Ok["json"]>>;
    expectTypeOf<Body["tasks"][number]["progressPercent"]>().toEqualTypeOf<number>();
    expectTypeOf<Body["fetchedAt"]>().toEqualTypeOf<string>();
    type Refused = Exclude<Awaited<ReturnType<(typeof api.v1)["batch-tasks"]["$get"]>>, { status: 200 | 304 }>;
    expectTypeOf<Awaited<ReturnType<Refused["json"]>>["requestId"]>().toEqualTypeOf<string>();
  });

  it("calls the running Worker with the key, and reads typed tasks", async () => {
    const calls = fakeUpstream(() => xmlResponse(wcf));
    const api = client();
    const response = await api.v1["batch-tasks"].$get({ query: { associateIds: "5", state: "Started" } });
    expect(response.status).toBe(200);
    if (response.status !== 200) return;
    const body = await response.json();
    expect(body.tasks.map((task) => [task.id, task.progressPercent])).toEqual([[101, 42]]);
    const posted = await api.v1["batch-tasks"].query.$post({ json: { associateIds: [7, 5], state: "Started" } });
    expect(posted.status).toBe(200);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls[0]?.headers.get("SOAPAction")).toContain("Services85");
  });

  it("gets problems as problems", async () => {
    vi.spyOn(globalThis, "fetch");
    const anonymous = createClient("https://edge.test", "wrong-key", { fetch: (input, init) => SELF.fetch(input, init) });
    const response = await anonymous.v1["batch-tasks"].$get({ query: { associateIds: "5", state: "Started" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("problemOfRpcError", () => {
  it("reads the problem an RPC error carries in its message, with its status, title and request id, and nothing else", () => {
    const requestId = "0b7d4a52-2f5e-4c7b-9a43-6a0f3c2d1e8f";
    expect(
      problemOfRpcError(new Error(`upstream-timeout: SuperOffice did not answer within 10 ms. [requestId ${requestId}]`)),
    ).toEqual({
      type: "upstream-timeout",
      status: 504,
      title: PROBLEMS["upstream-timeout"].title,
      detail: "SuperOffice did not answer within 10 ms.",
      requestId,
    });
    expect(problemOfRpcError(new Error(`made-up-type: x [requestId ${requestId}]`))).toBeNull();
    expect(problemOfRpcError(new Error("upstream-timeout: no request id"))).toBeNull();
    expect(problemOfRpcError(`upstream-timeout: x [requestId ${requestId}]`)).toBeNull();
  });
});
