import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.js";

/**
 * The most of an unwanted request body read and thrown away before answering. Cancelling a body instead left the
 * connection half-read: under `wrangler dev` the next request on it reset, hung or met "worker restarted
 * mid-request" (measured by `npm run loadtest`), while reading to the end left it clean. Past this many bytes the
 * body is cancelled after all, so a client cannot make the Worker read without end.
 */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;

/** Reads what is left of a body and throws it away, up to `DRAIN_MAX_BYTES` counted with what was read before. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let read = alreadyRead;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > DRAIN_MAX_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away or the stream failed: nothing left to discard.
  }
}

/** Drains a request body nobody read, so that an early answer leaves the connection clean. */
async function discardUnread(request: Request): Promise<void> {
  const { body } = request;
  if (body === null || body.locked || request.bodyUsed) return;
  await drain(body.getReader(), 0);
}

/**
 * Runs last on every request: a body that no handler read (an answer given before reading it: 401, 404, 415, 429)
 * is drained before the answer leaves.
 */
export const discardUnreadBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const original = c.req.raw;
  await next();
  await discardUnread(original);
};

export type LimitedBody = { ok: true } | { ok: false };

/**
 * Reads the request body into memory up to `maxBytes`, like Hono's `bodyLimit`, but drains what is left when the
 * limit is passed (Hono's leaves a chunked body locked and unread, which no later step can release), keeping only
 * `maxBytes`. After `ok`, `c.req` reads the buffered body.
 */
export async function readBodyLimited(c: Context<AppEnv>, maxBytes: number): Promise<LimitedBody> {
  const request = c.req.raw;
  if (request.body === null) return { ok: true };
  const declared = request.headers.get("Content-Length");
  if (declared !== null && !request.headers.has("Transfer-Encoding") && Number(declared) > maxBytes) {
    await discardUnread(request);
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
      await drain(reader, size);
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
