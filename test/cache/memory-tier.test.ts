import { describe, expect, it } from "vitest";
import type { CachedEntry } from "../../src/cache/entry.js";
import { MemoryTier } from "../../src/cache/memory-tier.js";
import { utf8 } from "../../src/utf8.js";

const entry = (body: string): CachedEntry => ({ body: utf8(body), fetchedAt: 0, etag: 'W/"t"' });

describe("MemoryTier", () => {
  it("evicts the least recently used entries once the budget is passed", () => {
    const tier = new MemoryTier(3 * (2048 + 100 + 2 * ("a".length + `W/"t"`.length)));
    tier.set("a", entry("x".repeat(100)), 1);
    tier.set("b", entry("x".repeat(100)), 1);
    tier.set("c", entry("x".repeat(100)), 1);
    tier.get("a");
    tier.set("d", entry("x".repeat(100)), 1);
    expect(tier.get("b")).toBeUndefined();
    expect(tier.get("a")?.confirmedAt).toBe(1);
    expect(tier.get("c")).toBeDefined();
    expect(tier.get("d")).toBeDefined();
  });

  it("counts a fixed overhead per entry, so many small entries are bounded too", () => {
    const tier = new MemoryTier(200 * 1024);
    for (let index = 0; index < 1000; index++) tier.set(`k${index}`, entry(""), 0);
    const kept = Array.from({ length: 1000 }, (_, index) => tier.get(`k${index}`)).filter((found) => found !== undefined);
    expect(kept.length).toBeLessThan(100);
    expect(kept.length).toBeGreaterThan(90);
  });

  it("counts a body by its UTF-8 bytes, not its characters", () => {
    const tier = new MemoryTier(2048 + 2 * ("k".length + `W/"t"`.length) + 1500);
    tier.set("k", entry("é".repeat(1000)), 0);
    expect(tier.get("k")).toBeUndefined();
    tier.set("k", entry("e".repeat(1000)), 0);
    expect(tier.get("k")).toBeDefined();
  });

  it("refuses an entry larger than the whole budget, and drops a tenant's entries by prefix", () => {
    const tier = new MemoryTier(4000);
    tier.set("t1:big", entry("x".repeat(5000)), 0);
    expect(tier.get("t1:big")).toBeUndefined();
    tier.set("t1:a", entry("a"), 0);
    tier.set("t2:a", entry("a"), 0);
    tier.deletePrefix("t1:");
    expect(tier.get("t1:a")).toBeUndefined();
    expect(tier.get("t2:a")).toBeDefined();
  });
});
