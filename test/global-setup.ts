import { generateKeyPairSync } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startEmulator } from "../emulator/server.js";
import type { OnlineEmulatorInfo } from "./upstream/online/online-emulator.js";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
    onlineEmulator: OnlineEmulatorInfo;
    workerOnlineEmulator: OnlineEmulatorInfo;
    tenantsOnlineEmulator: OnlineEmulatorInfo;
  }
}

/**
 * Starts NetServer emulators on free ports of 127.0.0.1, in Node, outside workerd: the plain one of the end-to-end
 * tests (`emulatorUrl`), and three with SuperOffice Online sign-in for two tenants, trusting a partner key pair made
 * for this run: one each for the sign-in tests (`onlineEmulator`), the Worker's Online tests (`workerOnlineEmulator`)
 * and its multi-tenant tests (`tenantsOnlineEmulator`). Test files run at the same time: each counts the calls, moves
 * the clock and revokes the tickets of its own emulator only.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const partner = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const partnerPublicKeyPem = partner.publicKey.export({ type: "spki", format: "pem" }).toString();
  const applicationToken = "online-test-app-token";
  const tenants: OnlineEmulatorInfo["tenants"] = [
    { contextId: "Cust12345", systemUserToken: "Batch Edge Tests-pzqc70604i", servicesVersion: "88" },
    { contextId: "Cust67890", systemUserToken: "Batch Edge Tests-k3x9q2m1a7", servicesVersion: "85" },
  ];
  const startOnline = () =>
    startEmulator({
      host: "127.0.0.1",
      port: 0,
      ticket: "7T:online-static-ticket",
      online: tenants.map((tenant) => ({ ...tenant, applicationToken, partnerPublicKeyPem })),
    });
  const [emulator, online, workerOnline, tenantsOnline] = await Promise.all([
    startEmulator({ host: "127.0.0.1", port: 0, ticket: "7T:e2e-ticket", applicationToken: "e2e-app-token" }),
    startOnline(),
    startOnline(),
    startOnline(),
  ]);
  const partnerPrivateKeyPem = partner.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  project.provide("emulatorUrl", emulator.url);
  for (const [name, running] of [
    ["onlineEmulator", online],
    ["workerOnlineEmulator", workerOnline],
    ["tenantsOnlineEmulator", tenantsOnline],
  ] as const) {
    project.provide(name, {
      origin: running.origin,
      loginUrl: running.loginUrl,
      applicationToken,
      partnerPrivateKeyPem,
      tenants,
    });
  }
  return async () => {
    await Promise.all([emulator.close(), online.close(), workerOnline.close(), tenantsOnline.close()]);
  };
}
