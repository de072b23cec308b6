import { utf8 } from "../../utf8.js";
import { encodeBase64 } from "./encoding.js";
import { RSA_SHA256 } from "./keys.js";

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** `yyyyMMddHHmm` in UTC: the timestamp SuperOffice expects inside a signed system token (to the minute). */
export function systemTokenTimestamp(now: number): string {
  const date = new Date(now);
  return (
    String(date.getUTCFullYear()).padStart(4, "0") +
    twoDigits(date.getUTCMonth() + 1) +
    twoDigits(date.getUTCDate()) +
    twoDigits(date.getUTCHours()) +
    twoDigits(date.getUTCMinutes())
  );
}

/**
 * SuperOffice's `SignedSystemToken`: `<system user token>.<yyyyMMddHHmm>.<signature>`, the signature being RSA-SHA256
 * (PKCS#1 v1.5) over the UTF-8 bytes of `<system user token>.<yyyyMMddHHmm>`, in standard base64. SuperOffice refuses
 * a timestamp too far from its own clock, so `now` (milliseconds since the epoch) must be the real time.
 */
export async function signSystemToken(systemUserToken: string, key: CryptoKey, now: number): Promise<string> {
  const signed = `${systemUserToken}.${systemTokenTimestamp(now)}`;
  const signature = await crypto.subtle.sign(RSA_SHA256, key, utf8(signed));
  return `${signed}.${encodeBase64(new Uint8Array(signature))}`;
}
