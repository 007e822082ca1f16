/**
 * The background purge sweep (memory-store.ts) over a million cached objects: a directory purge
 * and 100 file purges, then how long until every record is swept and pruned, and what the
 * sweep costs other work (event-loop delay while it runs, in slices).
 *
 *   npx tsx bench/purge-sweep.ts [objects=1000000]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cacheKey } from '../src/edge/cache/cache-store.js';
import { MemoryCacheStore } from '../src/edge/cache/memory-store.js';

const OBJECTS = Number(process.argv[2] ?? 1_000_000);
const cache = new MemoryCacheStore(8 * 1024 ** 3, 1 << 16);
const body = Buffer.alloc(16);
for (let i = 0; i < OBJECTS; i++) {
  const path = `/d${i % 1000}/sub${i % 7}/f${i}.png`;
  cache.put({ key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers: {}, body, storedAt: 0, staleAt: 1e15, generation: cache.generation() });
}
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const started = performance.now();
cache.purgeDirectory('ep', '/d5/');
for (let i = 0; i < 100; i++) cache.purgeFile('ep', `/d7/sub0/f${i}.png`);
while (cache.purgeRecords > 0) await new Promise((resolve) => setTimeout(resolve, 0));
delay.disable();
console.log(
  JSON.stringify({
    objects: OBJECTS,
    sweptAndPrunedMs: Math.round(performance.now() - started),
    objectsLeft: cache.count,
    eventLoopDelayP99Ms: +(delay.percentile(99) / 1e6).toFixed(2),
    eventLoopDelayMaxMs: +(delay.max / 1e6).toFixed(2),
  }),
);
