/**
 * The runtime's floor for a miss: a Worker that only relays the SOAP call to `UPSTREAM_URL` and returns the answer's
 * bytes (no auth, no cache, no decode). Run by the miss benchmark under the same `wrangler dev` as the real Worker.
 */
export default {
  async fetch(request: Request, env: { UPSTREAM_URL: string }): Promise<Response> {
    if (request.method !== "POST") return new Response(null, { status: 204 });
    const upstream = await fetch(env.UPSTREAM_URL, { method: "POST", headers: request.headers, body: await request.text() });
    return new Response(await upstream.text(), { status: upstream.status, headers: upstream.headers });
  },
};
