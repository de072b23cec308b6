import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root, where `wrangler.toml`, `dev.env` and `node_modules` are. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

export const API_KEY = "dev-key";
export const EMULATOR_PATH = "/SuperOffice/Remote/Services85/Batch.svc";

/**
 * A process this benchmark started, in its own process group, and how to end exactly that group. `pid` is the
 * group leader's (for `wrangler dev`, the Node process that runs workerd as its child).
 */
export type Service = { url: string; pid: number | undefined; stop: () => Promise<void> };

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

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once("exit", () => resolve());
    process.kill(-child.pid, "SIGTERM");
    setTimeout(() => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, 5000).unref();
  });
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited early:\n${output()}`);
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

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => log };
}

/**
 * The NetServer emulator on a free port: `emulator/main.ts` (the dev emulator), or `emulator/bench-main.ts`, which
 * also serves the HTTP benchmark's 50- and 1000-task groups (bench/workload.ts `groupTasks`).
 */
export async function startEmulator(entry: "emulator/main.ts" | "emulator/bench-main.ts" = "emulator/main.ts"): Promise<Service> {
  const port = await freePort();
  const { child, output } = start(["--import", "tsx", entry], { ...process.env, EMULATOR_PORT: String(port) });
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`${origin}/__emulator/requests`, child, output, 30_000);
  return { url: `${origin}${EMULATOR_PATH}`, pid: child.pid, stop: () => stopGroup(child) };
}

async function startWrangler(options: string[], readyPath: string): Promise<Service> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    ...options,
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
  const { child, output } = start(args, { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" });
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`${origin}${readyPath}`, child, output, 90_000);
  return { url: origin, pid: child.pid, stop: () => stopGroup(child) };
}

/**
 * `wrangler dev --env bench` (wrangler.toml: the Worker without the per-key rate limit, which a benchmark driving one
 * key would hit) with dev.env, pointed at `upstreamUrl`, with its own KV state and a long freshness window. The
 * bench environment does not inherit `[vars]`; the Worker's defaults are the same values, and the freshness window
 * is passed here.
 */
export function startWorker(upstreamUrl: string, stateDir: string): Promise<Service> {
  return startWrangler(
    [
      "--env",
      "bench",
      "--env-file",
      "dev.env",
      "--persist-to",
      stateDir,
      "--var",
      `SUPEROFFICE_BATCH_URL:${upstreamUrl}`,
      "--var",
      "CACHE_FRESH_SECONDS:3600",
    ],
    "/healthz",
  );
}

/** The relay Worker of bench/floor under `wrangler dev`: the runtime's own cost of one subrequest. */
export function startFloorWorker(upstreamUrl: string): Promise<Service> {
  return startWrangler(["--config", "bench/floor/wrangler.toml", "--var", `UPSTREAM_URL:${upstreamUrl}`], "/");
}

/** The constant-body Worker of bench/floor/constant under `wrangler dev`: the runtime's own cost of sending a body. */
export function startConstantWorker(): Promise<Service> {
  return startWrangler(["--config", "bench/floor/constant/wrangler.toml"], "/");
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
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
 * The workerd process that runs the Worker of a `wrangler dev` service (found in Linux `/proc`), or undefined.
 * `wrangler dev` runs two: a proxy on the public port, which forwards each request (and the inspector), and the
 * runtime, which runs the Worker itself beside miniflare's entry and asset Workers and the KV simulator; this is the
 * latter, the one whose command line does not bind the service's own port.
 */
export function workerdOf(service: Service): number | undefined {
  const publicSocket = `entry=127.0.0.1:${new URL(service.url).port}`;
  const workerds: { pid: number; proxy: boolean }[] = [];
  const queue = service.pid === undefined ? [] : [service.pid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (readProc(`/proc/${pid}/comm`)?.trim() === "workerd")
      workerds.push({ pid, proxy: (readProc(`/proc/${pid}/cmdline`) ?? "").includes(publicSocket) });
    for (const thread of threadsOf(pid))
      queue.push(...(readProc(`/proc/${pid}/task/${thread}/children`) ?? "").split(" ").filter(Boolean).map(Number));
  }
  return (workerds.find((workerd) => !workerd.proxy) ?? workerds[0])?.pid;
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
