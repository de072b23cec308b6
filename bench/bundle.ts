import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { median } from "./measure.js";
import { buildWorker, ROOT } from "./services.js";

/** A file's size as stored and as gzip (Node's zlib, default level) would send it. */
export type FileSize = { name: string; bytes: number; gzipBytes: number };

export type BundleResult = {
  /** The bundle's JavaScript files (`index.js`: the Worker). */
  files: FileSize[];
  /** What `wrangler deploy --dry-run` itself reports ("Total Upload: … / gzip: …"), or "" when it printed no such line. */
  wranglerTotal: string;
  /** Median ms to `import()` the bundled Worker module in a fresh Node process, over `startupRuns` processes. */
  startupMs: number;
  /** The same for a one-line module: what Node spends on loading any file, which the Worker's figure includes. */
  startupFloorMs: number;
  startupRuns: number;
  /** The static assets Workers serves from public/ (not part of the Worker bundle). */
  assets: FileSize[];
  /** Assets that belong there but are absent (build output of `npm run assets` not made yet). */
  missingAssets: string[];
};

const OUT_DIR = fileURLToPath(new URL("./.out/bundle/", import.meta.url));
const PUBLIC_DIR = join(ROOT, "public");

/** Copied into public/ by `npm run assets` (scripts/copy-assets.ts), git-ignored: absent until that has run. */
const BUILT_ASSETS = ["docs/scalar.js"];

/** Files in public/ that configure Workers static assets rather than being served. */
const ASSET_CONFIG = new Set([".assetsignore", "_headers", "_redirects"]);

/**
 * workerd's built-in `cloudflare:workers`, which Node does not have, stubbed as far as the bundle's top level needs it
 * (src/rpc.ts extends `WorkerEntrypoint` when its module is evaluated), by a module resolve hook.
 */
const CLOUDFLARE_WORKERS_STUB = "export class WorkerEntrypoint {} export const env = {};";
const RESOLVE_HOOK = `export async function resolve(specifier, context, next) {
  if (specifier === "cloudflare:workers")
    return { url: ${JSON.stringify(`data:text/javascript,${encodeURIComponent(CLOUDFLARE_WORKERS_STUB)}`)}, shortCircuit: true };
  return next(specifier, context);
}`;

/**
 * Registers the hook, warms it (and the module loader) on an empty module, then times one `import()` of argv[1]:
 * parse, compile and top-level evaluation of that module.
 */
const IMPORT_TIMER = `
const { register } = await import("node:module");
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`)});
await import("data:text/javascript,");
const start = performance.now();
await import(process.argv[1]);
console.log(performance.now() - start);
`;

function sizeOf(path: string, name: string): FileSize {
  const content = readFileSync(path);
  return { name, bytes: statSync(path).size, gzipBytes: gzipSync(content).length };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The names `.assetsignore` lists (this project's holds plain names, no globs). */
function ignoredAssets(): Set<string> {
  const file = join(PUBLIC_DIR, ".assetsignore");
  if (!existsSync(file)) return new Set();
  const lines = readFileSync(file, "utf8").split("\n");
  return new Set(lines.map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#")));
}

/** Every file Workers static assets would serve from public/, with its size, and the built ones that are missing. */
function staticAssets(): Pick<BundleResult, "assets" | "missingAssets"> {
  const ignored = ignoredAssets();
  const assets = filesUnder(PUBLIC_DIR)
    .map((path) => ({ path, name: relative(PUBLIC_DIR, path) }))
    .filter(({ name }) => !ASSET_CONFIG.has(name) && !ignored.has(name) && !ignored.has(name.split("/").at(-1) ?? ""))
    .map(({ path, name }) => sizeOf(path, name))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { assets, missingAssets: BUILT_ASSETS.filter((name) => !existsSync(join(PUBLIC_DIR, name))) };
}

/** ms of one `import()` of `url` in a fresh Node process. */
function importMs(url: string): number {
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", IMPORT_TIMER, url], { encoding: "utf8" }).trim());
}

/**
 * `wrangler deploy --dry-run --outdir bench/.out/bundle`, then the size of each JavaScript file, the Worker module's
 * start-up time in Node, and the sizes of the static assets.
 */
export async function runBundleBench(startupRuns = 15): Promise<BundleResult> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  const { script, report } = await buildWorker(OUT_DIR);
  const files = readdirSync(OUT_DIR)
    .filter((name) => name.endsWith(".js"))
    .map((name) => sizeOf(join(OUT_DIR, name), name));
  const floorModule = join(OUT_DIR, "one-line.mjs");
  writeFileSync(floorModule, "export const one = 1;\n");
  // Alternating, so that a slow patch of the machine lands on both.
  const times = Array.from({ length: startupRuns }, () => ({
    worker: importMs(pathToFileURL(script).href),
    floor: importMs(pathToFileURL(floorModule).href),
  }));
  return {
    files,
    wranglerTotal: /Total Upload: .*/.exec(report)?.[0] ?? "",
    startupMs: median(times.map((time) => time.worker)),
    startupFloorMs: median(times.map((time) => time.floor)),
    startupRuns,
    ...staticAssets(),
  };
}
