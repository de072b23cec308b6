import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, createWriteStream, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { EMULATOR_PATH, freePort, ROOT } from "../services.js";

/**
 * A process group this load test started, and how to end exactly that group: `stop` asks (SIGTERM, then SIGKILL
 * after 5 s), `kill` does at once and synchronously (for `process.on("exit")`).
 */
export type Started = { pid: number; output: () => string; stop: () => Promise<void>; kill: () => void };

export type LoadEmulator = Started & { origin: string; url: string };

export type LoadWorker = Started & { url: string; inspectorPort: number };

/** Starts `node <args>` in its own process group; its output is kept (the last 20,000 characters) and, with `logFile`, written there. */
function startGroup(args: string[], env: NodeJS.ProcessEnv, logFile?: string): { child: ChildProcess; started: Started } {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const file = logFile === undefined ? undefined : createWriteStream(logFile);
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-20_000);
    file?.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  if (child.pid === undefined) throw new Error(`could not start ${args.join(" ")}`);
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
      const pid = child.pid;
      child.once("exit", () => resolve());
      process.kill(-pid, "SIGTERM");
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(-pid, "SIGKILL");
      }, 5000).unref();
    });
  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  return { child, started: { pid: child.pid, output: () => log, stop, kill } };
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited early:\n${output()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${output()}`);
}

/** bench/loadtest/emulator.ts (the real emulator plus call counting) on a free port of 127.0.0.1. */
export async function startLoadEmulator(): Promise<LoadEmulator> {
  const port = await freePort();
  const { child, started } = startGroup(["--import", "tsx", "bench/loadtest/emulator.ts"], {
    ...process.env,
    LOADTEST_EMULATOR_PORT: String(port),
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${origin}/__loadtest/upstream`, child, started.output, 30_000);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return { ...started, origin, url: `${origin}${EMULATOR_PATH}` };
}

/** A copy of the Worker as it is now: its bundle, configuration, static assets and dev.env. */
export type FrozenWorker = { script: string; config: string; envFile: string };

/**
 * Bundles the Worker as `wrangler deploy` would (`--dry-run --outdir`) and copies wrangler.toml, public/ and dev.env
 * beside the bundle, into `dir`. `wrangler dev` of the copy does not reload when someone edits src/ during the run
 * (in a shared checkout it otherwise restarts the Worker mid-phase, and retries GETs against the new one).
 */
export async function freezeWorker(dir: string): Promise<FrozenWorker> {
  const bundle = join(dir, "bundle");
  try {
    await promisify(execFile)(
      process.execPath,
      ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", bundle],
      {
        cwd: ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`wrangler deploy --dry-run failed:\n${`${stdout}\n${stderr}`.slice(-4000)}`);
  }
  cpSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
  cpSync(join(ROOT, "dev.env"), join(dir, "dev.env"));
  cpSync(join(ROOT, "public"), join(dir, "public"), { recursive: true });
  return { script: join(bundle, "index.js"), config: join(dir, "wrangler.toml"), envFile: join(dir, "dev.env") };
}

/**
 * `wrangler dev` of the frozen Worker in its default environment, as deployed: the `[[ratelimits]]` binding (600 per
 * 60 s per key), `UPSTREAM_CONCURRENCY` 6, the default size, task and time limits; dev.env's secrets, but `apiKeys`
 * as `API_KEYS` (several keys, so that load phases that need more than one key's budget can have it), the upstream
 * at `upstreamUrl`, its own KV state in `stateDir`, and a V8 inspector port for heap measurements. Its output goes to
 * `logFile` too.
 */
export async function startLoadWorker(
  frozen: FrozenWorker,
  upstreamUrl: string,
  stateDir: string,
  apiKeys: readonly string[],
  logFile: string,
): Promise<LoadWorker> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    frozen.script,
    "--no-bundle",
    "--config",
    frozen.config,
    "--env-file",
    frozen.envFile,
    "--persist-to",
    stateDir,
    "--var",
    `SUPEROFFICE_BATCH_URL:${upstreamUrl}`,
    "--var",
    `API_KEYS:${apiKeys.join(",")}`,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
  ];
  const { child, started } = startGroup(args, { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" }, logFile);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/healthz`, child, started.output, 90_000);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return { ...started, url, inspectorPort };
}

/** One process under a started group: its pid, command line, resident memory, and CPU time used so far. */
export type ProcessMemory = { pid: number; name: string; args: string; rssMb: number; cpuMs: number };

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after `(comm)`, which may itself contain spaces and parentheses. */
function statOf(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

function rssMbOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (and `root` itself), with its resident set size, read from /proc. */
export function processTree(root: number): ProcessMemory[] {
  const pids = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const pid of pids) {
    const stat = statOf(pid);
    if (stat === null) continue;
    stats.set(pid, stat);
    const parent = Number(stat[1]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: ProcessMemory[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const rssMb = rssMbOf(pid);
    if (rssMb !== null) {
      let args = "";
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      } catch {
        // gone meanwhile
      }
      const name = args.includes("workerd") ? "workerd" : args.includes("esbuild") ? "esbuild" : "node";
      const stat = stats.get(pid) ?? [];
      const cpuMs = ((Number(stat[11] ?? 0) + Number(stat[12] ?? 0)) * 1000) / CLOCK_TICKS;
      found.push({ pid, name, args, rssMb, cpuMs });
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}
