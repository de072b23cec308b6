import type { CallContext } from "../call-context.js";
import type { OnlineSource, StaticSource } from "../config/tenant.js";
import { log } from "../log.js";
import type { Credentials } from "../soap/envelope.js";
import type { Contract } from "../soap/namespaces.js";
import type { UpstreamFailure } from "./failure.js";
import { callerMessage } from "./messages.js";
import { importSigningKey, importVerificationKey } from "./online/keys.js";
import { batchServiceUrl, checkNetserverUrl } from "./online/netserver-url.js";
import { signIn } from "./online/sign-in.js";
import { importVaultKey, open, seal } from "./online/ticket-vault.js";

/** What a call needs to reach SuperOffice: the Batch.svc URL and the credentials to send. */
export type Access = { url: string; credentials: Credentials };

export type AccessResult = { ok: true; access: Access } | { ok: false; failure: UpstreamFailure };

/**
 * Where a tenant's credentials come from. `renew` is asked once when SuperOffice rejects the credentials of
 * `rejected`; `null` means they cannot be renewed (a fixed ticket). `secrets` lists every secret it holds, the
 * configured ones and the tickets it obtained that a call may still be using, for whoever must keep them out of a log
 * line.
 */
export interface Ticketing {
  current(context: CallContext): Promise<AccessResult>;
  renew(rejected: Access, context: CallContext): Promise<AccessResult> | null;
  secrets(): readonly string[];
}

/**
 * What a call gets when getting credentials threw instead of failing in a way foreseen (a bug, WebCrypto or KV
 * breaking): the error itself goes only to the log.
 */
export const UNFORESEEN_FAILURE: UpstreamFailure = {
  kind: "authentication-failed",
  detail: "Getting credentials for SuperOffice failed unexpectedly; the failure is logged.",
};

/** A fixed ticket and URL from the settings: on-site installations and quick trials. */
export class StaticTicketing implements Ticketing {
  private readonly access: AccessResult;

  constructor(private readonly source: StaticSource) {
    this.access = {
      ok: true,
      access: { url: source.url, credentials: { ticket: source.ticket, applicationToken: source.applicationToken } },
    };
  }

  async current(): Promise<AccessResult> {
    return this.access;
  }

  renew(): null {
    return null;
  }

  secrets(): readonly string[] {
    return [this.source.ticket, this.source.applicationToken ?? ""];
  }
}

/** A ticket is renewed this long after it was obtained, before SuperOffice's 6 idle hours can run out. */
const RENEW_AFTER_MS = 5 * 60 * 60 * 1000;
/** Each isolate renews up to this much earlier than `RENEW_AFTER_MS`, so isolates do not all sign in at once. */
const RENEW_JITTER_MS = 30 * 60 * 1000;
/** After a failed sign-in, the failure is repeated for this long instead of asking SuperOffice again. */
const SIGN_IN_BACKOFF_MS = 10_000;

type Held = { access: Access; netserverUrl: string; obtainedAt: number };

type HeldResult = { ok: true; held: Held } | { ok: false; failure: UpstreamFailure };

export type OnlineTicketingOptions = {
  source: OnlineSource;
  contract: Contract;
  /** Names the tenant in the sealed ticket's authenticated data and in log lines. */
  tenantId: string;
  kv: KVNamespace;
  kvKey: string;
  vaultKey: string;
  timeoutMs: number;
  now: () => number;
};

/**
 * SuperOffice Online system-user tickets for one tenant: signed in with the partner key, kept sealed in KV
 * (AES-GCM) so every isolate shares them, renewed before they age out and once when SuperOffice rejects one. At
 * most one sign-in per tenant per isolate is in flight; concurrent callers wait for it.
 */
