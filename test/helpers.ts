import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { Env } from "../src/config/config.js";
import { type AppOptions, createApp } from "../src/http/app.js";

export const API_KEY = "test-key";
export const TICKET = env.SUPEROFFICE_TICKET;
export const APP_TOKEN = env.SUPEROFFICE_APP_TOKEN;

/**
 * The test environment: wrangler.toml plus the test bindings of vitest.config.ts, with overrides. The per-key rate
 * limiter of wrangler.toml is left out unless a test brings one: its state outlives each test.
 */
export function testEnv(overrides: Partial<Record<keyof Env, unknown>> = {}): Env {
  return { ...env, RATE_LIMITER: undefined, ...overrides } as Env;
}

export type SendInit = RequestInit & { env?: Env; app?: ReturnType<typeof createApp>; options?: AppOptions };

/** Sends one request through the Worker; returns its response as soon as there is one, and its context. */
export async function dispatch(path: string, init: SendInit = {}): Promise<{ response: Response; ctx: ExecutionContext }> {
  const { env: requestEnv = testEnv(), app = createApp(init.options), options: _options, ...requestInit } = init;
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`https://edge.test${path}`, requestInit), requestEnv, ctx);
  return { response, ctx };
}

/** Sends one request through the Worker and waits for its `waitUntil` work (cache writes, refreshes) to finish. */
export async function send(path: string, init: SendInit = {}): Promise<Response> {
  const { response, ctx } = await dispatch(path, init);
  await waitOnExecutionContext(ctx);
  return response;
}

export function authorized(headers: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${API_KEY}`, ...headers };
}

export type UpstreamCall = { url: string; method: string; redirect: string; headers: Headers; body: string };

/**
 * Replaces `fetch` with a fake SuperOffice that answers every call with `answer()`, and records each call.
 * The Response is created inside the callback, once per call, as workerd requires.
 */
export function fakeUpstream(answer: () => Response | Promise<Response>): UpstreamCall[] {
  const calls: UpstreamCall[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    calls.push({
      url: request.url,
      method: request.method,
      redirect: request.redirect,
      headers: request.headers,
      body: await request.text(),
    });
    return answer();
  });
  return calls;
}

/** A fake SuperOffice that holds every answer until `release()` is called. */
export function gatedUpstream(answer: () => Response): { calls: UpstreamCall[]; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const calls = fakeUpstream(async () => {
    await gate;
    return answer();
  });
  return { calls, release };
}

/** Wraps a KV namespace to count calls per method, optionally replacing some methods. */
export function countingKv(
  kv: KVNamespace,
  replacements: Record<string, (...args: unknown[]) => unknown> = {},
): { kv: KVNamespace; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const counted = new Proxy(kv, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        counts[property] = (counts[property] ?? 0) + 1;
        const replacement = replacements[property];
        return replacement === undefined ? Reflect.apply(value, target, args) : replacement(...args);
      };
    },
  });
  return { kv: counted, counts };
}

export function xmlResponse(xml: string, status = 200): Response {
  return new Response(xml, { status, headers: { "Content-Type": "text/xml; charset=utf-8" } });
}
