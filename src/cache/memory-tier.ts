import type { CachedEntry } from "./entry.js";

/** What an entry costs beyond its body and strings: the Map slot and the objects around it, in bytes. */
const ENTRY_OVERHEAD_BYTES = 2048;

/** An entry held in memory, and when it was last confirmed by KV or by SuperOffice (epoch ms). */
export type Remembered = { entry: CachedEntry; confirmedAt: number };

/** The body's bytes, two bytes per UTF-16 code unit of the key and the tag, and the fixed overhead. */
function bytesOf(key: string, entry: CachedEntry): number {
  return entry.body.byteLength + 2 * (key.length + entry.etag.length) + ENTRY_OVERHEAD_BYTES;
}

/**
 * The in-isolate tier in front of KV: least recently used entries go first once the total passes `maxBytes` (the
 * bodies' bytes, keys and tags, plus a fixed overhead per entry, so that many small entries are bounded too).
 * Callers decide how long an entry may be trusted.
 */
export class MemoryTier {
  private readonly entries = new Map<string, Remembered>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The entry without counting it as used (the LRU order stays). */
  peek(key: string): Remembered | undefined {
    return this.entries.get(key);
  }

  get(key: string): Remembered | undefined {
    const remembered = this.entries.get(key);
    if (remembered !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, remembered);
    }
    return remembered;
  }

  /** Keeps the entry, evicting the least recently used; returns false for an entry larger than the whole budget. */
  set(key: string, entry: CachedEntry, confirmedAt: number): boolean {
    this.delete(key);
    const bytes = bytesOf(key, entry);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { entry, confirmedAt });
    this.bytes += bytes;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= bytesOf(oldest, old.entry);
    }
    return true;
  }

  delete(key: string): void {
    const remembered = this.entries.get(key);
    if (remembered === undefined) return;
    this.entries.delete(key);
    this.bytes -= bytesOf(key, remembered.entry);
  }

  /** Drops every entry whose key starts with `prefix` (one tenant's entries, on purge). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }
}
