import { fileURLToPath } from "node:url";

/**
 * BENCHMARKS.md: `npm run bench` (bench/report.ts) rewrites all of it but the load test's part, which `npm run
 * loadtest` (bench/loadtest.ts) writes between these markers; each keeps the other's part, so the two can run in
 * either order.
 */
export const BENCHMARKS_MD = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

const BEGIN = "<!-- loadtest:begin (written by npm run loadtest; npm run bench keeps it) -->";
const END = "<!-- loadtest:end -->";

/** Where the load test's part goes when the file has no markers yet: before this heading, or else at the end. */
const INSERT_BEFORE = "## Regression guard";

/** The load test's part between its markers, trimmed; undefined when the document has none. */
export function loadtestPart(document: string): string | undefined {
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END, begin);
  if (begin === -1 || end === -1) return undefined;
  return document.slice(begin + BEGIN.length, end).trim();
}

/** `part` between the markers, as it stands in BENCHMARKS.md. */
export function markedLoadtestPart(part: string): string {
  return `${BEGIN}\n\n${part.trim()}\n\n${END}`;
}

/** `document` with the load test's part replaced by `part` (inserted, markers and all, where there was none). */
export function withLoadtestPart(document: string, part: string): string {
  const marked = markedLoadtestPart(part);
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END, begin);
  if (begin !== -1 && end !== -1) return `${document.slice(0, begin)}${marked}${document.slice(end + END.length)}`;
  const before = document.indexOf(`\n${INSERT_BEFORE}`);
  if (before === -1) return `${document.trimEnd()}\n\n${marked}\n`;
  return `${document.slice(0, before).trimEnd()}\n\n${marked}\n\n${document.slice(before + 1)}`;
}
