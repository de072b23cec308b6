import { readFileSync } from "node:fs";
import { BENCHMARKS_MD } from "./benchmarks-md.js";

/** The sizes `bench:check` measures: small, so the guard takes seconds. */
export const CHECK_SIZES = [10, 50, 200] as const;

/** How much worse than the recorded ratio the guard tolerates: 25%. */
export const CHECK_TOLERANCE = 1.25;

const PREFIX = "bench:check baseline (decode ms, ours / node-soap, by task count):";

/** The machine-readable line holding the recorded ratios. */
export function formatBaseline(ratios: Readonly<Record<string, number>>): string {
  const rounded = Object.fromEntries(Object.entries(ratios).map(([size, ratio]) => [size, Math.round(ratio * 1000) / 1000]));
  return `${PREFIX} ${JSON.stringify(rounded)}`;
}

/** Reads the recorded ratios back from BENCHMARKS.md; throws when the line is missing or broken. */
export function readBaseline(file = BENCHMARKS_MD): Record<string, number> {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((candidate) => candidate.startsWith(PREFIX));
  if (line === undefined) throw new Error(`${file} has no "${PREFIX}" line; run npm run bench`);
  const parsed: unknown = JSON.parse(line.slice(PREFIX.length));
  if (typeof parsed !== "object" || parsed === null) throw new Error(`the baseline line in ${file} is not a JSON object`);
  const ratios: Record<string, number> = {};
  for (const [size, ratio] of Object.entries(parsed)) {
    if (typeof ratio !== "number" || !(ratio > 0))
      throw new Error(`the baseline ratio for ${size} tasks is not a positive number`);
    ratios[size] = ratio;
  }
  return ratios;
}