export class OnlineTicketing implements Ticketing {
  private held: Held | null = null;
  /** The ticket held before `held`: a call that took it may still be under way, and its log lines must hide it. */
  private retired: string | null = null;
  /** The last ticket SuperOffice rejected: a copy of it in KV is stale, not a ticket to use. */
  private rejected: string | null = null;
  private readonly renewAfter = RENEW_AFTER_MS - Math.floor(Math.random() * RENEW_JITTER_MS);
  private pending: Promise<AccessResult> | null = null;
  private lastFailure: { failure: UpstreamFailure; at: number } | null = null;

  constructor(private readonly options: OnlineTicketingOptions) {}

  current(context: CallContext): Promise<AccessResult> {
    const { held } = this;
    if (held !== null && this.young(held)) return Promise.resolve({ ok: true, access: held.access });
    return this.once(() => this.fromKvOrSignIn(context));
  }

  /**
   * After SuperOffice rejected `rejected`'s ticket: a ticket another isolate has meanwhile put in KV is taken if it is
   * a different one (one sign-in per renewal, not one per isolate); otherwise this isolate signs in. The rejected
   * ticket is never taken from KV again.
   */
  renew(rejected: Access, context: CallContext): Promise<AccessResult> {
    const { held } = this;
    if (held !== null && held.access.credentials.ticket !== rejected.credentials.ticket) {
      return Promise.resolve({ ok: true, access: held.access });
    }
    this.hold(null);
    this.rejected = rejected.credentials.ticket;
    return this.once(() => this.fromKvOrSignIn(context));
  }

  secrets(): readonly string[] {
    const { source, vaultKey } = this.options;
    const tickets = [this.held?.access.credentials.ticket ?? "", this.retired ?? "", this.rejected ?? ""];
    return [source.systemUserToken, source.applicationToken, source.privateKey, vaultKey, ...tickets];
  }

  /** Holds `next` (or nothing), remembering the ticket it replaces. */
  private hold(next: Held | null): void {
    const current = this.held?.access.credentials.ticket;
    if (current !== undefined && current !== next?.access.credentials.ticket) this.retired = current;
    this.held = next;
  }

  /** Whether a ticket is still short of this isolate's renewal age. */
  private young(held: Held): boolean {
    return this.options.now() - held.obtainedAt < this.renewAfter;
  }

  /** Single flight: callers that arrive while a sign-in (or KV read) runs share its outcome. */
  private once(work: () => Promise<AccessResult>): Promise<AccessResult> {
    if (this.pending !== null) return this.pending;
    const pending = work().finally(() => {
      if (this.pending === pending) this.pending = null;
    });
    this.pending = pending;
    return pending;
  }

  private async fromKvOrSignIn(context: CallContext): Promise<AccessResult> {
    const stored = await this.readKv(context);
    if (stored !== null && stored.access.credentials.ticket !== this.rejected && this.young(stored)) {
      this.hold(stored);
      return { ok: true, access: stored.access };
    }
    return this.signIn(context);
  }

  private async signIn(context: CallContext): Promise<AccessResult> {
    const { options } = this;
    const now = options.now();
    if (this.lastFailure !== null && now - this.lastFailure.at < SIGN_IN_BACKOFF_MS)
      return { ok: false, failure: this.lastFailure.failure };
    let result: HeldResult;
    try {
      result = await this.exchange(context);
    } catch (error) {
      // A sign-in that throws failed all the same: the back-off holds, so that a bug, or WebCrypto failing, does not
      // turn every request into another attempt at the login service. The caller logs the error.
      this.lastFailure = { failure: UNFORESEEN_FAILURE, at: now };
      throw error;
    }
    if (!result.ok) {
      this.lastFailure = { failure: result.failure, at: now };
      return result;
    }
    this.lastFailure = null;
    this.hold(result.held);
    context.waitUntil(this.writeKv(result.held, context));
    log("info", "superoffice_signed_in", { requestId: context.requestId, tenant: options.tenantId });
    return { ok: true, access: result.held.access };
  }

