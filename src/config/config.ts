import * as v from "valibot";
import { log } from "../log.js";
import { isXmlText } from "../soap/xml-escape.js";

/** The Worker's bindings, vars and secrets as `wrangler.toml` and `wrangler secret put` provide them. */
export type Env = {
  BATCH_CACHE?: KVNamespace;
  SUPEROFFICE_BATCH_URL?: string;
  SUPEROFFICE_TICKET?: string;
  SUPEROFFICE_APP_TOKEN?: string;
  API_KEYS?: string;
  ADMIN_KEYS?: string;
  CACHE_FRESH_SECONDS?: string | number;
  CACHE_STALE_SECONDS?: string | number;
  UPSTREAM_TIMEOUT_MS?: string | number;
};

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isKvNamespace(input: unknown): input is KVNamespace {
  return typeof input === "object" && input !== null && "getWithMetadata" in input && "put" in input;
}

/** An https URL, or http on a loopback host (the local emulator). Credentials in the URL are refused: use the secrets. */
function isUpstreamUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

/** A comma-separated key list, blanks dropped. */
function splitKeys(keys: string): string[] {
  return keys
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
}

/** RFC 6750's token68 characters: a key outside them could never be sent as a bearer token. */
const BearerKeysSchema = v.check<string[], string>(
  (keys) => keys.every((key) => /^[A-Za-z0-9._~+/-]+=*$/.test(key)),
  "must contain only the characters A-Z a-z 0-9 . _ ~ + / - (and trailing =)",
);

const SecretTextSchema = v.pipe(
  v.string("is missing"),
  v.trim(),
  v.nonEmpty("is empty"),
  v.check(isXmlText, "contains characters that cannot be sent in XML"),
);

function integerSetting(fallback: number, min: number, max: number) {
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

const ConfigSchema = v.pipe(
  v.object(
    {
      BATCH_CACHE: v.custom<KVNamespace>(isKvNamespace, (issue) =>
        issue.input === undefined ? "is missing" : "must be a KV namespace binding",
      ),
      SUPEROFFICE_BATCH_URL: v.pipe(
        v.string("is missing"),
        v.trim(),
        v.check(
          isUpstreamUrl,
          "must be an https URL of .../Remote/Services85/Batch.svc (http only on localhost), without credentials",
        ),
        v.transform((url) => new URL(url).href),
      ),
      SUPEROFFICE_TICKET: SecretTextSchema,
      SUPEROFFICE_APP_TOKEN: v.optional(
        v.pipe(
          v.string("must be text"),
          v.trim(),
          v.check(isXmlText, "contains characters that cannot be sent in XML"),
          v.transform((token) => (token === "" ? undefined : token)),
        ),
      ),
      API_KEYS: v.pipe(
        v.string("is missing"),
        v.transform(splitKeys),
        v.minLength(1, "must list at least one key"),
        BearerKeysSchema,
      ),
      ADMIN_KEYS: v.optional(v.pipe(v.string("must be text"), v.transform(splitKeys), BearerKeysSchema), ""),
      CACHE_FRESH_SECONDS: integerSetting(30, 0, 86_400),
      CACHE_STALE_SECONDS: integerSetting(300, 0, 604_800),
      UPSTREAM_TIMEOUT_MS: integerSetting(10_000, 1, 300_000),
    },
    "is missing",
  ),
  v.transform((env) => ({
    cache: env.BATCH_CACHE,
    upstreamUrl: env.SUPEROFFICE_BATCH_URL,
    credentials: { ticket: env.SUPEROFFICE_TICKET, applicationToken: env.SUPEROFFICE_APP_TOKEN },
    apiKeys: env.API_KEYS,
    adminKeys: env.ADMIN_KEYS,
    freshSeconds: env.CACHE_FRESH_SECONDS,
    staleSeconds: env.CACHE_STALE_SECONDS,
    upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
  })),
);

export type Config = v.InferOutput<typeof ConfigSchema>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; invalidSettings: string[] };

const parsed = new WeakMap<Env, ConfigResult>();

/**
 * Validates the environment once per isolate (per `env` object), logging a failure once. A failure names each
 * bad setting and why, never its value: the messages above are fixed strings, and valibot's defaults (which echo input) are never used.
 */
export function loadConfig(env: Env): ConfigResult {
  const cached = parsed.get(env);
  if (cached !== undefined) return cached;
  const result = v.safeParse(ConfigSchema, env);
  const outcome: ConfigResult = result.success
    ? { ok: true, config: result.output }
    : {
        ok: false,
        invalidSettings: result.issues.map((issue) => `${String(issue.path?.[0]?.key ?? "configuration")} ${issue.message}`),
      };
  if (!outcome.ok) log("error", "configuration_invalid", { settings: outcome.invalidSettings });
  parsed.set(env, outcome);
  return outcome;
}
