import { generateKeyPairSync } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startEmulator } from "../emulator/server.js";
import type { OnlineEmulatorInfo } from "./upstream/online/online-emulator.js";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
    onlineEmulator: OnlineEmulatorInfo;
  }
}

/**
 * Starts two NetServer emulators on free ports of 127.0.0.1, in Node, outside workerd: the plain one of the
 * end-to-end tests (`emulatorUrl`), and one with SuperOffice Online sign-in for two tenants (`onlineEmulator`),
 * trusting a partner key pair made for this run. They are separate so that tests moving the Online emulator's
 * clock or revoking its tickets cannot disturb the end-to-end tests.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const partner = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const partnerPublicKeyPem = partner.publicKey.export({ type: "spki", format: "pem" }).toString();
  const applicationToken = "online-test-app-token";
  const tenants: OnlineEmulatorInfo["tenants"] = [
    { contextId: "Cust12345", systemUserToken: "Batch Edge Tests-pzqc70604i", servicesVersion: "88" },
    { contextId: "Cust67890", systemUserToken: "Batch Edge Tests-k3x9q2m1a7", servicesVersion: "85" },
  ];
  const [emulator, online] = await Promise.all([
    startEmulator({ host: "127.0.0.1", port: 0, ticket: "7T:e2e-ticket", applicationToken: "e2e-app-token" }),
    startEmulator({
      host: "127.0.0.1",
      port: 0,
      ticket: "7T:online-static-ticket",
      online: tenants.map((tenant) => ({ ...tenant, applicationToken, partnerPublicKeyPem })),
    }),
  ]);
  project.provide("emulatorUrl", emulator.url);
  project.provide("onlineEmulator", {
    origin: online.origin,
    loginUrl: online.loginUrl,
    applicationToken,
    partnerPrivateKeyPem: partner.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    tenants,
  });
  return async () => {
    await Promise.all([emulator.close(), online.close()]);
  };
}
