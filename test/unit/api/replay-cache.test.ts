import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../src/api/authentication/replay-cache.js';

describe('ReplayCache', () => {
  it('takes a signature once while its date is accepted, and again after', () => {
    const cache = new ReplayCache();
    expect(cache.firstUse('k:AA', 1_000, 0)).toBe(true);
    expect(cache.firstUse('k:AA', 1_000, 500)).toBe(false);
    expect(cache.firstUse('k:AA', 1_000, 1_000)).toBe(false);
    expect(cache.firstUse('k:BB', 1_000, 500)).toBe(true);
    expect(cache.firstUse('k:AA', 2_001, 1_001)).toBe(true);
  });

  it('forgets signatures whose dates have expired', () => {
    const cache = new ReplayCache();
    for (let i = 0; i < 100; i++) cache.firstUse(`k:${i}`, 1_000 + i, i);
    expect(cache.size).toBe(100);
    cache.firstUse('k:late', 5_000, 1_050);
    expect(cache.size).toBe(51);
  });

  it('holds at most maxEntries, forgetting the oldest first', () => {
    const cache = new ReplayCache(3);
    for (const signature of ['a', 'b', 'c', 'd']) expect(cache.firstUse(signature, 10_000, 0)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.firstUse('d', 10_000, 1)).toBe(false);
    expect(cache.firstUse('a', 10_000, 1)).toBe(true);
  });
});
