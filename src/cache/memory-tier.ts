import type { CachedEntry } from "./entry.js";

/**
 * The in-isolate tier in front of KV: least recently used entries go first once the bodies pass `maxBytes`
 * (counted as UTF-16 code units, which is what a string costs). Callers drop entries KV would no longer serve.
 */
export class MemoryTier {
  private readonly entries = new Map<string, CachedEntry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): CachedEntry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedEntry): void {
    this.delete(key);
    if (entry.body.length > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.body.length;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }

  /** Drops every entry whose key starts with `prefix` (one tenant's entries, on purge). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }
}
