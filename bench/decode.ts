import { type ContestantName, contestants, ourBody, saxesBody, soapDecoder, xmldomBody } from "./contestants.js";
import { median, type RaceOptions, race } from "./measure.js";
import { responseXml } from "./workload.js";

export type DecodeRow = {
  tasks: number;
  xmlBytes: number;
  jsonBytes: number;
  /** Median ms per response, per contestant. */
  ms: Partial<Record<ContestantName, number>>;
  /** Ms per response in each interleaved round, per contestant. */
  rounds: Partial<Record<ContestantName, number[]>>;
};

/**
 * Fewer, longer rounds for big responses, so the whole run stays within minutes. A 10,000-task answer still gets three
 * warm-up calls: the first calls of a decoder on it run code V8 has not finished optimising, and a long-lived isolate
 * decodes with optimised code.
 */
function optionsFor(tasks: number): RaceOptions {
  if (tasks >= 10000) return { warmupCalls: 3, rounds: 3, sliceMs: 1 };
  if (tasks >= 1000) return { warmupCalls: 3, rounds: 5, sliceMs: 300 };
  return { warmupCalls: 50, rounds: 15, sliceMs: 60 };
}

/**
 * The answer's text as the Worker holds it: its UTF-8 bytes read by `TextDecoder` (src/upstream/body.ts), a flat
 * string. The emulator's writer builds the text by concatenation, a rope that V8 flattens into a string it then
 * reaches through one more indirection on every character read: a decoder given the writer's string measured up to
 * twice as slow at 10,000 tasks, depending on the process, than on the text the Worker actually decodes.
 */
export function asReceived(xml: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(xml));
}

/** Decodes the same bytes with each contestant, size by size; checks first that our decoders agree. */
export async function runDecodeBench(
  sizes: readonly number[],
  names: readonly ContestantName[],
  log: (line: string) => void = () => undefined,
): Promise<DecodeRow[]> {
  const soapDecode = await soapDecoder();
  const rows: DecodeRow[] = [];
  for (const tasks of sizes) {
    const xml = asReceived(responseXml(tasks));
    const json = ourBody(xml);
    if (names.includes("xmldom") && xmldomBody(xml) !== json) throw new Error(`the decoders disagree on ${tasks} tasks`);
    if (names.includes("saxes") && saxesBody(xml) !== json) throw new Error(`the decoders disagree on ${tasks} tasks`);
    const samples = race(contestants(xml, soapDecode, names), optionsFor(tasks));
    const ms = Object.fromEntries(Object.entries(samples).map(([name, sample]) => [name, sample.msPerOp]));
    const rounds = Object.fromEntries(Object.entries(samples).map(([name, sample]) => [name, sample.rounds]));
    rows.push({ tasks, xmlBytes: Buffer.byteLength(xml), jsonBytes: Buffer.byteLength(json), ms, rounds });
    log(
      `decode ${tasks} tasks: ${Object.entries(ms)
        .map(([name, value]) => `${name} ${value.toFixed(3)} ms`)
        .join(", ")}`,
    );
  }
  return rows;
}

/**
 * `name`'s time over `reference`'s for one row (below 1 means faster): the median of the per-round ratios, each taken
 * from two slices run back to back, so a slow patch of the machine hits both sides of a ratio.
 */
export function pairedRatio(row: DecodeRow, name: ContestantName, reference: ContestantName): number {
  const ours = row.rounds[name];
  const theirs = row.rounds[reference];
  if (ours === undefined || theirs === undefined || ours.length !== theirs.length)
    throw new Error(`the row lacks ${name} or ${reference}`);
  return median(ours.map((value, round) => value / (theirs[round] as number)));
}

/** Our time over node-soap's for one row: what the targets and the regression guard compare. */
export function ratioToSoap(row: DecodeRow): number {
  return pairedRatio(row, "ours", "node-soap");
}

/** The geometric mean of several ratios: the one number the regression guard compares. */
export function geometricMean(ratios: readonly number[]): number {
  return Math.exp(ratios.reduce((sum, ratio) => sum + Math.log(ratio), 0) / ratios.length);
}
