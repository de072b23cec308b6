/**
 * The part of `ws` (8.x; in node_modules as a dependency of miniflare, without type definitions) that the load test
 * uses to speak the Chrome DevTools Protocol to the Worker's V8 inspector: Node 20 has no global WebSocket.
 */
declare module "ws" {
  export default class WebSocket {
    constructor(url: string, options?: { maxPayload?: number; perMessageDeflate?: boolean });
    on(event: "open", listener: () => void): this;
    on(event: "message", listener: (data: Buffer) => void): this;
    on(event: "error", listener: (error: Error) => void): this;
    on(event: "close", listener: (code: number) => void): this;
    send(data: string): void;
    close(): void;
  }
}
