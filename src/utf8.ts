const encoder = new TextEncoder();

/**
 * The text's UTF-8 bytes. `TextEncoder` always returns a view of a new, unshared `ArrayBuffer`; its declared type
 * leaves the buffer's kind open, and a `Response` body, Web Crypto and KV take only the unshared kind.
 */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}
