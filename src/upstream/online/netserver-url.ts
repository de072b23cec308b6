import { isServiceUrl } from "../../config/settings.js";
import type { Contract } from "../../soap/namespaces.js";

export type NetserverUrlResult = { ok: true; url: string } | { ok: false; reason: string };

/** The path up to and including its last `/Remote/` segment (any case), or `null` when it has none. */
function remoteBase(pathname: string): string | null {
  const path = pathname.toLowerCase().endsWith("/remote") ? `${pathname}/` : pathname;
  const at = path.toLowerCase().lastIndexOf("/remote/");
  return at < 0 ? null : path.slice(0, at + "/remote/".length);
}

/**
 * Checks the tenant's SOAP base that SuperOffice puts in the `netserver_url` claim, e.g.
 * `https://sod.superoffice.com/Cust12345/Remote/Services88/`, before any ticket is sent there: https (plain http only
 * on a loopback host, for the emulator), no credentials, no query or fragment, and a `/Remote/` segment to build the
 * service URL on. Returns the URL as the URL parser normalizes it.
 */
export function checkNetserverUrl(text: string): NetserverUrlResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "the netserver_url claim is not a URL" };
  }
  if (!isServiceUrl(text)) {
    return { ok: false, reason: "the netserver_url claim is not an https URL without credentials" };
  }
  if (url.search !== "" || url.hash !== "" || remoteBase(url.pathname) === null) {
    return { ok: false, reason: "the netserver_url claim is not a NetServer …/Remote/ URL" };
  }
  return { ok: true, url: url.href };
}

/**
 * The Batch.svc URL of a contract on a tenant's SOAP base: `…/Remote/Services{version}/Batch.svc`, whatever version
 * the base itself names (SuperOffice hands out its newest; the tenant's configuration picks the contract).
 * `netserverUrl` must have passed {@link checkNetserverUrl}.
 */
export function batchServiceUrl(netserverUrl: string, contract: Contract): string {
  const url = new URL(netserverUrl);
  url.pathname = `${remoteBase(url.pathname) ?? "/"}${contract.endpointPath}`;
  return url.href;
}
