import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { Env } from "../src/config/config.js";
import { createApp, type AppOptions } from "../src/http/app.js";

export const API_KEY = "test-key";
export const TICKET = env.SUPEROFFICE_TICKET;
export const APP_TOKEN = env.SUPEROFFICE_APP_TOKEN;

/** The test environment: wrangler.toml plus the test bindings of vitest.config.ts, with overrides. */
export function testEnv(overrides: Partial<Record<keyof Env, unknown>> = {}): Env {
  return { ...env, ...overrides } as Env;
}

/** Sends one request through the Worker and waits for its `waitUntil` work (cache writes) to finish. */
export async function send(
  path: string,
  init: RequestInit & { env?: Env; app?: ReturnType<typeof createApp>; options?: AppOptions } = {},
): Promise<Response> {
  const { env: requestEnv = testEnv(), app = createApp(init.options), ...requestInit } = init;
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`https://edge.test${path}`, requestInit), requestEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export function authorized(headers: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${API_KEY}`, ...headers };
}

export type UpstreamCall = { url: string; method: string; headers: Headers; body: string };

/**
 * Replaces `fetch` with a fake SuperOffice that answers every call with `answer()`, and records each call.
 * The Response is created inside the callback, once per call, as workerd requires.
 */
export function fakeUpstream(answer: () => Response | Promise<Response>): UpstreamCall[] {
  const calls: UpstreamCall[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    calls.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
    return answer();
  });
  return calls;
}

export function xmlResponse(xml: string, status = 200): Response {
  return new Response(xml, { status, headers: { "Content-Type": "text/xml; charset=utf-8" } });
}
