import * as v from "valibot";
import { log } from "../log.js";
import { CONTRACTS } from "../soap/namespaces.js";
import { isXmlText } from "../soap/xml-escape.js";
import {
  BearerKeysSchema,
  ContextIdSchema,
  EnvironmentSchema,
  integerSetting,
  isServiceUrl,
  KeyTextSchema,
  LoginUrlSchema,
  loginUrlOf,
  SecretTextSchema,
  ServicesVersionSchema,
  splitKeys,
} from "./settings.js";
import type { Tenant } from "./tenant.js";

/**
 * The Worker's bindings, vars and secrets, as `npm run cf-typegen` (wrangler types) generates them from wrangler.toml
 * and secrets.example.env into worker-configuration.d.ts. Any of them may be absent in a given deployment: the
 * schema below decides what each mode needs.
 */
export type Env = Cloudflare.Env;

/** The settings of on-site mode: a fixed ticket for one Batch.svc URL. */
const STATIC_SETTINGS = ["SUPEROFFICE_BATCH_URL", "SUPEROFFICE_TICKET"] as const;

/** The settings only SuperOffice Online sign-in uses (`SUPEROFFICE_APP_TOKEN` and the version serve both modes). */
const ONLINE_SETTINGS = [
  "SUPEROFFICE_CONTEXT_ID",
  "SUPEROFFICE_ENVIRONMENT",
  "SUPEROFFICE_SYSTEM_USER_TOKEN",
  "SUPEROFFICE_PRIVATE_KEY",
  "SUPEROFFICE_CERTIFICATE",
  "SUPEROFFICE_LOGIN_URL",
] as const;

/** What Online sign-in cannot do without. */
const ONLINE_REQUIRED = [
  "SUPEROFFICE_CONTEXT_ID",
  "SUPEROFFICE_ENVIRONMENT",
  "SUPEROFFICE_SYSTEM_USER_TOKEN",
  "SUPEROFFICE_APP_TOKEN",
  "SUPEROFFICE_PRIVATE_KEY",
  "TICKET_ENCRYPTION_KEY",
] as const;

function isKvNamespace(input: unknown): input is KVNamespace {
  return typeof input === "object" && input !== null && "getWithMetadata" in input && "put" in input;
}

function isRateLimit(input: unknown): input is RateLimit {
  return typeof input === "object" && input !== null && "limit" in input;
}

/** Base64 of exactly 32 bytes: an AES-256 key. */
function isAesKey(text: string): boolean {
  try {
    return atob(text).length === 32;
  } catch {
    return false;
  }
}

const OptionalSecretSchema = v.optional(SecretTextSchema);

/**
 * A whole-number setting whose allowed values `message` names in one sentence. `integerSetting`'s own bounds are
 * left open, so that a bad value gets that sentence alone rather than a bare bound and the sentence.
 */
function wholeNumberSetting(fallback: number, allowed: (value: number) => boolean, message: string) {
  return v.pipe(integerSetting(fallback, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY), v.check(allowed, message));
}

/**
 * The largest `UPSTREAM_MAX_BYTES`, also its default. An isolate has 128 MB and holds up to three answers at the
 * limit at once (`MAX_ANSWERS_AT_THE_LIMIT`); each is held as its bytes and as the text decoded from them, which V8
 * keeps in UTF-16 (two bytes a character once one character is past U+00FF), so up to three times its size:
 * 9 × 8 MiB = 72 MiB, leaving the rest for the in-memory cache tier (8 MiB), what decoding builds and the runtime.
 * 16 MiB would be 144 MiB.
 */
const MAX_UPSTREAM_BYTES = 8 * 1024 * 1024;

/** The only periods the Workers Rate Limiting binding accepts (`[[ratelimits]]` `simple.period`, in seconds). */
const RATE_LIMIT_PERIODS: ReadonlySet<number> = new Set([10, 60]);

