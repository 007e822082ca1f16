import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../../src/edge/cache/memory-store.js';
import { cacheStoreConformance } from './cache-store.conformance.js';

cacheStoreConformance('MemoryCacheStore', (budgetBytes, maxObjectBytes) => new MemoryCacheStore(budgetBytes, maxObjectBytes));

describe('MemoryCacheStore specifics', () => {
  it('defaults maxObjectBytes to an eighth of the budget', () => {
    expect(new MemoryCacheStore(8000).maxObjectBytes).toBe(1000);
  });
});
