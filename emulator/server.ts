import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { createNetServerEmulator, DEFAULT_ENDPOINT_PATH, loginPathOf } from "./netserver.js";
import type { OnlineOptions } from "./online.js";
import type { SeedTask } from "./seed.js";

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number | undefined;
  /** Interface to bind; defaults to 127.0.0.1. */
  readonly host?: string | undefined;
  /** The only accepted ticket; defaults to {@link DEFAULT_TICKET}. */
  readonly ticket?: string | undefined;
  /** Required application token; undefined = not checked. */
  readonly applicationToken?: string | undefined;
  /** Tasks to serve; defaults to the seed. */
  readonly tasks?: readonly SeedTask[] | undefined;
  /** SuperOffice Online system user sign-in for one tenant or several; absent = none (an on-site installation). */
  readonly online?: OnlineOptions | readonly OnlineOptions[] | undefined;
  /** Path of the login service; `/Login/` by default. */
  readonly loginPath?: string | undefined;
  /** The emulator's own JWT-signing RSA private key (PEM); made at start-up when absent and `online` is set. */
  readonly superOfficeKeyPem?: string | undefined;
}

/** A listening emulator. */
export interface RunningEmulator {
  /** Full Batch.svc endpoint URL, e.g. `http://127.0.0.1:8790/SuperOffice/Remote/Services85/Batch.svc`. */
  readonly url: string;
  /** Origin of the server (for `/__emulator/...`), e.g. `http://127.0.0.1:8790`. */
  readonly origin: string;
  /** The login URL a Worker signs in at (`SUPEROFFICE_LOGIN_URL`), e.g. `http://127.0.0.1:8790/Login/`. */
  readonly loginUrl: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Ticket accepted by default. */
export const DEFAULT_TICKET = "7T:dev-ticket";

function originOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function closer(server: ServerType): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      if ("closeAllConnections" in server) server.closeAllConnections();
    });
}

/** Starts the NetServer emulator with @hono/node-server and resolves once it is listening. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const loginPath = loginPathOf(options.loginPath);
  const app = await createNetServerEmulator({
    ticket: options.ticket ?? DEFAULT_TICKET,
    applicationToken: options.applicationToken,
    tasks: options.tasks,
    online: options.online,
    loginPath,
    superOfficeKeyPem: options.superOfficeKeyPem,
  });
  return new Promise((resolve, reject) => {
    const onListening = (info: AddressInfo): void => {
      server.off("error", reject);
      const origin = originOf(host, info.port);
      resolve({
        url: `${origin}${DEFAULT_ENDPOINT_PATH}`,
        origin,
        loginUrl: `${origin}${loginPath}`,
        port: info.port,
        close: closer(server),
      });
    };
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, onListening);
    server.once("error", reject);
  });
}
