/**
 * The runtime's floor for a hit: a Worker that answers a constant body with the headers a cached answer carries
 * (no auth, no cache lookup, no routing). The hit benchmark first stores the exact bytes of one of our Worker's
 * cached answers with `PUT /<name>` (its `ETag` too), then times `GET /<name>` against our Worker's hit. The body is
 * kept as UTF-8 bytes, as our Worker keeps it (a string body is turned into UTF-8 on every answer), so the difference
 * between the two Workers is our code alone.
 */
type Constant = { body: Uint8Array<ArrayBuffer>; etag: string };

const constants = new Map<string, Constant>();

export default {
  async fetch(request: Request): Promise<Response> {
    const name = new URL(request.url).pathname;
    if (request.method === "PUT") {
      constants.set(name, { body: new Uint8Array(await request.arrayBuffer()), etag: request.headers.get("ETag") ?? 'W/"-"' });
      return new Response(null, { status: 204 });
    }
    const constant = constants.get(name);
    if (constant === undefined) return new Response(null, { status: name === "/" ? 204 : 404 });
    return new Response(constant.body, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        Age: "0",
        "Cache-Control": "private, max-age=3600",
        ETag: constant.etag,
        "Cache-Status": "superoffice-batch-edge; hit; ttl=3600",
        "Server-Timing": "total;dur=0",
        "X-Request-Id": crypto.randomUUID(),
      },
    });
  },
};
