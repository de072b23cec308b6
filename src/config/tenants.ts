import * as v from "valibot";
import { log } from "../log.js";
import type { Config } from "./config.js";
import { BEARER_KEY, CONTEXT_ID, splitKeys } from "./settings.js";
import { type Tenant, TenantEntrySchema, tenantOfEntry } from "./tenant.js";

/** How long an isolate trusts a `TENANTS` document read from KV before reading it again. */
const KV_DOCUMENT_TRUST_MS = 60_000;

/**
 * One entry of the document: the tenant, or why its settings are invalid (named, never shown) and every key the
 * broken entry mentions (see {@link mentionedKeys}).
 */
type Entry = { ok: true; tenant: Tenant } | { ok: false; settings: string[]; apiKeys: readonly string[] };

/**
 * The `TENANTS` document, entry by entry: one broken tenant does not take the others down. `boundKeys` are the keys
 * some entry lists, valid or not: the tenants' keys.
 */
type Directory =
  | { ok: true; entries: ReadonlyMap<string, Entry>; boundKeys: ReadonlySet<string> }
  | { ok: false; settings: string[] };

export type TenantLookup =
  | { ok: true; tenant: Tenant }
  | { ok: false; reason: "unknown" }
  /** `apiKeys`: the keys a broken entry mentions (none when the whole document is broken). */
  | { ok: false; reason: "invalid"; settings: string[]; apiKeys: readonly string[] }
  | { ok: false; reason: "unavailable" };

/**
 * Whether a key is a tenant's key (`bound`), or why that cannot be known: a document that is not a document, or one
 * that cannot be read. Then no key is known to be deployment-wide, and callers must refuse rather than serve.
 */
export type KeyBinding =
  | { ok: true; bound: boolean }
  | { ok: false; reason: "invalid"; settings: string[] }
  | { ok: false; reason: "unavailable" };

/** A field name shown as it is: a plain word, like a misspelt setting. Anything else may be a pasted secret. */
const SHOWABLE_FIELD = /^[A-Za-z]{1,30}$/;

function issuesOf(prefix: string, issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const items = issue.path ?? [];
    const last = items.at(-1);
    if (last?.origin === "key" && !SHOWABLE_FIELD.test(String(last.key))) {
      // An unknown field whose name is not a plain word is named by its position, never by what was typed there.
      const owner = items
        .slice(0, -1)
        .map((item) => `.${String(item.key)}`)
        .join("");
      const position = isRecord(last.input) ? Object.keys(last.input).indexOf(String(last.key)) + 1 : 0;
      return `${prefix}${owner} has a field that is not a known setting (field ${position})`;
    }
    const path = items.map((item) => String(item.key)).join(".");
    return `${prefix}${path === "" ? "" : `.${path}`} ${issue.message}`.replace(/\.$/, "");
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Every text in a broken entry, at any depth, that could be a bearer key (comma lists split): a key is bound by
 * being listed, whether or not the entry validates, and under whatever field a typo put it (`apikeys`, a list
 * nested one level too deep). Reading too much here only confines a key; reading too little would free it to reach
 * the deployment's other tenants.
 */
function mentionedKeys(value: unknown): string[] {
  if (typeof value === "string") return splitKeys(value).filter((key) => BEARER_KEY.test(key));
  if (Array.isArray(value)) return value.flatMap(mentionedKeys);
  if (isRecord(value)) return Object.values(value).flatMap(mentionedKeys);
  return [];
}

/** A broken entry: why, and the keys it mentions. */
function invalidEntry(settings: string[], value: unknown): Entry {
  return { ok: false, settings, apiKeys: mentionedKeys(value) };
}

/**
 * Validates a `TENANTS` document: a JSON object of context identifier to settings. Each entry is checked on its
 * own, so errors name the tenant and the field (`TENANTS.Cust12345.privateKey is missing`), never a value, and a
 * broken entry (a bad field, a key that is not a context identifier, not an object) does not stop the others. The
 * keys every entry lists are collected whether it validates or not.
 */
export function parseTenants(json: string): Directory {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    return { ok: false, settings: ["TENANTS is not valid JSON"] };
  }
  if (!isRecord(document)) {
    return { ok: false, settings: ["TENANTS must be a JSON object of context identifier to settings"] };
  }
  const entries = new Map<string, Entry>();
  const boundKeys = new Set<string>();
  for (const [index, [id, value]] of Object.entries(document).entries()) {
    let entry: Entry;
    if (!CONTEXT_ID.test(id)) {
      // Named by position: a key that is not a context identifier may be anything, even a pasted secret.
      entry = invalidEntry([`TENANTS entry ${index + 1} has a key that is not a context identifier like Cust12345`], value);
    } else if (!isRecord(value)) {
      entry = invalidEntry([`TENANTS.${id} must be an object of settings`], value);
    } else {
      const parsed = v.safeParse(TenantEntrySchema, value);
      entry = parsed.success
        ? { ok: true, tenant: tenantOfEntry(id, parsed.output) }
        : invalidEntry(issuesOf(`TENANTS.${id}`, parsed.issues), value);
    }
    for (const key of entry.ok ? (entry.tenant.apiKeys ?? []) : entry.apiKeys) boundKeys.add(key);
    entries.set(id, entry);
  }
  return { ok: true, entries, boundKeys };
}

