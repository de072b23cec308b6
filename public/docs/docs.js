// @ts-check
/**
 * The API reference (`/docs`): Scalar's standalone bundle (public/docs/scalar.js, copied from the pinned npm package
 * by scripts/copy-assets.ts) renders `/openapi.json` from this origin. Everything that would reach another host is
 * off: Scalar's web fonts, telemetry, its AI agent and MCP features, its request proxy (unset, so "try it" calls this
 * origin directly) and its developer toolbar. "Try it" sends the key the reader types, with the document's own
 * security scheme; it is kept in memory only.
 */
/** @type {{ Scalar?: { createApiReference: (selector: string, configuration: Record<string, unknown>) => unknown } }} */
const scope = /** @type {never} */ (globalThis);
if (scope.Scalar === undefined) {
  document.body.append("The API reference's script did not load; the document is at /openapi.json.");
} else {
  scope.Scalar.createApiReference("#reference", {
    url: "/openapi.json",
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: "never",
    persistAuth: false,
    documentDownloadType: "json",
  });
}
