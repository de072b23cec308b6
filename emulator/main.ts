import { readFileSync } from "node:fs";
import type { ServicesVersion } from "../src/soap/namespaces.js";
import type { OnlineOptions } from "./online.js";
import { DEFAULT_TICKET, startEmulator } from "./server.js";

function portFrom(value: string | undefined): number {
  const port = Number(value ?? "8790");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`EMULATOR_PORT must be a TCP port, got "${value ?? ""}"`);
  return port;
}

/** A PEM from a file (`<name>_FILE`) or from the variable itself, `\n` written literally or not. */
function pemFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== "") return readFileSync(file, "utf8");
  const inline = env[name];
  return inline === undefined || inline === "" ? undefined : inline.replaceAll("\\n", "\n");
}

function servicesVersionFrom(value: string | undefined): ServicesVersion {
  if (value === undefined || value === "" || value === "88") return "88";
  if (value === "85") return "85";
  throw new Error(`EMULATOR_ONLINE_SERVICES_VERSION must be 85 or 88, got "${value}"`);
}

/**
 * SuperOffice Online sign-in, enabled by `EMULATOR_ONLINE_CONTEXT_ID`: the partner's public key from
 * `EMULATOR_PARTNER_PUBLIC_KEY_FILE` (or `EMULATOR_PARTNER_PUBLIC_KEY`), the client secret from
 * `EMULATOR_ONLINE_APP_TOKEN` (default: the Batch.svc application token), and optionally the system user token
 * (`EMULATOR_ONLINE_SYSTEM_USER_TOKEN`) and the contract of `netserver_url` (`EMULATOR_ONLINE_SERVICES_VERSION`).
 */
function onlineFrom(env: NodeJS.ProcessEnv, applicationToken: string | undefined): OnlineOptions | undefined {
  const contextId = env.EMULATOR_ONLINE_CONTEXT_ID;
  if (contextId === undefined || contextId === "") return undefined;
  const partnerPublicKeyPem = pemFrom(env, "EMULATOR_PARTNER_PUBLIC_KEY");
  if (partnerPublicKeyPem === undefined) {
    throw new Error("EMULATOR_ONLINE_CONTEXT_ID needs EMULATOR_PARTNER_PUBLIC_KEY_FILE (or EMULATOR_PARTNER_PUBLIC_KEY)");
  }
  const onlineAppToken = env.EMULATOR_ONLINE_APP_TOKEN || applicationToken;
  if (onlineAppToken === undefined)
    throw new Error("EMULATOR_ONLINE_CONTEXT_ID needs EMULATOR_ONLINE_APP_TOKEN or EMULATOR_APP_TOKEN");
  return {
    contextId,
    applicationToken: onlineAppToken,
    partnerPublicKeyPem,
    systemUserToken: env.EMULATOR_ONLINE_SYSTEM_USER_TOKEN || undefined,
    servicesVersion: servicesVersionFrom(env.EMULATOR_ONLINE_SERVICES_VERSION),
  };
}

async function main(): Promise<void> {
  const { env } = process;
  const applicationToken = env.EMULATOR_APP_TOKEN === "" ? undefined : (env.EMULATOR_APP_TOKEN ?? "dev-app-token");
  const online = onlineFrom(env, applicationToken);
  const emulator = await startEmulator({
    port: portFrom(env.EMULATOR_PORT),
    host: env.EMULATOR_HOST ?? "127.0.0.1",
    ticket: env.EMULATOR_TICKET ?? DEFAULT_TICKET,
    applicationToken,
    online,
    loginPath: env.EMULATOR_LOGIN_PATH || undefined,
    superOfficeKeyPem: pemFrom(env, "EMULATOR_SUPEROFFICE_KEY"),
  });
  console.log(`NetServer emulator listening on ${emulator.url}`);
  if (online !== undefined) {
    console.log(
      `SuperOffice Online sign-in for ${online.contextId} at ${emulator.loginUrl} (certificate: ${emulator.origin}/__emulator/certificate)`,
    );
  }
  const stop = (): void => {
    emulator.close().catch((error: unknown) => {
      console.error("NetServer emulator failed to close:", error);
      process.exitCode = 1;
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error("NetServer emulator failed to start:", error);
  process.exitCode = 1;
});
