/**
 * The cost of a tag purge in the edge's memory store against how much is cached: 10 objects
 * carrying the tag among N others (each with one of 1,000 other tags), purged through
 * purgeTag; the median of 5 rounds of the synchronous call (the index finds the 10 objects;
 * the sweep that follows only lets the record go, between requests).
 *
 *   npx tsx bench/tag-purge.ts
 */
import { cacheKey } from '../src/edge/cache/cache-store.js';
import { MemoryCacheStore } from '../src/edge/cache/memory-store.js';

const body = Buffer.from('x');

function medianMs(others: number): number {
  const cache = new MemoryCacheStore(1 << 30, 1024);
  const put = (path: string, tags: string[]) =>
    cache.put({ key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers: {}, body, storedAt: 0, staleAt: 1e15, generation: cache.generation(), tags });
  for (let i = 0; i < others; i++) put(`/o/${i}`, [`t${i % 1000}`]);
  for (let i = 0; i < 50; i++) cache.purgeTag('ep', `warm${i}`);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 10; i++) put(`/w/${i}`, ['wanted']);
    const start = performance.now();
    cache.purgeTag('ep', 'wanted');
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2]!;
}

for (const others of [10, 10_000, 100_000, 1_000_000]) console.log(`${others} other objects: purgeTag of 10 tagged objects, median ${medianMs(others).toFixed(3)} ms`);
