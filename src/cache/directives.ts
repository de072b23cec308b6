/** The RFC 9111 request directives this cache honours. */
export type RequestDirectives = {
  /** Do not answer from the cache without asking SuperOffice first. */
  noCache: boolean;
  /** Do not store the answer to this request. */
  noStore: boolean;
  /** Accept only entries younger than this many seconds. */
  maxAge: number | undefined;
  /** Never ask SuperOffice; answer from the cache or with 504. */
  onlyIfCached: boolean;
};

/** No directives: what a background refresh, which no caller asked for, uses. */
export const NO_DIRECTIVES: RequestDirectives = { noCache: false, noStore: false, maxAge: undefined, onlyIfCached: false };

/**
 * Reads a request's `Cache-Control`, or, when it has none, `Pragma: no-cache` as `no-cache` (RFC 9111 section
 * 5.4). Directive names are case-insensitive; unknown directives and malformed `max-age` values are ignored, as
 * RFC 9111 asks.
 */
export function parseRequestDirectives(cacheControl: string | undefined, pragma?: string): RequestDirectives {
  const directives: RequestDirectives = { ...NO_DIRECTIVES };
  if (cacheControl === undefined) {
    directives.noCache = (pragma ?? "").split(",").some((part) => part.trim().toLowerCase() === "no-cache");
    return directives;
  }
  for (const part of cacheControl.split(",")) {
    const [rawName = "", rawValue] = part.split("=", 2);
    const name = rawName.trim().toLowerCase();
    if (name === "no-cache") directives.noCache = true;
    else if (name === "no-store") directives.noStore = true;
    else if (name === "only-if-cached") directives.onlyIfCached = true;
    else if (name === "max-age") {
      const value = rawValue?.trim().replace(/^"(.*)"$/, "$1") ?? "";
      if (/^\d+$/.test(value)) directives.maxAge = Number(value);
    }
  }
  return directives;
}
