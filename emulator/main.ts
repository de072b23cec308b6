import { DEFAULT_TICKET, startEmulator } from "./server.js";

function portFrom(value: string | undefined): number {
  const port = Number(value ?? "8790");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`EMULATOR_PORT must be a TCP port, got "${value ?? ""}"`);
  return port;
}

async function main(): Promise<void> {
  const { env } = process;
  const emulator = await startEmulator({
    port: portFrom(env.EMULATOR_PORT),
    host: env.EMULATOR_HOST ?? "127.0.0.1",
    ticket: env.EMULATOR_TICKET ?? DEFAULT_TICKET,
    applicationToken: env.EMULATOR_APP_TOKEN === "" ? undefined : (env.EMULATOR_APP_TOKEN ?? "dev-app-token"),
  });
  console.log(`NetServer emulator listening on ${emulator.url}`);
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
