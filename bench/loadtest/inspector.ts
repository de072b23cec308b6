import WebSocket from "ws";

/** A Chrome DevTools Protocol session with the Worker's isolate, through `wrangler dev --inspector-port`. */
export type Inspector = {
  send: (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** Events of one method, as they arrive; returns a function that stops listening. */
  on: (method: string, listener: (params: Record<string, unknown>) => void) => () => void;
  /** The Worker's last console lines (the first argument's text), oldest first, at most `CONSOLE_LINES`. */
  consoleLines: () => readonly string[];
  /** Every event received so far, by method: how many and their bytes (the backlog arrives right after connecting). */
  events: () => Record<string, { count: number; bytes: number }>;
  close: () => void;
};

/**
 * Connects to the inspector of `wrangler dev` (its proxy to workerd's). Every command times out after `timeoutMs`:
 * workerd leaves some unanswered (`HeapProfiler.collectGarbage` never returns there; a heap snapshot collects
 * garbage first anyway).
 */
/** How many of the Worker's console lines a connection keeps, to show what it logged for a request that failed. */
const CONSOLE_LINES = 20_000;

export async function connectInspector(inspectorPort: number, timeoutMs = 60_000, connectTimeoutMs = 10_000): Promise<Inspector> {
  const listed = await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(connectTimeoutMs) });
  const list = (await listed.json()) as { webSocketDebuggerUrl?: string }[];
  const url = list[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error("the inspector lists no target");
  const socket = new WebSocket(url, { maxPayload: 1024 * 1024 * 1024, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`inspector: no connection within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.on("open", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  const listeners = new Map<string, Set<(params: Record<string, unknown>) => void>>();
  const events: Record<string, { count: number; bytes: number }> = {};
  const lines: string[] = [];
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString("utf8")) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: Record<string, unknown>;
      error?: { message: string };
    };
    if (message.id !== undefined) {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error.message));
      else waiting?.resolve(message.result ?? {});
    } else if (message.method !== undefined) {
      const seen = events[message.method] ?? { count: 0, bytes: 0 };
      seen.count += 1;
      seen.bytes += data.byteLength;
      events[message.method] = seen;
      if (message.method === "Runtime.consoleAPICalled") {
        const [first] = (message.params?.args ?? []) as { value?: unknown }[];
        if (typeof first?.value === "string") lines.push(first.value);
        if (lines.length > CONSOLE_LINES) lines.splice(0, lines.length - CONSOLE_LINES);
      }
      for (const listener of listeners.get(message.method) ?? []) listener(message.params ?? {});
    }
  });
  socket.on("close", () => {
    for (const waiting of pending.values()) waiting.reject(new Error("inspector: connection closed"));
    pending.clear();
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`inspector: ${method} unanswered after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    on: (method, listener) => {
      const set = listeners.get(method) ?? new Set();
      set.add(listener);
      listeners.set(method, set);
      return () => set.delete(listener);
    },
    consoleLines: () => lines,
    events: () => structuredClone(events),
    close: () => socket.close(),
  };
}
