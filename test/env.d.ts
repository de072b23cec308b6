declare module "*.xml?raw" {
  const text: string;
  export default text;
}

declare namespace Cloudflare {
  interface Env {
    BATCH_CACHE: KVNamespace;
    SUPEROFFICE_BATCH_URL: string;
    SUPEROFFICE_TICKET: string;
    SUPEROFFICE_APP_TOKEN: string;
    API_KEYS: string;
    EMULATOR_URL: string;
    RPC_CONSUMER: Fetcher;
  }
}
