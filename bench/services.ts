import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/*
 * The one place that starts and stops the processes benchmarks and Node-side tests need: `wrangler dev` (of the
 * Worker, of a floor or pipeline Worker, or of a frozen bundle), the NetServer emulator, and `wrangler deploy
 * --dry-run`. Each runs in its own process group, so that stopping it ends exactly what it started (wrangler runs
 * workerd beneath itself) and nothing else.
 */

/** The repository root, where `wrangler.toml`, `dev.env` and `node_modules` are. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

export const API_KEY = "dev-key";
export const EMULATOR_PATH = "/SuperOffice/Remote/Services85/Batch.svc";

const WRANGLER = "node_modules/wrangler/bin/wrangler.js";

/** The installed version of a package (`workerd`, `wrangler`…), for the reports; "?" when it is not installed. */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

/** How long `stop` waits after SIGTERM before it sends SIGKILL to the group. */
const KILL_AFTER_MS = 5000;

/**
 * Offline and quiet: no metrics, no fetch of the `Request.cf` sample from workers.cloudflare.com (this machine reaches
 * only 127.0.0.1 and the package registry), no prompts, no colour codes in the captured output.
 */
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1" };

/**
 * A process group started here. `pid` is the group leader's (for `wrangler dev`, the launcher whose descendants run
 * workerd); `output` is the end of what it printed; `stop` sends SIGTERM to the group, then SIGKILL after 5 s if the
 * leader has not exited, and resolves once it has (and its temporary state is removed); `kill` sends SIGKILL at once
 * and returns synchronously, for `process.on("exit")`.
 */
export type Service = { url: string; pid: number; output: () => string; stop: () => Promise<void>; kill: () => void };

/** A service being started: stoppable at once; `ready` resolves once it answers and rejects when it exits or times out. */
export type Starting<T extends Service> = T & { ready: Promise<void> };

export type WranglerService = Service & { inspectorPort: number };

export type EmulatorService = Service & { origin: string };

/** A TCP port on 127.0.0.1 that is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

type Group = Omit<Service, "url"> & { running: () => boolean };

type GroupOptions = {
  /** Also write everything the process prints to this file. */
  logFile?: string | undefined;
  /** How many of the last characters `output` keeps. */
  keepChars: number;
  /** Run once the group is stopped or killed (removing a temporary directory). */
  cleanup?: () => void;
};

/** `node <args>` from the repository root in a new process group, its output kept. */
function startGroup(args: readonly string[], env: NodeJS.ProcessEnv, options: GroupOptions): Group {
  const { logFile, keepChars, cleanup = () => undefined } = options;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) {
    cleanup();
    throw new Error(`could not start node ${args.join(" ")}`);
  }
  const pid = child.pid;
  let kept = "";
  const file = logFile === undefined ? undefined : createWriteStream(logFile);
  const keep = (chunk: Buffer | string): void => {
    kept = (kept + chunk.toString()).slice(-keepChars);
    file?.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("error", (error) => keep(`\n${error.message}\n`));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name);
    } catch {
      // the group is gone already
    }
  };
  const stop = async (): Promise<void> => {
    if (running()) {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    }
    file?.end();
    cleanup();
  };
  const kill = (): void => {
    if (running()) signal("SIGKILL");
    cleanup();
  };
  return { pid, output: () => kept, stop, kill, running };
}

/** Polls `url` until it answers `accept`able, the process exits, or `timeoutMs` passes. */
async function waitUntilReady(url: string, group: Group, accept: (status: number) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!group.running()) throw new Error(`${url}: the process exited before it answered:\n${group.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (accept(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${group.output()}`);
}

/** Waits for `starting`; when it fails, stops it and fails. */
async function started<T extends Service>(starting: Starting<T>): Promise<T> {
  try {
    await starting.ready;
  } catch (error) {
    await starting.stop();
    throw error;
  }
  return starting;
}

