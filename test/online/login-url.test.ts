import { describe, expect, it, vi } from "vitest";
import { authorized, send } from "../helpers.js";
import { onlineEnv } from "./fake-online.js";

/**
 * Without a login URL, the Worker signs in at SuperOffice's own for the environment, `https://{environment}.
 * superoffice.com/Login/`: every other test names one (the emulator's), so this is where the default is seen.
 */
describe("the default login URL", () => {
  /** Answers every call with a refused sign-in, and records where each went. */
  function refusingOnline(): string[] {
    const urls: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      urls.push(`${request.method} ${request.url}`);
      return Response.json({ IsSuccessful: false, ErrorMessage: "Unknown system user", Token: null });
    });
    return urls;
  }

  it.each(["sod", "stage", "online"])("is SuperOffice's own for %s, from the environment settings", async (environment) => {
    const urls = refusingOnline();
    const env = await onlineEnv({ SUPEROFFICE_ENVIRONMENT: environment, SUPEROFFICE_LOGIN_URL: undefined });
    const response = await send("/v1/batch-tasks?associateIds=5&state=All", { headers: authorized(), env });
    expect(await response.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed" });
    expect(urls).toEqual([`POST https://${environment}.superoffice.com/Login/api/PartnerSystemUser/Authenticate`]);
  });

  it.each(["sod", "stage", "online"])("is SuperOffice's own for %s, from a TENANTS entry", async (environment) => {
    const urls = refusingOnline();
    const online = await onlineEnv();
    const tenants = {
      Cust7: {
        environment,
        systemUserToken: online.SUPEROFFICE_SYSTEM_USER_TOKEN,
        privateKey: online.SUPEROFFICE_PRIVATE_KEY,
        applicationToken: online.SUPEROFFICE_APP_TOKEN,
      },
    };
    const env = await onlineEnv({ TENANTS: JSON.stringify(tenants) });
    const response = await send("/v1/tenants/Cust7/batch-tasks?associateIds=5&state=All", { headers: authorized(), env });
    expect(await response.json()).toMatchObject({ type: "urn:superoffice-batch-edge:problem:upstream-authentication-failed" });
    expect(urls).toEqual([`POST https://${environment}.superoffice.com/Login/api/PartnerSystemUser/Authenticate`]);
  });
});
