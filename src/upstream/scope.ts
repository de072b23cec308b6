import type { Tenant } from "../config/tenant.js";
import { toHex } from "../digest.js";

async function hmacHex(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return toHex(mac.subarray(0, 16));
}

/**
 * The identity a tenant's answers are fetched with, as a keyed hash: the secret that identifies the caller to
 * SuperOffice is the HMAC key, the upstream it is sent to the message. With a fixed ticket that secret is the
 * ticket, so a deployment with a different ticket never reads another's entries; with Online sign-in it is the
 * system user token (the ticket renews itself every few hours; the cache stays), and the tenant's id is part of
 * the message: tickets are sealed for a tenant id, so the default Online tenant and a `TENANTS` entry signing in as
 * the same system user must not share a ticket key (each would discard the other's ticket and sign in again) nor a
 * cache scope (a purge of one would empty the other). Neither secret shows in the result.
 */
function identityOf(tenant: Tenant): { secret: string; upstream: string } {
  const { source, contract } = tenant;
  if (source.kind === "static") return { secret: source.ticket, upstream: `static\n${source.url}\n${contract.version}` };
  return {
    secret: source.systemUserToken,
    upstream: `online\n${tenant.id}\n${source.contextId}\n${source.loginUrl}\n${contract.version}`,
  };
}

/** The prefix of every cache key of this tenant: `batch:v3:<keyed hash of URL and identity>:`. */
export async function cacheScopeOf(tenant: Tenant): Promise<string> {
  const { secret, upstream } = identityOf(tenant);
  return `batch:v3:${await hmacHex(secret, `cache\n${upstream}`)}:`;
}

/** The KV key of an Online tenant's sealed ticket, derived the same way so that it names no tenant and no secret. */
export async function ticketKeyOf(tenant: Tenant): Promise<string> {
  const { secret, upstream } = identityOf(tenant);
  return `ticket:v1:${await hmacHex(secret, `ticket\n${upstream}`)}`;
}
