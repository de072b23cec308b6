import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { ROOT } from "./services.js";

export type BundleResult = {
  files: { name: string; bytes: number; gzipBytes: number }[];
  /** Median ms to `import()` the bundled Worker module in a fresh Node process, over `startupRuns` processes. */
  startupMs: number;
  startupRuns: number;
};

const OUT_DIR = fileURLToPath(new URL("./.out/bundle/", import.meta.url));

const IMPORT_TIMER = `
const start = performance.now();
await import(process.argv[1]);
console.log(performance.now() - start);
`;

/** `wrangler deploy --dry-run --outdir bench/.out/bundle`, then the size of each JavaScript file and its start-up time. */
export function runBundleBench(startupRuns = 15): BundleResult {
  rmSync(OUT_DIR, { recursive: true, force: true });
  execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", OUT_DIR], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: "pipe",
  });
  const files = readdirSync(OUT_DIR)
    .filter((name) => name.endsWith(".js"))
    .map((name) => {
      const content = readFileSync(`${OUT_DIR}${name}`);
      return { name, bytes: statSync(`${OUT_DIR}${name}`).size, gzipBytes: gzipSync(content).length };
    });
  const main = files.find((file) => file.name === "index.js") ?? files[0];
  if (main === undefined) throw new Error("wrangler wrote no JavaScript");
  const url = pathToFileURL(`${OUT_DIR}${main.name}`).href;
  const times = Array.from({ length: startupRuns }, () =>
    Number(execFileSync(process.execPath, ["--input-type=module", "-e", IMPORT_TIMER, url], { encoding: "utf8" }).trim()),
  ).sort((a, b) => a - b);
  return { files, startupMs: times[Math.floor(times.length / 2)] ?? Number.NaN, startupRuns };
}
