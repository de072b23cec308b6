import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { certificatePem, createIdentity } from "./online.js";

/**
 * Makes, once, what `npm run dev` needs to run SuperOffice Online sign-in locally against the emulator, in a
 * directory git ignores (`.dev-online/`, or `DEV_ONLINE_DIR`):
 *
 * - `partner-private.pem` / `partner-public.pem`: the partner application's RSA key pair (the Worker signs with the
 *   private key, the emulator verifies with the public one);
 * - `superoffice-private.pem`: the emulator's own JWT-signing key, so its certificate stays valid across restarts;
 * - `worker.env`: the Worker's settings for Online mode (`wrangler dev --env-file .dev-online/worker.env`);
 * - `emulator.env`: the emulator's (`tsx --env-file=.dev-online/emulator.env emulator/main.ts`).
 *
 * Run again, it keeps what exists; `--force` makes everything anew. Local-only values: no real system trusts them.
 */

const DIRECTORY = resolve(process.env.DEV_ONLINE_DIR ?? ".dev-online");
const PORT = process.env.EMULATOR_PORT ?? "8790";
const CONTEXT_ID = "Cust12345";
const APP_TOKEN = "dev-app-token";

const FILES = {
  partnerPrivate: join(DIRECTORY, "partner-private.pem"),
  partnerPublic: join(DIRECTORY, "partner-public.pem"),
  superOfficeKey: join(DIRECTORY, "superoffice-private.pem"),
  worker: join(DIRECTORY, "worker.env"),
  emulator: join(DIRECTORY, "emulator.env"),
};

/** `NAME=value`, newlines written as `\n` (two characters), as a one-line .env value. */
function envLine(name: string, value: string): string {
  return `${name}=${value.trim().replaceAll("\r\n", "\n").replaceAll("\n", "\\n")}`;
}

function envFile(comment: string, values: Record<string, string>): string {
  return `# ${comment}\n${Object.entries(values)
    .map(([name, value]) => envLine(name, value))
    .join("\n")}\n`;
}

async function generate(): Promise<void> {
  mkdirSync(DIRECTORY, { recursive: true });
  writeFileSync(join(DIRECTORY, ".gitignore"), "# Generated local keys and settings: never commit.\n*\n");
  const partner = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const partnerPrivate = partner.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const superOfficeKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  const systemUserToken = `BatchEdgeDev-${randomBytes(8).toString("hex")}`;
  writeFileSync(FILES.partnerPrivate, partnerPrivate, { mode: 0o600 });
  writeFileSync(FILES.partnerPublic, partner.publicKey.export({ type: "spki", format: "pem" }).toString());
  writeFileSync(FILES.superOfficeKey, superOfficeKey, { mode: 0o600 });
  const identity = await createIdentity(superOfficeKey, Date.now());
  const worker = envFile("SuperOffice Online mode against the local emulator (made by emulator/dev-online-keys.ts).", {
    SUPEROFFICE_CONTEXT_ID: CONTEXT_ID,
    SUPEROFFICE_ENVIRONMENT: "sod",
    SUPEROFFICE_LOGIN_URL: `http://127.0.0.1:${PORT}/Login/`,
    SUPEROFFICE_SYSTEM_USER_TOKEN: systemUserToken,
    SUPEROFFICE_APP_TOKEN: APP_TOKEN,
    SUPEROFFICE_PRIVATE_KEY: partnerPrivate,
    SUPEROFFICE_CERTIFICATE: certificatePem(identity),
    TICKET_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    API_KEYS: "dev-key",
    ADMIN_KEYS: "dev-admin-key",
  });
  writeFileSync(FILES.worker, worker, { mode: 0o600 });
  const emulator = envFile("The emulator with SuperOffice Online sign-in (made by emulator/dev-online-keys.ts).", {
    EMULATOR_PORT: PORT,
    EMULATOR_APP_TOKEN: APP_TOKEN,
    EMULATOR_ONLINE_CONTEXT_ID: CONTEXT_ID,
    EMULATOR_ONLINE_SYSTEM_USER_TOKEN: systemUserToken,
    EMULATOR_ONLINE_SERVICES_VERSION: "88",
    EMULATOR_PARTNER_PUBLIC_KEY_FILE: FILES.partnerPublic,
    EMULATOR_SUPEROFFICE_KEY_FILE: FILES.superOfficeKey,
  });
  writeFileSync(FILES.emulator, emulator);
}

async function main(): Promise<void> {
  const complete = Object.values(FILES).every((file) => existsSync(file));
  if (complete && !process.argv.includes("--force")) {
    console.log(`Keeping the Online dev keys and settings in ${DIRECTORY} (--force makes new ones).`);
  } else {
    await generate();
    console.log(`Made the Online dev keys and settings in ${DIRECTORY}.`);
  }
  const names = readFileSync(FILES.worker, "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.slice(0, line.indexOf("=")));
  console.log(`  Worker settings (${FILES.worker}): ${names.join(", ")}`);
  console.log(`  Emulator:  npx tsx --env-file=${FILES.emulator} emulator/main.ts`);
  console.log(`  Worker:    npx wrangler dev --env-file ${FILES.worker}`);
}

main().catch((error: unknown) => {
  console.error("Could not make the Online dev keys:", error);
  process.exitCode = 1;
});