/**
 * Logs, once per document read, every setting that is wrong (the document's own, or one tenant's), with the id of
 * the request that read it, so that the first configuration-error's requestId finds the line that says why.
 */
function logInvalid(directory: Directory, requestId: string): void {
  const settings = directory.ok
    ? [...directory.entries.values()].flatMap((entry) => (entry.ok ? [] : entry.settings))
    : directory.settings;
  if (settings.length > 0) log("error", "configuration_invalid", { requestId, settings });
}

/**
 * The tenants of a multi-tenant deployment, per isolate: parsed at first use from the `TENANTS` secret, or read from
 * the KV key it names and re-read every minute (so tenants can be added without a deploy). A KV outage keeps the
 * last document read.
 */
export class TenantDirectory {
  private readonly inline = new Map<string, Directory>();
  private fromKv: { key: string; json: string | null; directory: Directory; readAt: number } | undefined;

  constructor(private readonly now: () => number) {}

  async find(config: Config, id: string, requestId: string): Promise<TenantLookup> {
    const directory = await this.directory(config, requestId);
    if (directory === null) return { ok: false, reason: "unavailable" };
    if (!directory.ok) return { ok: false, reason: "invalid", settings: directory.settings, apiKeys: [] };
    const entry = directory.entries.get(id);
    if (entry === undefined) return { ok: false, reason: "unknown" };
    return entry.ok ? entry : { ok: false, reason: "invalid", settings: entry.settings, apiKeys: entry.apiKeys };
  }

  /**
   * Whether this key is listed by any entry of the document, valid or not: such a key sees every tenant that does
   * not list it as unknown, the default one included. A document that is broken as a whole, or cannot be read, says
   * nothing about any key: that is the answer then, so that no key is taken for deployment-wide by mistake.
   */
  async binding(config: Config, key: string, requestId: string): Promise<KeyBinding> {
    const directory = await this.directory(config, requestId);
    if (directory === null) return { ok: false, reason: "unavailable" };
    if (!directory.ok) return { ok: false, reason: "invalid", settings: directory.settings };
    return { ok: true, bound: directory.boundKeys.has(key) };
  }

  private async directory(config: Config, requestId: string): Promise<Directory | null> {
    const source = config.tenants;
    if (source.kind === "none") return { ok: true, entries: new Map(), boundKeys: new Set() };
    if (source.kind === "inline") {
      let directory = this.inline.get(source.json);
      if (directory === undefined) {
        directory = parseTenants(source.json);
        this.inline.clear();
        this.inline.set(source.json, directory);
        logInvalid(directory, requestId);
      }
      return directory;
    }
    const now = this.now();
    const known = this.fromKv?.key === source.key ? this.fromKv : undefined;
    if (known !== undefined && now - known.readAt < KV_DOCUMENT_TRUST_MS) return known.directory;
    let json: string | null;
    try {
      json = await config.cache.get(source.key, "text");
    } catch (error) {
      log("warn", "kv_read_failed", { requestId, what: "TENANTS", error: String(error) });
      return known?.directory ?? null;
    }
    const directory: Directory =
      json === null ? { ok: false, settings: ["TENANTS names a KV key that holds nothing"] } : parseTenants(json);
    if (json !== known?.json) logInvalid(directory, requestId);
    this.fromKv = { key: source.key, json, directory, readAt: now };
    return directory;
  }
}
