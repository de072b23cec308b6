import * as v from "valibot";
import { CONTRACTS, type Contract } from "../soap/namespaces.js";
import {
  BearerKeysSchema,
  EnvironmentSchema,
  KeyTextSchema,
  LoginUrlSchema,
  loginUrlOf,
  SecretTextSchema,
  ServicesVersionSchema,
} from "./settings.js";

/** How a tenant's upstream is reached with a fixed ticket: on-site installations and quick trials. */
export type StaticSource = {
  kind: "static";
  /** The full Batch.svc URL. */
  url: string;
  ticket: string;
  applicationToken: string | undefined;
};

/**
 * How a SuperOffice Online tenant is reached: a system user signs in with the partner application's RSA key, and
 * the ticket and the tenant's SOAP base come from the token SuperOffice returns. Key texts are imported at first use.
 */
export type OnlineSource = {
  kind: "online";
  contextId: string;
  systemUserToken: string;
  applicationToken: string;
  privateKey: string;
  certificate: string | undefined;
  loginUrl: string;
  /** How errors name the key settings: `SUPEROFFICE_PRIVATE_KEY`, or `TENANTS.Cust12345.privateKey`. */
  keySettings: { privateKey: string; certificate: string };
};

/**
 * One tenant as the upstream side needs it, built from settings the schemas below (and `config.ts`) validated:
 * its id (`default`, or the context identifier), its contract, its source of credentials, and the API keys that
 * may use it (`null`: any key of `API_KEYS`).
 */
export type Tenant = {
  id: string;
  contract: Contract;
  source: StaticSource | OnlineSource;
  apiKeys: readonly string[] | null;
};

/** One entry of the `TENANTS` document, keyed by its context identifier. */
export const TenantEntrySchema = v.strictObject(
  {
    environment: EnvironmentSchema,
    systemUserToken: SecretTextSchema,
    privateKey: KeyTextSchema,
    applicationToken: SecretTextSchema,
    servicesVersion: v.optional(ServicesVersionSchema, "85"),
    loginUrl: v.optional(LoginUrlSchema),
    certificate: v.optional(KeyTextSchema),
    apiKeys: v.optional(v.pipe(v.array(v.string("must be a key"), "must be a list of keys"), BearerKeysSchema)),
  },
  (issue) => (issue.expected === "never" ? "is not a known field" : "is missing"),
);
export type TenantEntry = v.InferOutput<typeof TenantEntrySchema>;

/** Builds the tenant of one `TENANTS` entry. */
export function tenantOfEntry(contextId: string, entry: TenantEntry): Tenant {
  return {
    id: contextId,
    contract: CONTRACTS[entry.servicesVersion],
    source: {
      kind: "online",
      contextId,
      systemUserToken: entry.systemUserToken,
      applicationToken: entry.applicationToken,
      privateKey: entry.privateKey,
      certificate: entry.certificate,
      loginUrl: entry.loginUrl ?? loginUrlOf(entry.environment),
      keySettings: { privateKey: `TENANTS.${contextId}.privateKey`, certificate: `TENANTS.${contextId}.certificate` },
    },
    apiKeys: entry.apiKeys ?? null,
  };
}
