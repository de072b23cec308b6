import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/**
 * Copies the pinned docs renderer (Scalar's standalone bundle) from node_modules into `public/docs/`, where Workers
 * static assets serve it, so that `/docs` loads no script from another host. The copy is build output (git-ignored
 * by `public/.gitignore`), made by `npm install` (`prepare`) and again by `npm run deploy` (`predeploy`). `npm run
 * dev` and `npm test` do not make it: where it is missing, `npm run assets` does.
 */

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PACKAGE_DIR = join(ROOT, "node_modules", "@scalar", "api-reference");
/** The version `public/docs/docs.js` was checked against (no font, script or telemetry request leaves the origin). */
const PINNED_VERSION = "1.76.0";
const TARGET = join(ROOT, "public", "docs", "scalar.js");

function fail(message: string): never {
  console.error(`copy-assets: ${message}`);
  process.exit(1);
}

let version: string;
try {
  ({ version } = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string });
} catch {
  fail("@scalar/api-reference is not installed: run npm install");
}
// Another version may load fonts or call home again: an upgrade must be re-checked offline (test/browser).
if (version !== PINNED_VERSION) fail(`@scalar/api-reference is ${version}, expected ${PINNED_VERSION}: re-check /docs offline`);

// The bundle ends with a `sourceMappingURL` comment naming a 20 MB map that is not served; without the comment an
// open DevTools does not ask the Worker for it.
const bundle = readFileSync(join(PACKAGE_DIR, "dist", "browser", "standalone.js"), "utf8").replace(
  /\n\/\/# sourceMappingURL=\S+\s*$/,
  "\n",
);
mkdirSync(join(TARGET, ".."), { recursive: true });
writeFileSync(TARGET, bundle);
const bytes = Buffer.from(bundle);
console.log(`copy-assets: ${relative(ROOT, TARGET)} ${bytes.length} B, ${gzipSync(bytes, { level: 9 }).length} B gzip`);
