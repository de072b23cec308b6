import { Agent, request } from "node:http";
import { outcomeLabel } from "./drive.js";

/** One HTTP/1.1 exchange made with node:http, so that the connection it used is known. */
export type Exchange = {
  step: string;
  label: string;
  ms: number;
  /** Whether it went over a kept-alive connection that an earlier request had used. */
  reusedSocket: boolean;
  /** An error while sending the body (the server may close early); the answer can still have come. */
  writeError: string | null;
};

type ExchangeOptions = {
  step: string;
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** Sent chunked (`Transfer-Encoding: chunked`, no length), one write per chunk; null for no body. */
  chunks: readonly Buffer[] | null;
  agent: Agent | false;
  timeoutMs: number;
};

function exchange(options: ExchangeOptions): Promise<Exchange> {
  const start = performance.now();
  return new Promise((resolve) => {
    let writeError: string | null = null;
    let settled = false;
    const req = request(options.url, { method: options.method, headers: options.headers, agent: options.agent });
    const finish = (label: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ step: options.step, label, ms: performance.now() - start, reusedSocket: req.reusedSocket, writeError });
    };
    const timer = setTimeout(() => {
      finish(`no answer within ${options.timeoutMs} ms`);
      req.destroy();
    }, options.timeoutMs);
    req.on("response", (response) => {
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () => finish(outcomeLabel(response.statusCode ?? 0, Buffer.concat(parts).toString("utf8"))));
      response.on("error", (error) => finish(`network error: ${error.message}`));
    });
    req.on("error", (error) => {
      writeError = error.message;
      finish(`network error: ${error.message}`);
    });
    const send = async (): Promise<void> => {
      for (const chunk of options.chunks ?? []) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((drained) => req.once("drain", drained));
      }
      req.end();
    };
    send().catch((error: unknown) => {
      writeError = String(error);
    });
  });
}

/** `total` bytes of JSON-looking text in chunks of `size`: long enough to need many TCP segments. */
function bodyChunks(total: number, size: number): Buffer[] {
  const text = `{"associateIds":[${"1,".repeat(Math.ceil(total / 2))}1],"state":"All"}`.slice(0, total);
  return Array.from({ length: Math.ceil(total / size) }, (_, index) => Buffer.from(text.slice(index * size, (index + 1) * size)));
}

export type EarlyAnswerRound = { early: Exchange; after: Exchange[] };

/**
 * Issue 7: "after a 413 or 415 on a chunked POST, the next request from any client hung or got 'worker restarted
 * mid-request'". Each round sends a chunked `POST /v1/batch-tasks/query` that is answered before its body is read:
 * 1 MiB of JSON (over the 64 KiB limit: 413), or 256 KiB as `text/plain` (415); then at once, on the same keep-alive
 * agent (one socket, so the follow-up waits for the early request's connection unless the server closed it) a
 * GET and a small chunked POST, and on a fresh connection a GET. Every follow-up must be answered 200.
 */
export async function earlyAnswerRounds(
  origin: string,
  key: string,
  rounds: number,
  timeoutMs = 10_000,
): Promise<EarlyAnswerRound[]> {
  const auth = { Authorization: `Bearer ${key}` };
  // A question the load test has cached already: the follow-ups test the connection, not SuperOffice.
  const getUrl = `${origin}/v1/batch-tasks?associateIds=5,7,12,42&state=All`;
  const postUrl = `${origin}/v1/batch-tasks/query`;
  const small = [Buffer.from('{"associateIds":[5,7,12,42],'), Buffer.from('"state":"All"}')];
  const early = [
    { step: "413: 1 MiB chunked JSON", type: "application/json", chunks: bodyChunks(1024 * 1024, 16 * 1024) },
    { step: "415: 256 KiB chunked text/plain", type: "text/plain", chunks: bodyChunks(256 * 1024, 16 * 1024) },
  ];
  const result: EarlyAnswerRound[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const { step, type, chunks } of early) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const common = { timeoutMs, agent } as const;
        const first = exchange({
          ...common,
          step,
          url: postUrl,
          method: "POST",
          headers: { ...auth, "Content-Type": type },
          chunks,
        });
        // Queued on the same one-socket agent right away, as a pipelining-free client would: it gets the socket next.
        const sameGet = exchange({ ...common, step: "GET, same agent", url: getUrl, method: "GET", headers: auth, chunks: null });
        const answered = await first;
        const samePost = exchange({
          ...common,
          step: "chunked POST, same agent",
          url: postUrl,
          method: "POST",
          headers: { ...auth, "Content-Type": "application/json" },
          chunks: small,
        });
        const freshGet = exchange({
          step: "GET, fresh connection",
          url: getUrl,
          method: "GET",
          headers: auth,
          chunks: null,
          agent: false,
          timeoutMs,
        });
        result.push({ early: answered, after: await Promise.all([sameGet, samePost, freshGet]) });
      } finally {
        agent.destroy();
      }
    }
  }
  return result;
}
