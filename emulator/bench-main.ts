import { groupTasks, HTTP_SIZES } from "../bench/workload.js";
import { SEED_TASKS } from "./seed.js";
import { startEmulator } from "./server.js";

/**
 * The emulator as `npm run bench` runs it (bench/services.ts): the dev emulator's defaults, serving the seed tasks
 * plus one task group per HTTP benchmark size (bench/workload.ts `groupTasks`), so that a single Worker can be asked
 * for 50 or for 1000 tasks. Port from `EMULATOR_PORT`.
 */
const emulator = await startEmulator({
  port: Number(process.env.EMULATOR_PORT ?? "0"),
  applicationToken: "dev-app-token",
  tasks: [...SEED_TASKS, ...HTTP_SIZES.flatMap((count) => groupTasks(count))],
});
console.log(`bench emulator listening on ${emulator.url}`);
const stop = (): void => {
  emulator.close().catch(() => undefined);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
