import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT } from "../../bench/services.js";

/** A process group this test started, its URL, and how to end exactly that group. */
export type Service = { url: string; stop: () => Promise<void> };

/** Ends the child's process group (wrangler starts workerd beneath it): TERM, then KILL after 5 s. */
function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const kill = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

/** Polls `url` until it answers below 500, the child exits, or `timeoutMs` passes. */
async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited early:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${output()}`);
}

export type WorkerOptions = {
  /** The emulator's Batch.svc URL, for `SUPEROFFICE_BATCH_URL`. */
  upstreamUrl: string;
  /** `CACHE_FRESH_SECONDS`: short, so that the page sees a change soon. */
  freshSeconds: number;
  /** How long to wait for `/healthz`. */
  timeoutMs: number;
};

/** A `wrangler dev` being started: stoppable at once, usable once `ready` resolves (it rejects when it fails). */
export type StartingService = Service & { ready: Promise<void> };

/**
 * Starts `wrangler dev` (the pinned one, offline) with dev.env's keys, pointed at the emulator, with its own KV state
 * in a temporary directory that is removed when it stops. Static assets come from public/ as wrangler.toml says.
 * The handle comes back before the Worker is ready, so that a caller whose own time runs out can still stop it.
 */
export async function startWorker({ upstreamUrl, freshSeconds, timeoutMs }: WorkerOptions): Promise<StartingService> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const stateDir = mkdtempSync(join(tmpdir(), "batch-edge-browser-"));
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--env-file",
    "dev.env",
    "--persist-to",
    stateDir,
    "--var",
    `SUPEROFFICE_BATCH_URL:${upstreamUrl}`,
    "--var",
    `CACHE_FRESH_SECONDS:${freshSeconds}`,
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
  // Offline: no metrics, and no fetch of the `Request.cf` sample from workers.cloudflare.com.
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1" };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = async (): Promise<void> => {
    await stopGroup(child);
    rmSync(stateDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  return { url, stop, ready: waitFor(`${url}/healthz`, child, () => log, timeoutMs) };
}
