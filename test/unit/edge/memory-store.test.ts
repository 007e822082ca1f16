import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../../src/edge/cache/memory-store.js';
import { cacheStoreConformance } from './cache-store.conformance.js';

cacheStoreConformance('MemoryCacheStore', (budgetBytes, maxObjectBytes) => new MemoryCacheStore(budgetBytes, maxObjectBytes));

describe('MemoryCacheStore specifics', () => {
  it('defaults maxObjectBytes to an eighth of the budget', () => {
    expect(new MemoryCacheStore(8000).maxObjectBytes).toBe(1000);
  });

  it('keeps one purge record for an endpoint purged whole (or removed), not its history', () => {
    const cache = new MemoryCacheStore(1 << 20);
    for (let i = 0; i < 50; i++) {
      cache.purgeFile('ep-a', `/f${i}.png`);
      cache.purgeDirectory('ep-a', `/d${i}/sub/`);
    }
    cache.purgeFile('ep-b', '/kept.png');
    expect(cache.purgeRecords).toBe(50 + 1 + 100 + 1);
    cache.purgeEndpoint('ep-a');
    // ep-a's root, and ep-b's file record.
    expect(cache.purgeRecords).toBe(2);
  });
});
