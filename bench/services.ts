import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root, where `wrangler.toml`, `dev.env` and `node_modules` are. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

export const API_KEY = "dev-key";
export const EMULATOR_PATH = "/SuperOffice/Remote/Services85/Batch.svc";

/** A process this benchmark started, in its own process group, and how to end exactly that group. */
export type Service = { url: string; stop: () => Promise<void> };

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

/** The NetServer emulator (`emulator/main.ts`) on a free port. */
export async function startEmulator(): Promise<Service> {
  const port = await freePort();
  const { child, output } = start(["--import", "tsx", "emulator/main.ts"], { ...process.env, EMULATOR_PORT: String(port) });
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`${origin}/__emulator/requests`, child, output, 30_000);
  return { url: `${origin}${EMULATOR_PATH}`, stop: () => stopGroup(child) };
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
  return { url: origin, stop: () => stopGroup(child) };
}

/** `wrangler dev` with dev.env, pointed at `upstreamUrl`, with its own KV state and a long freshness window. */
export function startWorker(upstreamUrl: string, stateDir: string): Promise<Service> {
  return startWrangler(
    [
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
