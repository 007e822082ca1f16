/**
 * What a hit costs the memory store's `get` with the LRU moved on every hit and with the LRU
 * interval (memory-store.ts LRU_INTERVAL_MS): 52,000 stored 4 KiB objects (a full 256 MiB
 * budget's worth), hits spread over them at random, the clock advancing 1 ms every 50 hits
 * (about a loaded edge's rate). In process, no HTTP: the edge's own work per hit only.
 *
 *   npx tsx bench/lru-touch.ts [rounds=5]
 */
import { cacheKey, type CachedObject } from '../src/edge/cache/cache-store.js';
import { MemoryCacheStore } from '../src/edge/cache/memory-store.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const OBJECTS = 52_000;
const HITS = 2_000_000;

function filled(lruIntervalMs: number): { cache: MemoryCacheStore; keys: string[] } {
  const cache = new MemoryCacheStore(512 * 1024 * 1024, 1 << 20, { lruIntervalMs });
  const body = Buffer.alloc(4096);
  const keys: string[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const path = `/d${i % 100}/f${i}.bin`;
    const object: CachedObject = { key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers: {}, body, storedAt: 0, staleAt: 1e15, generation: 0 };
    cache.put(object);
    keys.push(object.key);
  }
  return { cache, keys };
}

function nsPerHit(lruIntervalMs: number): number {
  const { cache, keys } = filled(lruIntervalMs);
  // The same pseudo-random order for both.
  let seed = 12345;
  const order = Array.from({ length: 1 << 16 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % OBJECTS);
  let now = 1_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < HITS; i++) {
    if (i % 50 === 0) now += 1;
    if (!cache.get(keys[order[i & 0xffff]!]!, now)) throw new Error('a miss');
  }
  return Number(process.hrtime.bigint() - start) / HITS;
}

const every: number[] = [];
const interval: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  every.push(nsPerHit(0));
  interval.push(nsPerHit(2_000));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(JSON.stringify({ objects: OBJECTS, hits: HITS, movedOnEveryHitNs: Math.round(median(every)), lruInterval2sNs: Math.round(median(interval)) }, null, 2));
