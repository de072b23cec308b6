import { inject } from "vitest";

/** The Online-enabled NetServer emulator that test/global-setup.ts starts next to the plain one. */
export type OnlineEmulatorInfo = {
  /** `http://127.0.0.1:<port>`: Batch.svc under `/<contextId>/Remote/Services{85|88}/`, controls under `/__emulator/`. */
  origin: string;
  /** `<origin>/Login/`: what `SUPEROFFICE_LOGIN_URL` would be. */
  loginUrl: string;
  /** The partner application's client secret, the same for every tenant. */
  applicationToken: string;
  /** The partner application's RSA private key (PKCS#8 PEM), made for this test run. */
  partnerPrivateKeyPem: string;
  /** The tenants, each with the system user token it issued and the contract its `netserver_url` names. */
  tenants: { contextId: string; systemUserToken: string; servicesVersion: "85" | "88" }[];
};

declare module "vitest" {
  export interface ProvidedContext {
    onlineEmulator: OnlineEmulatorInfo;
    /** A second Online emulator, for the Worker's Online tests alone (test/online). */
    workerOnlineEmulator: OnlineEmulatorInfo;
    /** A third, for the Worker's multi-tenant tests alone (test/online/tenants.test.ts). */
    tenantsOnlineEmulator: OnlineEmulatorInfo;
  }
}

/** The running Online emulator's details, as global-setup provided them. */
export function onlineEmulator(): OnlineEmulatorInfo {
  return inject("onlineEmulator");
}
