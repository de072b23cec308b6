import * as v from "valibot";
import { log } from "../log.js";
import type { Config } from "./config.js";
import { CONTEXT_ID } from "./settings.js";
import { type Tenant, TenantEntrySchema, tenantOfEntry } from "./tenant.js";

/** How long an isolate trusts a `TENANTS` document read from KV before reading it again. */
const KV_DOCUMENT_TRUST_MS = 60_000;

/** One entry of the document: the tenant, or why its settings are invalid (named, never shown). */
type Entry = { ok: true; tenant: Tenant } | { ok: false; settings: string[] };

/** The `TENANTS` document, entry by entry: one broken tenant does not take the others down. */
type Directory =
  | { ok: true; entries: ReadonlyMap<string, Entry>; boundKeys: ReadonlySet<string> }
  | { ok: false; settings: string[] };

export type TenantLookup =
  | { ok: true; tenant: Tenant }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "invalid"; settings: string[] }
  | { ok: false; reason: "unavailable" };

function issuesOf(prefix: string, issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
    return `${prefix}${path === "" ? "" : `${path} `}${issue.message}`.replace(/\.$/, "");
  });
}

/**
 * Validates a `TENANTS` document: a JSON object of context identifier to settings. Each entry is checked on its
 * own, so errors name the tenant and the field (`TENANTS.Cust12345.privateKey is missing`), never a value.
 */
export function parseTenants(json: string): Directory {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    return { ok: false, settings: ["TENANTS is not valid JSON"] };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, settings: ["TENANTS must be a JSON object of context identifier to settings"] };
  }
  const entries = new Map<string, Entry>();
  const boundKeys = new Set<string>();
  for (const [id, value] of Object.entries(document)) {
    if (!CONTEXT_ID.test(id))
      return { ok: false, settings: ["TENANTS has a key that is not a context identifier like Cust12345"] };
    const entry = v.safeParse(TenantEntrySchema, value);
    if (!entry.success) {
      entries.set(id, { ok: false, settings: issuesOf(`TENANTS.${id}.`, entry.issues) });
      continue;
    }
    const tenant = tenantOfEntry(id, entry.output);
    for (const key of tenant.apiKeys ?? []) boundKeys.add(key);
    entries.set(id, { ok: true, tenant });
  }
  return { ok: true, entries, boundKeys };
}

/** Logs, once per document read, every setting that is wrong: the document's own, or one tenant's. */
function logInvalid(directory: Directory): void {
  const settings = directory.ok
    ? [...directory.entries.values()].flatMap((entry) => (entry.ok ? [] : entry.settings))
    : directory.settings;
  if (settings.length > 0) log("error", "configuration_invalid", { settings });
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
    if (!directory.ok) return { ok: false, reason: "invalid", settings: directory.settings };
    const entry = directory.entries.get(id);
    if (entry === undefined) return { ok: false, reason: "unknown" };
    return entry.ok ? entry : { ok: false, reason: "invalid", settings: entry.settings };
  }

  /** Whether this key is listed in any tenant's `apiKeys`: such a key sees every other tenant as unknown. */
  async isBound(config: Config, key: string, requestId: string): Promise<boolean> {
    const directory = await this.directory(config, requestId);
    return directory?.ok === true && directory.boundKeys.has(key);
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
        logInvalid(directory);
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
    if (json !== known?.json) logInvalid(directory);
    this.fromKv = { key: source.key, json, directory, readAt: now };
    return directory;
  }
}