export type WranglerOptions = {
  /** `--config`: another Worker's wrangler.toml (bench/floor, bench/pipeline) or a frozen copy. Default: the repository's. */
  config?: string;
  /** `--env`: an environment of the configuration (`bench`: the Worker without the per-key rate limit). */
  env?: string;
  /** A built Worker, served as it is (`wrangler dev <script> --no-bundle`): the load test's frozen bundle. */
  script?: string;
  /** `--env-file`: the secrets (`dev.env`, relative to the repository root, or a path). */
  envFile?: string;
  /** `--var NAME:value`, in this order. */
  vars?: Readonly<Record<string, string>>;
  /**
   * `--persist-to`: KV and cache state in `{ dir }` (kept after stop), or in a fresh temporary directory that `stop`
   * removes. Default: wrangler's own `.wrangler/state`.
   */
  persistTo?: { dir: string } | "temporary";
  /** Polled until it answers below 500 (or exactly `readyStatus`). */
  readyPath: string;
  readyStatus?: number;
  /** How long to wait for `readyPath` (default 90 s). */
  timeoutMs?: number;
  /** Also write everything wrangler prints to this file. */
  logFile?: string;
  /** How much of wrangler's output `output()` keeps (default the last 4,000 characters). */
  keepChars?: number;
};

/**
 * `wrangler dev` (the pinned one, offline) on free ports of 127.0.0.1, the V8 inspector on one of its own, in its own
 * process group. Returns at once, so that a caller whose own time runs out can still stop it; `ready` says when the
 * Worker answers. Most callers want `startWrangler`.
 */
