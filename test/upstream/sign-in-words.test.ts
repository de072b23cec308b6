import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app.js";
import { FIXED_MESSAGES } from "../../src/upstream/messages.js";
import { authorized, send } from "../helpers.js";
import { onlineEnv } from "../online/fake-online.js";

describe("a refused SuperOffice Online sign-in", () => {
  it("gives callers the fixed sentence, and logs SuperOffice's words with every piece of a secret hidden", async () => {
    const warn = vi.spyOn(console, "warn");
    const env = await onlineEnv();
    const systemUserToken = String(env.SUPEROFFICE_SYSTEM_USER_TOKEN);
    const applicationToken = String(env.SUPEROFFICE_APP_TOKEN);
    // SuperOffice echoing what it was sent, in pieces and another case: no exact copy of either secret.
    const echoed = `Application ${applicationToken.slice(2).toUpperCase()} or user ${systemUserToken.slice(0, -2).toLowerCase()} is not allowed`;
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      Response.json({ IsSuccessful: false, ErrorMessage: echoed, Token: null }),
    );
    const response = await send("/v1/batch-tasks?associateIds=5&state=All", { headers: authorized(), app: createApp(), env });
    const text = await response.text();
    expect(response.status).toBe(502);
    expect(JSON.parse(text)).toMatchObject({
      type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed",
      detail: FIXED_MESSAGES["authentication-failed"],
    });
    const logged = warn.mock.calls.map(([line]) => String(line)).find((line) => line.includes("superoffice_sign_in_failed"));
    expect(logged).toContain("is not allowed");
    for (const output of [text, logged ?? ""]) {
      for (const secret of [systemUserToken, applicationToken]) {
        for (let at = 0; at + 8 <= secret.length; at++)
          expect(output.toLowerCase()).not.toContain(secret.slice(at, at + 8).toLowerCase());
      }
    }
  });
});
