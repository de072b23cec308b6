/**
 * Just enough ASN.1 DER to move RSA keys between the containers WebCrypto accepts (PKCS#8, SPKI) and the ones
 * operators paste (PKCS#1, X.509 certificates). Only definite lengths; no library, so nothing to audit but this.
 */

export const TAG = { integer: 0x02, bitString: 0x03, octetString: 0x04, null: 0x05, oid: 0x06, sequence: 0x30 } as const;

/** One element within the buffer it was read from: its tag, where it begins (`offset`), where its content lies. */
export type DerElement = { readonly tag: number; readonly offset: number; readonly start: number; readonly end: number };

/** The DER length octets of `length`: short form below 128, else long form. */
export function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** One element: tag, length, content. */
export function derElement(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), derLength(body.length), body]);
}

/** `rsaEncryption` (1.2.840.113549.1.1.1) with NULL parameters: the AlgorithmIdentifier of every RSA key container. */
export const RSA_ALGORITHM_IDENTIFIER: Uint8Array = derElement(
  TAG.sequence,
  derElement(TAG.oid, Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)),
  derElement(TAG.null),
);

/** Reads the element that starts at `offset` and must end by `limit`; `null` when the bytes are not DER. */
export function readElement(bytes: Uint8Array, offset: number, limit = bytes.length): DerElement | null {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return null;
  let start = offset + 2;
  let length = first;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) return null;
    length = 0;
    for (let index = 0; index < count; index += 1) {
      const octet = bytes[start + index];
      if (octet === undefined) return null;
      length = length * 256 + octet;
    }
    start += count;
  }
  const end = start + length;
  return end > limit ? null : { tag, offset, start, end };
}

/** The elements directly inside a constructed element; `null` when they do not exactly fill it. */
export function readChildren(bytes: Uint8Array, parent: DerElement): DerElement[] | null {
  const children: DerElement[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readElement(bytes, offset, parent.end);
    if (child === null) return null;
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** The single element that spans all of `bytes`, or `null`. */
export function readWhole(bytes: Uint8Array, tag: number): DerElement | null {
  const element = readElement(bytes, 0);
  return element !== null && element.tag === tag && element.end === bytes.length ? element : null;
}
