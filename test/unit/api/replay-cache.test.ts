import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../src/api/authentication/replay-cache.js';

describe('ReplayCache', () => {
  it('takes a signature once while its date is accepted, and again after', () => {
    const cache = new ReplayCache();
    expect(cache.firstUse('AA', 1_000, 0)).toBe(true);
    expect(cache.firstUse('AA', 1_000, 500)).toBe(false);
    expect(cache.firstUse('AA', 1_000, 1_000)).toBe(false);
    expect(cache.firstUse('BB', 1_000, 500)).toBe(true);
    expect(cache.firstUse('bb', 1_000, 500)).toBe(false);
    expect(cache.firstUse('AA', 2_001, 1_001)).toBe(true);
  });

  it('forgets signatures whose dates have expired', () => {
    const cache = new ReplayCache();
    for (let i = 0; i < 100; i++) cache.firstUse(i.toString(16).padStart(4, '0'), 1_000 + i, i);
    expect(cache.size).toBe(100);
    cache.firstUse('FFFF', 5_000, 1_050);
    expect(cache.size).toBe(51);
  });

  it('holds at most maxEntries, forgetting the oldest first', () => {
    const cache = new ReplayCache(3);
    for (const signature of ['0a', '0b', '0c', '0d']) expect(cache.firstUse(signature, 10_000, 0)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.firstUse('0d', 10_000, 1)).toBe(false);
    expect(cache.firstUse('0a', 10_000, 1)).toBe(true);
  });
});
