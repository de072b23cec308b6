import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

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
          EMULATOR_URL: inject("emulatorUrl"),
        },
      },
    })),
  ],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup.ts"],
  },
});