/** Every setting's own format; which of them must be present depends on the mode, checked below. */
const SettingsSchema = v.object(
  {
    BATCH_CACHE: v.custom<KVNamespace>(isKvNamespace, (issue) =>
      issue.input === undefined ? "is missing" : "must be a KV namespace binding",
    ),
    RATE_LIMITER: v.optional(v.custom<RateLimit>(isRateLimit, "must be a rate limiting binding")),
    SUPEROFFICE_BATCH_URL: v.optional(
      v.pipe(
        v.string("must be a URL"),
        v.trim(),
        v.check(
          isServiceUrl,
          "must be an https URL of .../Remote/Services85/Batch.svc (http only on localhost), without credentials",
        ),
        v.transform((url) => new URL(url).href),
      ),
    ),
    SUPEROFFICE_TICKET: OptionalSecretSchema,
    SUPEROFFICE_APP_TOKEN: v.optional(
      v.pipe(
        v.string("must be text"),
        v.trim(),
        v.check(isXmlText, "contains characters that cannot be sent in XML"),
        v.transform((token) => (token === "" ? undefined : token)),
      ),
    ),
    SUPEROFFICE_CONTEXT_ID: v.optional(ContextIdSchema),
    SUPEROFFICE_ENVIRONMENT: v.optional(EnvironmentSchema),
    SUPEROFFICE_SYSTEM_USER_TOKEN: OptionalSecretSchema,
    SUPEROFFICE_PRIVATE_KEY: v.optional(KeyTextSchema),
    SUPEROFFICE_CERTIFICATE: v.optional(KeyTextSchema),
    SUPEROFFICE_LOGIN_URL: v.optional(LoginUrlSchema),
    SUPEROFFICE_SERVICES_VERSION: v.optional(ServicesVersionSchema, "85"),
    TICKET_ENCRYPTION_KEY: v.optional(
      v.pipe(v.string("must be text"), v.trim(), v.check(isAesKey, "must be the base64 of 32 random bytes")),
    ),
    TENANTS: v.optional(v.pipe(v.string("must be text"), v.trim(), v.nonEmpty("is empty"))),
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
    UPSTREAM_MAX_BYTES: wholeNumberSetting(
      MAX_UPSTREAM_BYTES,
      (bytes) => bytes >= 1024 && bytes <= MAX_UPSTREAM_BYTES,
      `must be a whole number from 1024 to ${MAX_UPSTREAM_BYTES} (8 MiB: an isolate holds three answers at once, each as bytes and as text, in 128 MB)`,
    ),
    MAX_TASKS: integerSetting(10_000, 1, 1_000_000),
    UPSTREAM_CONCURRENCY: integerSetting(6, 1, 1000),
    RATE_LIMIT_PERIOD_SECONDS: wholeNumberSetting(
      60,
      (seconds) => RATE_LIMIT_PERIODS.has(seconds),
      "must be 10 or 60, the only periods of the Workers Rate Limiting binding, and equal its [[ratelimits]] period",
    ),
    KV_HEDGE_MS: integerSetting(10, 0, 60_000),
  },
  "is missing",
);

type Settings = v.InferOutput<typeof SettingsSchema>;

type SettingName = keyof Settings;

const present = (settings: Settings, names: readonly SettingName[]) => names.filter((name) => settings[name] !== undefined);

/**
 * The default tenant (served by the `/v1/batch-tasks` routes), from either mode's settings, or the sentences that
 * say which settings are missing or clash. Mixing the two modes, or half of Online mode, is refused by name.
 */
function defaultTenantOf(settings: Settings): { tenant: Tenant | undefined; problems: string[] } {
  const staticSet = present(settings, STATIC_SETTINGS);
  const onlineSet = present(settings, ONLINE_SETTINGS);
  const contract = CONTRACTS[settings.SUPEROFFICE_SERVICES_VERSION];
  if (staticSet.length > 0 && onlineSet.length > 0) {
    return {
      tenant: undefined,
      problems: [
        `${[...staticSet, ...onlineSet].join(", ")} mix the on-site mode (a fixed ticket) with SuperOffice Online sign-in: configure one`,
      ],
    };
  }
  if (onlineSet.length > 0) {
    const missing = ONLINE_REQUIRED.filter((name) => settings[name] === undefined);
    if (missing.length > 0)
      return { tenant: undefined, problems: missing.map((name) => `${name} is missing (SuperOffice Online sign-in needs it)`) };
    const { SUPEROFFICE_CONTEXT_ID: contextId = "", SUPEROFFICE_ENVIRONMENT: environment = "online" } = settings;
    return {
      tenant: {
        id: "default",
        contract,
        source: {
          kind: "online",
          contextId,
          systemUserToken: settings.SUPEROFFICE_SYSTEM_USER_TOKEN ?? "",
          applicationToken: settings.SUPEROFFICE_APP_TOKEN ?? "",
          privateKey: settings.SUPEROFFICE_PRIVATE_KEY ?? "",
          certificate: settings.SUPEROFFICE_CERTIFICATE,
          loginUrl: settings.SUPEROFFICE_LOGIN_URL ?? loginUrlOf(environment),
          keySettings: { privateKey: "SUPEROFFICE_PRIVATE_KEY", certificate: "SUPEROFFICE_CERTIFICATE" },
        },
        apiKeys: null,
      },
      problems: [],
    };
  }
  if (staticSet.length > 0) {
    const missing = STATIC_SETTINGS.filter((name) => settings[name] === undefined);
    if (missing.length > 0) return { tenant: undefined, problems: missing.map((name) => `${name} is missing`) };
    return {
      tenant: {
        id: "default",
        contract,
        source: {
          kind: "static",
          url: settings.SUPEROFFICE_BATCH_URL ?? "",
          ticket: settings.SUPEROFFICE_TICKET ?? "",
          applicationToken: settings.SUPEROFFICE_APP_TOKEN,
        },
        apiKeys: null,
      },
      problems: [],
    };
  }
  if (settings.TENANTS !== undefined) return { tenant: undefined, problems: [] };
  return {
    tenant: undefined,
    problems: [
      "no upstream is configured: set SUPEROFFICE_BATCH_URL and SUPEROFFICE_TICKET (on-site), the SUPEROFFICE_CONTEXT_ID group (SuperOffice Online), or TENANTS",
    ],
  };
}

