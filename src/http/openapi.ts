import { Hono } from "hono";
import document from "./openapi.generated.json";

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of this API, generated at build time from the same valibot schemas
 * the code validates with (`npm run openapi`, scripts/openapi.ts), so the Worker bundles no schema converter. No key
 * is needed to read it.
 */
export function openApiRoutes() {
  return new Hono().get("/openapi.json", (c) => c.json(document, 200, { "Cache-Control": "public, max-age=300" }));
}
