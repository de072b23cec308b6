/**
 * One JSON line per event, for Workers Logs and `wrangler tail`. Callers pass only what is safe to keep:
 * never a ticket, an application token, an API key or an Authorization header.
 */
export function log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "info") console.log(line);
  else if (level === "warn") console.warn(line);
  else console.error(line);
}