  private async exchange(context: CallContext): Promise<HeldResult> {
    const { source, contract, timeoutMs, now, tenantId } = this.options;
    const misconfigured = (setting: string, reason: string): HeldResult => {
      log("error", "configuration_invalid", {
        requestId: context.requestId,
        tenant: tenantId,
        settings: [`${setting} ${reason}`],
      });
      return {
        ok: false,
        failure: { kind: "authentication-failed", detail: `The configured ${setting} cannot be used; see the logs.` },
      };
    };
    const signing = await importSigningKey(source.privateKey);
    if (!signing.ok) return misconfigured(source.keySettings.privateKey, signing.reason);
    let verificationKey: CryptoKey | undefined;
    if (source.certificate !== undefined) {
      const verification = await importVerificationKey(source.certificate);
      if (!verification.ok) return misconfigured(source.keySettings.certificate, verification.reason);
      verificationKey = verification.key;
    }
    const signedIn = await signIn(
      {
        contextId: source.contextId,
        systemUserToken: source.systemUserToken,
        applicationToken: source.applicationToken,
        signingKey: signing.key,
        ...(verificationKey === undefined ? {} : { verificationKey }),
        loginUrl: source.loginUrl,
      },
      { now, timeoutMs },
    );
    if (!signedIn.ok) {
      // SuperOffice's words may echo what it was sent, in pieces or another case: callers get the fixed sentence, the
      // log signIn's text, in which every run of 8 characters of a secret is hidden.
      log("warn", "superoffice_sign_in_failed", { requestId: context.requestId, tenant: tenantId, detail: signedIn.detail });
      const failure = { kind: "authentication-failed", detail: callerMessage("authentication-failed", undefined, []) } as const;
      return { ok: false, failure: { ...failure, refused: signedIn.refused } };
    }
    const url = batchServiceUrl(signedIn.netserverUrl, contract);
    const access = { url, credentials: { ticket: signedIn.ticket, applicationToken: source.applicationToken } };
    return { ok: true, held: { access, netserverUrl: signedIn.netserverUrl, obtainedAt: now() } };
  }

  private async vault(context: CallContext): Promise<CryptoKey | null> {
    const key = await importVaultKey(this.options.vaultKey);
    if (key.ok) return key.key;
    log("error", "configuration_invalid", { requestId: context.requestId, settings: [`TICKET_ENCRYPTION_KEY ${key.reason}`] });
    return null;
  }

  private async readKv(context: CallContext): Promise<Held | null> {
    const { kv, kvKey, tenantId } = this.options;
    try {
      const sealed = await kv.get(kvKey, "text");
      const key = sealed === null ? null : await this.vault(context);
      const record = sealed === null || key === null ? null : await open(key, tenantId, sealed);
      if (record === null) return null;
      const checked = checkNetserverUrl(record.netserverUrl);
      if (!checked.ok) return null;
      const url = batchServiceUrl(checked.url, this.options.contract);
      const credentials = { ticket: record.ticket, applicationToken: this.options.source.applicationToken };
      return { access: { url, credentials }, netserverUrl: record.netserverUrl, obtainedAt: record.obtainedAt };
    } catch (error) {
      log("warn", "kv_read_failed", { requestId: context.requestId, what: "ticket", error: String(error) });
      return null;
    }
  }

  private async writeKv(held: Held, context: CallContext): Promise<void> {
    const { kv, kvKey, tenantId } = this.options;
    try {
      const key = await this.vault(context);
      if (key === null) return;
      const record = { ticket: held.access.credentials.ticket, netserverUrl: held.netserverUrl, obtainedAt: held.obtainedAt };
      const sealed = await seal(key, tenantId, record);
      await kv.put(kvKey, sealed, { expirationTtl: Math.ceil(RENEW_AFTER_MS / 1000) });
    } catch (error) {
      log("warn", "kv_write_failed", { requestId: context.requestId, what: "ticket", error: String(error) });
    }
  }
}
