import { type ProcessMemory, processTree, runsTheWorker } from "../services.js";
import type { Inspector } from "./inspector.js";

/** The processes of `wrangler dev` by role, as told apart by their command lines. */
export type Role = "worker-workerd" | "proxy-workerd" | "wrangler-node" | "launcher-node" | "esbuild";

export const ROLE_NAMES: Record<Role, string> = {
  "worker-workerd": "workerd running the Worker",
  "proxy-workerd": "workerd of wrangler's proxy and inspector proxy",
  "wrangler-node": "wrangler (node, wrangler-dist/cli.js)",
  "launcher-node": "wrangler launcher (node, bin/wrangler.js)",
  esbuild: "esbuild (bundler service)",
};

/**
 * Which process is which: wrangler dev 4 runs the Worker in one workerd (`runsTheWorker`) and its own proxy Worker and
 * inspector proxy in another (listening on the `--port` callers use).
 */
export function roleOf(process: ProcessMemory): Role {
  if (process.name === "workerd") return runsTheWorker(process) ? "worker-workerd" : "proxy-workerd";
  if (process.name === "esbuild") return "esbuild";
  return process.args.includes("wrangler-dist/cli.js") ? "wrangler-node" : "launcher-node";
}

/** Resident memory per role (MB; several esbuild services are added up). */
export type RssByRole = Partial<Record<Role, number>>;

function sumByRole(root: number, pick: (process: ProcessMemory) => number): RssByRole {
  const result: RssByRole = {};
  for (const process of processTree(root)) {
    const role = roleOf(process);
    result[role] = (result[role] ?? 0) + pick(process);
  }
  return result;
}

export function rssByRole(root: number): RssByRole {
  return sumByRole(root, (process) => process.rssMb);
}

/** CPU time used so far per role (ms, user + system), to tell what a phase cost each process. */
export function cpuByRole(root: number): RssByRole {
  return sumByRole(root, (process) => process.cpuMs);
}

/** Samples RSS per role every `everyMs` until stopped, keeping the peak of each. */
export function rssSampler(root: number, everyMs = 100): { stop: () => RssByRole } {
  const peak: RssByRole = {};
  const take = (): void => {
    for (const [role, mb] of Object.entries(rssByRole(root)) as [Role, number][]) peak[role] = Math.max(peak[role] ?? 0, mb);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/** A heap snapshot boiled down: totals, bytes per V8 node type, and the constructors or names holding the most. */
export type HeapSummary = {
  snapshotBytes: number;
  nodes: number;
  selfBytes: number;
  byType: Record<string, number>;
  /** Top names (constructor, or string / code kind) by retained self size: bytes and count. */
  top: { name: string; bytes: number; count: number }[];
  /** `Runtime.getHeapUsage` right after the snapshot (which collects garbage first). */
  usedBytesAfterGc: number;
  totalBytesAfterGc: number;
  ms: number;
};

type Snapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
};

/** Totals of a parsed heap snapshot (the V8 format: a flat `nodes` array, `node_fields` wide). Pure. */
export function summarizeSnapshot(
  snapshot: Snapshot,
  topCount = 12,
): Pick<HeapSummary, "nodes" | "selfBytes" | "byType" | "top"> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const byType: Record<string, number> = {};
  const byName = new Map<string, { bytes: number; count: number }>();
  let selfBytes = 0;
  for (let at = 0; at < snapshot.nodes.length; at += width) {
    const type = types[snapshot.nodes[at + typeAt] ?? 0] ?? "?";
    const size = snapshot.nodes[at + sizeAt] ?? 0;
    selfBytes += size;
    byType[type] = (byType[type] ?? 0) + size;
    const rawName =
      type === "object" || type === "closure" || type === "native"
        ? (snapshot.strings[snapshot.nodes[at + nameAt] ?? 0] ?? "?")
        : `(${type})`;
    const name = rawName.slice(0, 60);
    const entry = byName.get(name) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count += 1;
    byName.set(name, entry);
  }
  const top = [...byName.entries()]
    .map(([name, entry]) => ({ name, ...entry }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, topCount);
  return { nodes: snapshot.nodes.length / width, selfBytes, byType, top };
}

/** Takes a heap snapshot of the Worker's isolate (V8 collects garbage first), and the heap usage right after. */
export async function heapSnapshot(inspector: Inspector): Promise<HeapSummary> {
  const start = performance.now();
  const chunks: string[] = [];
  const stop = inspector.on("HeapProfiler.addHeapSnapshotChunk", (params) => {
    chunks.push(String(params.chunk));
  });
  try {
    await inspector.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  } finally {
    stop();
  }
  const text = chunks.join("");
  const usage = await inspector.send("Runtime.getHeapUsage");
  return {
    snapshotBytes: text.length,
    ...summarizeSnapshot(JSON.parse(text) as Snapshot),
    usedBytesAfterGc: Number(usage.usedSize),
    totalBytesAfterGc: Number(usage.totalSize),
    ms: performance.now() - start,
  };
}
