import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig } from "vitest/config";

/** Tests that run in Node, not in workerd: real browsers and processes (wrangler dev, the emulator). */
const NODE_TESTS = ["test/browser/**/*.test.ts", "test/node/**/*.test.ts"];

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          SUPEROFFICE_BATCH_URL: "https://tenant.example/Cust1/Remote/Services85/Batch.svc",
          SUPEROFFICE_TICKET: "7T:test-ticket",
          SUPEROFFICE_APP_TOKEN: "test-app-token",
          API_KEYS: "test-key,second-key",
          // Tests decide when KV answers (test/cache/hedge.test.ts); a timer must not race them elsewhere.
          KV_HEDGE_MS: "60000",
          EMULATOR_URL: inject("emulatorUrl"),
        },
        // A second Worker that calls this one's `BatchTasks` RPC entrypoint over a service binding, as a consumer
        // Worker would (test/rpc). The pool names this project's Worker after the project.
        serviceBindings: { RPC_CONSUMER: "rpc-consumer" },
        workers: [
          {
            name: "rpc-consumer",
            modules: true,
            scriptPath: "./test/rpc/consumer.mjs",
            compatibilityDate: "2026-04-26",
            serviceBindings: { BATCH: { name: "vitest-pool-workers-runner-workers", entrypoint: "BatchTasks" } },
          },
        ],
      },
    })),
  ],
  test: {
    name: "workers",
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup.ts"],
    exclude: [...configDefaults.exclude, ...NODE_TESTS],
    projects: [
      // This file's own project, unchanged: the Worker's tests in workerd (unnamed, as before).
      "./vitest.config.ts",
      { test: { name: "node", include: NODE_TESTS, environment: "node", pool: "forks" } },
    ],
  },
});