/** Where the `TENANTS` document is: inline JSON (a secret), or the name of a KV key holding it. */
export type TenantsSource = { kind: "none" } | { kind: "inline"; json: string } | { kind: "kv"; key: string };

const ConfigSchema = v.pipe(
  SettingsSchema,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const settings = dataset.value;
    const { tenant, problems } = defaultTenantOf(settings);
    if (settings.TENANTS !== undefined && settings.TICKET_ENCRYPTION_KEY === undefined) {
      problems.push("TICKET_ENCRYPTION_KEY is missing (TENANTS sign in to SuperOffice Online and keep their tickets encrypted)");
    }
    for (const message of problems) addIssue({ message });
    if (problems.length > 0) return NEVER;
    const tenants: TenantsSource =
      settings.TENANTS === undefined
        ? { kind: "none" }
        : settings.TENANTS.startsWith("{")
          ? { kind: "inline", json: settings.TENANTS }
          : { kind: "kv", key: settings.TENANTS };
    return {
      cache: settings.BATCH_CACHE,
      rateLimiter: settings.RATE_LIMITER,
      rateLimitPeriodSeconds: settings.RATE_LIMIT_PERIOD_SECONDS,
      apiKeys: settings.API_KEYS,
      adminKeys: settings.ADMIN_KEYS,
      freshSeconds: settings.CACHE_FRESH_SECONDS,
      staleSeconds: settings.CACHE_STALE_SECONDS,
      kvHedgeMs: settings.KV_HEDGE_MS,
      limits: {
        timeoutMs: settings.UPSTREAM_TIMEOUT_MS,
        maxBytes: settings.UPSTREAM_MAX_BYTES,
        maxTasks: settings.MAX_TASKS,
        concurrency: settings.UPSTREAM_CONCURRENCY,
      },
      ticketEncryptionKey: settings.TICKET_ENCRYPTION_KEY,
      defaultTenant: tenant,
      tenants,
    };
  }),
);

export type Config = v.InferOutput<typeof ConfigSchema>;

/** The bounds every upstream exchange works within. */
export type UpstreamLimits = Config["limits"];

export type ConfigResult = { ok: true; config: Config } | { ok: false; invalidSettings: string[] };

const parsed = new WeakMap<Env, ConfigResult>();

/**
 * Validates the environment once per isolate (per `env` object), logging a failure once, with the id of the request
 * that first read it (every later request's problem names the same settings). A failure names each bad setting and
 * why, never its value: the messages are fixed strings, and valibot's defaults (which echo input) are never used.
 */
export function loadConfig(env: Env, requestId?: string): ConfigResult {
  const cached = parsed.get(env);
  if (cached !== undefined) return cached;
  const result = v.safeParse(ConfigSchema, env);
  const outcome: ConfigResult = result.success
    ? { ok: true, config: result.output }
    : {
        ok: false,
        invalidSettings: result.issues.map((issue) => {
          const key = issue.path?.[0]?.key;
          return key === undefined ? issue.message : `${String(key)} ${issue.message}`;
        }),
      };
  if (!outcome.ok)
    log("error", "configuration_invalid", {
      ...(requestId === undefined ? {} : { requestId }),
      settings: outcome.invalidSettings,
    });
  parsed.set(env, outcome);
  return outcome;
}
