import { Hono, type TypedResponse } from "hono";
import document from "./openapi.generated.json";

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of this API, generated at build time from the same valibot schemas
 * the code validates with (`npm run openapi`, scripts/openapi.ts), so the Worker bundles no schema converter. No key
 * is needed to read it.
 */
export function openApiRoutes() {
  const text = JSON.stringify(document);
  return new Hono().get("/openapi.json", (c) => {
    const json: Response = c.body(text, 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    });
    return json as Response & TypedResponse<typeof document, 200, "json">;
  });
}
