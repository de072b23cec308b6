import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.js";

/** Cancels a request body nobody read, so that an early answer does not leave it half-sent on the connection. */
async function cancelUnread(request: Request): Promise<void> {
  const { body } = request;
  if (body === null || body.locked || request.bodyUsed) return;
  try {
    await body.cancel();
  } catch {
    // Already closed or errored: nothing left to discard.
  }
}

/**
 * Runs last on every request: a body that no handler read (an answer given before reading it: 401, 404, 415, 429)
 * is cancelled. Under `wrangler dev`, a chunked body left unread broke the next request on the connection.
 */
export const discardUnreadBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const original = c.req.raw;
  await next();
  await cancelUnread(original);
};

export type LimitedBody = { ok: true } | { ok: false };

/**
 * Reads the request body into memory up to `maxBytes`, like Hono's `bodyLimit`, but cancels the stream as soon as
 * the limit is passed (Hono's leaves a chunked body locked and unread, which no later step can cancel). After
 * `ok`, `c.req` reads the buffered body.
 */
export async function readBodyLimited(c: Context<AppEnv>, maxBytes: number): Promise<LimitedBody> {
  const request = c.req.raw;
  if (request.body === null) return { ok: true };
  const declared = request.headers.get("Content-Length");
  if (declared !== null && !request.headers.has("Transfer-Encoding") && Number(declared) > maxBytes) {
    await cancelUnread(request);
    return { ok: false };
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false };
    }
    chunks.push(value);
  }
  const buffer = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    buffer.set(chunk, offset);
    offset += chunk.byteLength;
  }
  c.req.raw = new Request(request, { body: buffer });
  return { ok: true };
}