export async function spawnWrangler(options: WranglerOptions): Promise<Starting<WranglerService>> {
  const { config, env, script, envFile, vars = {}, persistTo, readyPath, readyStatus } = options;
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const temporary = persistTo === "temporary" ? mkdtempSync(join(tmpdir(), "batch-edge-wrangler-")) : undefined;
  const stateDir = temporary ?? (persistTo === "temporary" ? undefined : persistTo?.dir);
  const args = [
    WRANGLER,
    "dev",
    ...(script === undefined ? [] : [script, "--no-bundle"]),
    ...(config === undefined ? [] : ["--config", config]),
    ...(env === undefined ? [] : ["--env", env]),
    ...(envFile === undefined ? [] : ["--env-file", envFile]),
    ...(stateDir === undefined ? [] : ["--persist-to", stateDir]),
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
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
  const group = startGroup(
    args,
    { ...process.env, ...WRANGLER_ENV },
    {
      logFile: options.logFile,
      keepChars: options.keepChars ?? 4000,
      ...(temporary === undefined ? {} : { cleanup: () => rmSync(temporary, { recursive: true, force: true }) }),
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const accept = readyStatus === undefined ? (status: number) => status < 500 : (status: number) => status === readyStatus;
  const { running: _running, ...service } = group;
  return {
    ...service,
    url,
    inspectorPort,
    ready: waitUntilReady(`${url}${readyPath}`, group, accept, options.timeoutMs ?? 90_000),
  };
}

/** `wrangler dev` as `spawnWrangler` starts it, once it answers; stopped again if it does not. */
export async function startWrangler(options: WranglerOptions): Promise<WranglerService> {
  return started(await spawnWrangler(options));
}

/**
 * A NetServer emulator in its own process on a free port (`EMULATOR_PORT`): `emulator/main.ts` (the dev emulator),
 * `emulator/bench-main.ts` (also the HTTP benchmark's 50- and 1000-task groups, bench/workload.ts `groupTasks`), or
 * `bench/loadtest/emulator.ts` (the load test's, with call counting and hostile answers). `url` is its Batch.svc.
 */
export async function startEmulator(
  entry: "emulator/main.ts" | "emulator/bench-main.ts" | "bench/loadtest/emulator.ts" = "emulator/main.ts",
): Promise<EmulatorService> {
  const port = await freePort();
  const group = startGroup(["--import", "tsx", entry], { ...process.env, EMULATOR_PORT: String(port) }, { keepChars: 4000 });
  const origin = `http://127.0.0.1:${port}`;
  const { running: _running, ...service } = group;
  return started({
    ...service,
    origin,
    url: `${origin}${EMULATOR_PATH}`,
    ready: waitUntilReady(`${origin}/__emulator/requests`, group, (status) => status < 500, 30_000),
  });
}

/**
 * `wrangler deploy --dry-run --outdir <outDir>`: the Worker bundled exactly as it would be deployed (no upload).
 * Returns the path of the bundle's `index.js`, and what wrangler printed.
 */
export async function buildWorker(outDir: string): Promise<{ script: string; report: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [WRANGLER, "deploy", "--dry-run", "--outdir", outDir],
      {
        cwd: ROOT,
        env: { ...process.env, ...WRANGLER_ENV },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { script: join(outDir, "index.js"), report: `${stdout}\n${stderr}` };
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`wrangler deploy --dry-run failed:\n${`${stdout}\n${stderr}`.slice(-4000)}`);
  }
}

/**
 * `wrangler dev --env bench` (wrangler.toml: the Worker without the per-key rate limit, which a benchmark driving one
 * key would hit) with dev.env, pointed at `upstreamUrl`, with its own KV state and a long freshness window. The
 * bench environment does not inherit `[vars]`; the Worker's defaults are the same values, and the freshness window
 * is passed here.
 */
export function startWorker(upstreamUrl: string, stateDir: string): Promise<WranglerService> {
  return startWrangler({
    env: "bench",
    envFile: "dev.env",
    persistTo: { dir: stateDir },
    vars: { SUPEROFFICE_BATCH_URL: upstreamUrl, CACHE_FRESH_SECONDS: "3600" },
    readyPath: "/healthz",
  });
}

/** The relay Worker of bench/floor under `wrangler dev`: the runtime's own cost of one subrequest. */
export function startFloorWorker(upstreamUrl: string): Promise<WranglerService> {
  return startWrangler({ config: "bench/floor/wrangler.toml", vars: { UPSTREAM_URL: upstreamUrl }, readyPath: "/" });
}

/** The constant-body Worker of bench/floor/constant under `wrangler dev`: the runtime's own cost of sending a body. */
export function startConstantWorker(): Promise<WranglerService> {
  return startWrangler({ config: "bench/floor/constant/wrangler.toml", readyPath: "/" });
}

/** One process under a started group: its pid, command line, resident memory, and CPU time used so far. */
export type ProcessMemory = { pid: number; name: "workerd" | "esbuild" | "node"; args: string; rssMb: number; cpuMs: number };

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = 100;

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after `(comm)`, which may itself contain spaces and parentheses. */
function statOf(pid: number): string[] | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function rssMbOf(pid: number): number | undefined {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readProc(`/proc/${pid}/status`) ?? "")?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

/** Every live descendant of `root` (and `root` itself), with its resident set size, read from Linux `/proc`. */
export function processTree(root: number): ProcessMemory[] {
  let pids: number[] = [];
  try {
    pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const pid of pids) {
    const stat = statOf(pid);
    if (stat === undefined) continue;
    stats.set(pid, stat);
    const parent = Number(stat[1]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: ProcessMemory[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const rssMb = rssMbOf(pid);
    if (rssMb !== undefined) {
      const args = (readProc(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ").trim();
      const name = args.includes("workerd") ? "workerd" : args.includes("esbuild") ? "esbuild" : "node";
      const stat = stats.get(pid) ?? [];
      const cpuMs = ((Number(stat[11] ?? 0) + Number(stat[12] ?? 0)) * 1000) / CLOCK_TICKS;
      found.push({ pid, name, args, rssMb, cpuMs });
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * Whether a workerd of `wrangler dev` is the one that runs the Worker. `wrangler dev` 4 runs two: a proxy on the
 * public port, which forwards each request (and the inspector), and the runtime, which runs the Worker beside
 * miniflare's entry and asset Workers and the KV simulator, and alone is started with `--inspector-addr`.
 */
export function runsTheWorker(process: ProcessMemory): boolean {
  return process.name === "workerd" && process.args.includes("--inspector-addr");
}

/** The workerd process that runs the Worker of a `wrangler dev` service (Linux `/proc`), or undefined. */
export function workerdOf(service: Pick<Service, "pid">): number | undefined {
  const workerds = processTree(service.pid).filter((process) => process.name === "workerd");
  return (workerds.find(runsTheWorker) ?? workerds[0])?.pid;
}

/** The thread ids of `pid` (Linux `/proc`; none elsewhere, or once it is gone). */
function threadsOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/**
 * CPU time a process has used so far, in ms, summed over its threads (`/proc/<pid>/task/<tid>/schedstat`, in ns):
 * unlike wall time, it does not grow while the process waits for a core that other processes hold. NaN once the
 * process is gone (`wrangler dev` replaced it on a reload), so a delta across a reload is never taken for a number.
 */
export function cpuMs(pid: number): number {
  if (threadsOf(pid).length === 0) return Number.NaN;
  const nanoseconds = threadsOf(pid).map((thread) =>
    Number((readProc(`/proc/${pid}/task/${thread}/schedstat`) ?? "0").split(" ")[0]),
  );
  return nanoseconds.reduce((sum, value) => sum + value, 0) / 1e6;
}
