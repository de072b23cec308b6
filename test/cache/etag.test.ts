import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, testEnv, xmlResponse } from "../helpers.js";
import { manualClock } from "./clock.js";

const PATH = "/v1/batch-tasks?associateIds=5&state=Started";

function isolate() {
  const clock = manualClock();
  const app = createApp(clock);
  let xml = wcf;
  const calls = fakeUpstream(() => xmlResponse(xml));
  const env = testEnv({ CACHE_FRESH_SECONDS: "10", CACHE_STALE_SECONDS: "60" });
  const get = (headers: Record<string, string> = {}) => send(PATH, { headers: authorized(headers), app, env });
  const post = (headers: Record<string, string> = {}) =>
    send("/v1/batch-tasks/query", {
      method: "POST",
      body: JSON.stringify({ associateIds: [5], state: "Started" }),
      headers: authorized({ "Content-Type": "application/json", ...headers }),
      app,
      env,
    });
  return {
    clock,
    calls,
    get,
    post,
    changeTasks: () => {
      xml = wcf.replace("<ProgressPercent>42<", "<ProgressPercent>43<");
    },
  };
}

describe("ETag and 304", () => {
  it("tags the tasks with a weak ETag and answers 304 to a matching If-None-Match, for GET and POST", async () => {
    const { get, post } = isolate();
    const first = await get();
    const etag = first.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{24}"$/);
    for (const conditional of [get({ "If-None-Match": etag }), post({ "If-None-Match": `"other", ${etag}` })]) {
      const response = await conditional;
      expect(response.status).toBe(304);
      expect(await response.text()).toBe("");
      expect(response.headers.get("ETag")).toBe(etag);
      expect(response.headers.get("Cache-Status")).toMatch(/; hit; ttl=10$/);
      expect(response.headers.get("Cache-Control")).toBe("private, max-age=10");
    }
    expect((await get({ "If-None-Match": '"something-else"' })).status).toBe(200);
    expect((await get({ "If-None-Match": "*" })).status).toBe(304);
  });

  it("is the SHA-256 of the tasks' UTF-8 JSON as sent, so tags callers hold survive a deploy", async () => {
    const { get } = isolate();
    const first = await get();
    const body = await first.text();
    // The fixture's tasks hold multi-byte characters (an en dash, Å, an emoji): the tag covers bytes, not characters.
    const tasksJson = body.slice('{"tasks":'.length, body.lastIndexOf(',"fetchedAt":'));
    expect(tasksJson).toMatch(/^\[\{.*–.*🚀.*\}\]$/s);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(tasksJson)));
    const tag = btoa(String.fromCharCode(...digest.subarray(0, 18)))
      .replaceAll("+", "-")
      .replaceAll("/", "_");
    expect(first.headers.get("ETag")).toBe(`W/"${tag}"`);
  });

  it("keeps the ETag across a refresh when the tasks did not change, though fetchedAt did", async () => {
    const { clock, calls, get } = isolate();
    const etag = (await get()).headers.get("ETag") ?? "";
    clock.advance(15);
    await get();
    clock.advance(1);
    const refreshed = await get({ "If-None-Match": etag });
    expect(calls).toHaveLength(2);
    expect(refreshed.status).toBe(304);
    expect(refreshed.headers.get("Age")).toBe("1");
  });

  it("revalidates a conditional no-cache request upstream and answers 304 if the tasks are unchanged, 200 if not", async () => {
    const { calls, get, changeTasks } = isolate();
    const etag = (await get()).headers.get("ETag") ?? "";
    const unchanged = await get({ "If-None-Match": etag, "Cache-Control": "no-cache" });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("Cache-Status")).toBe("superoffice-batch-edge; fwd=request; stored");
    changeTasks();
    const changed = await get({ "If-None-Match": etag, "Cache-Control": "no-cache" });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("ETag")).not.toBe(etag);
    expect(calls).toHaveLength(3);
  });
});
