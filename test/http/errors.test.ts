import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { send } from "../helpers.js";

const PROBLEM = "urn:superoffice-batch-edge:problem:";

/** The Worker's app with one more route, which throws this exception (as a middleware of Hono's or anyone's may). */
function appThrowing(exception: () => HTTPException) {
  const app = createApp();
  app.get("/throws", () => {
    throw exception();
  });
  return app;
}

describe("an HTTPException that carries its own response", () => {
  it("leaves as a problem of the exception's status, keeping only the response's WWW-Authenticate challenge", async () => {
    const app = appThrowing(
      () =>
        new HTTPException(401, {
          res: new Response("Unauthorized: token 7T:leaked-ticket", {
            status: 401,
            headers: { "Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="elsewhere"', "X-Foreign": "1" },
          }),
        }),
    );
    const response = await send("/throws", { app });
    expect(response.status).toBe(401);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("WWW-Authenticate")).toBe('Basic realm="elsewhere"');
    expect(response.headers.has("X-Foreign")).toBe(false);
    const text = await response.text();
    expect(text).not.toContain("leaked-ticket");
    expect(JSON.parse(text)).toEqual({
      type: `${PROBLEM}unauthorized`,
      title: "Missing or invalid API key",
      status: 401,
      detail: "Missing or invalid API key",
      requestId: response.headers.get("X-Request-Id"),
    });
  });

  it.each([500, 502, 503, 504])(
    "answers a %i from a middleware as our internal error, never as a diagnosis it did not make",
    async (status) => {
      const app = appThrowing(() => new HTTPException(status as 500, { message: "upstream db01.internal exploded" }));
      const response = await send("/throws", { app });
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain("db01");
      expect(JSON.parse(text)).toMatchObject({
        type: `${PROBLEM}internal-error`,
        detail: "An unexpected error occurred; quote the requestId when reporting it.",
      });
    },
  );

  it("takes the exception's status, not the response's, and adds no challenge the response lacks", async () => {
    const app = appThrowing(
      () => new HTTPException(413, { res: Response.json({ error: "too big" }, { status: 200 }), message: "Payload Too Large" }),
    );
    const response = await send("/throws", { app });
    expect(response.status).toBe(413);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.headers.has("WWW-Authenticate")).toBe(false);
    expect(await response.json()).toMatchObject({
      type: `${PROBLEM}payload-too-large`,
      status: 413,
      detail: "Payload Too Large",
    });
  });

  it("keeps the detail of a response that is already our problem of the same type, not of another", async () => {
    const ours = (type: string, detail: string) =>
      new Response(JSON.stringify({ type: `${PROBLEM}${type}`, title: "t", status: 403, detail, requestId: "r" }), {
        status: 403,
        headers: { "Content-Type": "application/problem+json" },
      });
    const same = await send("/throws", {
      app: appThrowing(() => new HTTPException(403, { res: ours("forbidden", "Not this one.") })),
    });
    expect(await same.json()).toMatchObject({
      type: `${PROBLEM}forbidden`,
      title: "This key may not do that",
      detail: "Not this one.",
    });
    const other = await send("/throws", {
      app: appThrowing(() => new HTTPException(403, { res: ours("not-found", "Elsewhere.") })),
    });
    expect(await other.json()).toMatchObject({ type: `${PROBLEM}forbidden`, detail: "This key may not do that" });
  });

  it("answers bearer-auth's refusals (exceptions with a response) with our 401 problem, its detail and its challenge", async () => {
    for (const [authorization, detail, challenge] of [
      [undefined, "send Authorization: Bearer <API key>", 'Bearer realm=""'],
      ["Basic dGVzdC1rZXk6", "the Authorization header must be Bearer <API key>", 'Bearer error="invalid_request"'],
      ["Bearer not-a-key", "the API key is not valid", 'Bearer error="invalid_token"'],
    ] as const) {
      const response = await send("/v1/batch-tasks?associateIds=5&state=Started", {
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
      expect(response.status, detail).toBe(401);
      expect(response.headers.get("Content-Type"), detail).toBe("application/problem+json");
      expect(response.headers.get("WWW-Authenticate"), detail).toBe(challenge);
      expect(await response.json()).toMatchObject({ type: `${PROBLEM}unauthorized`, status: 401, detail });
    }
  });
});
