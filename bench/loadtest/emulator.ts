import type { AddressInfo } from "node:net";
import { type HttpBindings, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { createNetServerEmulator } from "../../emulator/netserver.js";
import { DEFAULT_TICKET } from "../../emulator/server.js";
import { syntheticTasks } from "../workload.js";

/**
 * The NetServer emulator as the load test runs it, in its own process (so that making 20 MB answers and gzip bombs
 * does not slow the load generator): the real emulator (`createNetServerEmulator`, with dev.env's ticket and
 * application token), plus what only a load test needs, under `/__loadtest/`:
 *
 * - `GET /__loadtest/upstream`: `{ calls, inFlight, maxInFlight, repeated }`, Batch.svc calls counted from the
 *   request's arrival to the end (or abort) of the answer, so `maxInFlight` is how many calls the Worker had open at
 *   once; `repeated` counts calls whose SOAP body (ticket, associates, state) had already come since the last reset:
 *   with a fresh question per request, a repeat is a retry by someone between the caller and here.
 * - `POST /__loadtest/upstream/reset`: starts a new `maxInFlight` (from the calls open now) and `repeated`.
 * - `PUT /__loadtest/tasks` `{"count": n}`: from now on, Batch.svc answers from `n` synthetic tasks cycling over the
 *   seed (bench/workload.ts), e.g. an answer just under 8 MiB; `{"count": null}` returns to the seed. Each is its
 *   own emulator with its own `/__emulator/behaviour`; every other path goes to the one in use.
 *
 * `EMULATOR_PORT` (0: any free port), as bench/services.ts `startEmulator` passes it; prints `listening <origin>` once
 * ready.
 */
const stats = { calls: 0, inFlight: 0, maxInFlight: 0, repeated: 0 };
let seen = new Set<string>();

const options = { ticket: DEFAULT_TICKET, applicationToken: "dev-app-token" } as const;
const seed = await createNetServerEmulator(options);
const bySize = new Map<number, Hono>();
let active: Hono = seed;

async function useTasks(count: unknown): Promise<Response> {
  if (count === null) active = seed;
  else if (typeof count === "number" && Number.isInteger(count) && count > 0 && count <= 200_000) {
    const known = bySize.get(count) ?? (await createNetServerEmulator({ ...options, tasks: syntheticTasks(count) }));
    bySize.set(count, known);
    active = known;
  } else return Response.json({ error: "count must be null or a whole number from 1 to 200000" }, { status: 400 });
  return Response.json({ count });
}

async function counted(request: Request, bindings: HttpBindings): Promise<Response> {
  const body = await request.clone().text();
  if (seen.has(body)) stats.repeated += 1;
  else seen.add(body);
  stats.calls += 1;
  stats.inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  let open = true;
  bindings.outgoing.once("close", () => {
    if (!open) return;
    open = false;
    stats.inFlight -= 1;
  });
  return active.fetch(request);
}

async function handle(request: Request, bindings: HttpBindings): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/__loadtest/upstream" && request.method === "GET") return Response.json(stats);
  if (pathname === "/__loadtest/upstream/reset" && request.method === "POST") {
    stats.maxInFlight = stats.inFlight;
    stats.repeated = 0;
    seen = new Set();
    return Response.json(stats);
  }
  if (pathname === "/__loadtest/tasks" && request.method === "PUT") {
    const body = (await request.json().catch(() => undefined)) as { count?: unknown } | undefined;
    return useTasks(body?.count);
  }
  if (request.method === "POST" && /\/Batch\.svc$/i.test(pathname)) return counted(request, bindings);
  return active.fetch(request);
}

const server = serve(
  {
    fetch: (request, bindings) => handle(request, bindings as HttpBindings),
    port: Number(process.env.EMULATOR_PORT ?? "0"),
    hostname: "127.0.0.1",
  },
  (info: AddressInfo) => console.log(`listening http://127.0.0.1:${info.port}`),
);

const stop = (): void => {
  server.close();
  if ("closeAllConnections" in server) server.closeAllConnections();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
