// @ts-check
/**
 * The monitor page's pure parts: reading the form, building the request, and turning the API's answers into text.
 * No DOM and no clock here, so that test/browser/monitor-core.test.ts can check them in Node.
 */

/** The states the API accepts, in SuperOffice's spelling (`Aquired`); `All` means any state. */
export const STATES = /** @type {const} */ ([
  "Unknown",
  "New",
  "Aquired",
  "Started",
  "Succeeded",
  "Failed",
  "SucceededManualCleanup",
  "All",
]);

/**
 * The associate ids typed by a person: commas and/or spaces between whole numbers. The API checks the rest (range,
 * how many); this only catches what would make a request pointless.
 * @param {string} text
 * @returns {{ ok: true, ids: number[] } | { ok: false, error: string }}
 */
export function parseAssociateIds(text) {
  const parts = text.split(/[\s,]+/).filter((part) => part !== "");
  if (parts.length === 0) return { ok: false, error: "Enter at least one associate id, e.g. 5,7 (-1 = all users, 0 = system)." };
  const wrong = parts.find((part) => !/^-?\d{1,10}$/.test(part));
  if (wrong !== undefined) return { ok: false, error: `“${wrong}” is not an associate id: use whole numbers such as 5,7.` };
  return { ok: true, ids: parts.map(Number) };
}

/**
 * The API path and query of one question; `tenant` (from the page's `?tenant=`) selects `/v1/tenants/{tenant}/…`.
 * @param {{ associateIds: readonly number[], state: string, tenant?: string | null }} query
 * @returns {string}
 */
export function tasksUrl({ associateIds, state, tenant }) {
  const prefix = tenant ? `/v1/tenants/${encodeURIComponent(tenant)}` : "/v1";
  const search = new URLSearchParams({ associateIds: associateIds.join(","), state });
  return `${prefix}/batch-tasks?${search.toString().replaceAll("%2C", ",")}`;
}

const XS_DATE_TIME = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/;

/**
 * Formats SuperOffice's `xs:dateTime` text in the viewer's time zone. A value without an offset is the
 * SuperOffice server's local time in a zone nobody told us, so it is shown as written and marked as such rather
 * than shifted by a guess. `null` (never) and unreadable text are said so.
 * @param {string | null} text
 * @param {{ locale?: string | undefined, timeZone?: string | undefined }} [options] the viewer's by default
 * @returns {{ text: string, dateTime: string | null }} the text to show, and the `<time datetime>` value
 */
export function formatDateTime(text, options = {}) {
  if (text === null) return { text: "never", dateTime: null };
  const match = XS_DATE_TIME.exec(text);
  if (match === null) return { text, dateTime: null };
  const [, year, month, day, hour, minute, second, fraction = "", zone] = match;
  const moment = new Date(0);
  moment.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  moment.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, "0").slice(0, 3)));
  const style = /** @type {const} */ ({ dateStyle: "medium", timeStyle: "medium" });
  if (zone === undefined) {
    const asWritten = new Intl.DateTimeFormat(options.locale, { ...style, timeZone: "UTC" }).format(moment);
    return { text: `${asWritten} (server time)`, dateTime: text.replace(/\.\d+$/, "") };
  }
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    moment.setTime(moment.getTime() - sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000);
  }
  const shown = new Intl.DateTimeFormat(options.locale, { ...style, timeZone: options.timeZone }).format(moment);
  return { text: shown, dateTime: moment.toISOString() };
}

/**
 * A duration in whole seconds as people read it: "18 s", "3 min 5 s", "2 h 3 min".
 * @param {number} seconds
 * @returns {string}
 */
export function formatAge(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * What the edge's `Cache-Status` (RFC 9211) says, in words. Only this service's entry is read.
 * @param {string | null} header
 * @returns {string}
 */
export function describeCacheStatus(header) {
  if (header === null) return "unknown";
  const entry = header
    .split(",")
    .map((part) => part.trim())
    .findLast((part) => part.split(";")[0]?.trim() === "superoffice-batch-edge");
  if (entry === undefined) return "unknown";
  /** @type {Map<string, string>} */
  const params = new Map();
  for (const param of entry.split(";").slice(1)) {
    const [name = "", value = ""] = param.trim().split("=", 2);
    params.set(name.toLowerCase(), value.replace(/^"(.*)"$/, "$1"));
  }
  const ttl = Number(params.get("ttl"));
  const words = [];
  if (params.get("detail") === "stale-if-error") words.push("SuperOffice failed; cached data served");
  else if (params.has("hit")) {
    if (!Number.isFinite(ttl)) words.push("hit");
    else words.push(ttl >= 0 ? `hit, fresh for ${formatAge(ttl)}` : `hit, stale by ${formatAge(-ttl)}; refreshing`);
  } else {
    const forward = params.get("fwd");
    words.push(
      forward === "miss"
        ? "miss: asked SuperOffice"
        : forward === "stale"
          ? "expired: asked SuperOffice"
          : forward === "request"
            ? "revalidated with SuperOffice"
            : "asked SuperOffice",
    );
  }
  if (params.has("collapsed")) words.push("shared with a concurrent request");
  return words.join(", ");
}

/**
 * The parts of an `application/problem+json` body (RFC 9457) worth showing, each checked, since it is only JSON.
 * @param {number} status
 * @param {unknown} body
 * @returns {{ title: string, detail: string, errors: string[] }}
 */
export function readProblem(status, body) {
  const record = typeof body === "object" && body !== null ? /** @type {Record<string, unknown>} */ (body) : {};
  const text = (/** @type {unknown} */ value) => (typeof value === "string" ? value : "");
  const errors = Array.isArray(record.errors)
    ? record.errors.map((error) => {
        const item = typeof error === "object" && error !== null ? /** @type {Record<string, unknown>} */ (error) : {};
        const where = text(item.parameter) || text(item.pointer);
        return where === "" ? text(item.detail) : `${where}: ${text(item.detail)}`;
      })
    : [];
  const requestId = text(record.requestId);
  return {
    title: text(record.title) || `HTTP ${status}`,
    detail: [text(record.detail), requestId === "" ? "" : `(request id ${requestId})`].filter((part) => part !== "").join(" "),
    errors: errors.filter((error) => error !== ""),
  };
}
