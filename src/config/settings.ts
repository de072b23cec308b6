import * as v from "valibot";
import { isXmlText } from "../soap/xml-escape.js";
import { isKeyOutline, normalizeKeyText } from "../upstream/online/keys.js";

/**
 * The building blocks of every setting's schema, shared by the environment (`config.ts`) and the `TENANTS`
 * document (`tenants.ts`). Every message is a fixed sentence: valibot's defaults echo the input, which may be a
 * secret, so none of them is ever used.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An https URL, or http on a loopback host (the local emulator), without credentials in it. */
export function isServiceUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

/** Secret text that goes into a SOAP header or a sign-in request: present, trimmed, and sendable as XML. */
export const SecretTextSchema = v.pipe(
  v.string("is missing"),
  v.trim(),
  v.nonEmpty("is empty"),
  v.check(isXmlText, "contains characters that cannot be sent in XML"),
);

/** SuperOffice Online's environments: development, staging and production. */
export const ENVIRONMENTS = ["sod", "stage", "online"] as const;

export const EnvironmentSchema = v.picklist(ENVIRONMENTS, `must be one of ${ENVIRONMENTS.join(", ")}`);

/** `85` (default) or `88`, as text or number. */
export const ServicesVersionSchema = v.pipe(
  v.union([v.string(), v.number()], "must be 85 or 88"),
  v.transform((version) => String(version).trim()),
  v.picklist(["85", "88"], "must be 85 or 88"),
);

/** A context identifier as SuperOffice Online writes it (`Cust12345`): it names a tenant in URLs and KV keys. */
export const CONTEXT_ID = /^Cust\d{1,10}$/;

export const ContextIdSchema = v.pipe(v.string("is missing"), v.trim(), v.regex(CONTEXT_ID, "must look like Cust12345"));

/** A login URL: https (or http on a loopback host), ending in `/` so that `api/…` resolves under it. */
export const LoginUrlSchema = v.pipe(
  v.string("must be a URL"),
  v.trim(),
  v.check(isServiceUrl, "must be an https URL (http only on localhost), without credentials"),
  v.transform((url) => (url.endsWith("/") ? url : `${url}/`)),
);

/**
 * PEM or XML key material: only its outline is checked here, after the same clean-up (quotes, `\n` as two
 * characters, CRLF) and with the same outline test as the importers, so that a text is refused here exactly when
 * they could not even start on it; the key itself is imported at first use.
 */
export const KeyTextSchema = v.pipe(
  v.string("is missing"),
  v.transform(normalizeKeyText),
  v.check(isKeyOutline, "must be a PEM block or an <RSAKeyValue> document"),
);

/** RFC 6750's token68 characters: a key outside them could never be sent as a bearer token. */
export const BEARER_KEY = /^[A-Za-z0-9._~+/-]+=*$/;

/** A comma-separated key list, blanks dropped. */
export function splitKeys(keys: string): string[] {
  return keys
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
}

export const BearerKeysSchema = v.check<string[], string>(
  (keys) => keys.every((key) => BEARER_KEY.test(key)),
  "must contain only the characters A-Z a-z 0-9 . _ ~ + / - (and trailing =)",
);

/** A whole number within bounds, given as a number or as text (wrangler vars are text). */
export function integerSetting(fallback: number, min: number, max: number) {
  return v.optional(
    v.pipe(
      v.union(
        [
          v.number("must be a whole number"),
          v.pipe(
            v.string("must be a whole number"),
            v.trim(),
            v.regex(/^\d+$/, "must be a whole number"),
            v.toNumber("must be a whole number"),
          ),
        ],
        "must be a whole number",
      ),
      v.integer("must be a whole number"),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    fallback,
  );
}

/** The default login URL of an Online environment. */
export function loginUrlOf(environment: (typeof ENVIRONMENTS)[number]): string {
  return `https://${environment}.superoffice.com/Login/`;
}
