import { createApp } from "./http/app.js";
import { batchTasksEntrypoint } from "./rpc.js";
import { BatchService } from "./service.js";

/** One service per isolate, shared by HTTP and RPC: one cache, one set of tenant upstreams, one coalescing map. */
const service = new BatchService();

export default createApp({ service });

/** Workers RPC over a service binding: `entrypoint = "BatchTasks"` (README, "Callers on Cloudflare"). */
export const BatchTasks = batchTasksEntrypoint(service);
