/**
 * How long the disk tier takes to come back after a restart: N objects of 4 KiB written through
 * the memory store (a memory tier of one object, so every put spills to disk), the store closed,
 * then DiskTier.open timed as it reads every file's header back into the index.
 *
 *   npx tsx bench/disk-rebuild.ts [objects=20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cacheKey } from '../src/edge/cache/cache-store.js';
import { DiskTier } from '../src/edge/cache/disk-tier.js';
import { MemoryCacheStore } from '../src/edge/cache/memory-store.js';

const OBJECTS = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'mooncdn-disk-rebuild-'));
try {
  const disk = await DiskTier.open({ dir, budgetBytes: 4 * 1024 ** 3, maxWritingBytes: 8 << 20 });
  const cache = new MemoryCacheStore(8_000, 6_000, { disk });
  const body = Buffer.alloc(4096, 'x');
  const headers = { 'content-type': 'application/octet-stream', etag: '"abc"', 'last-modified': 'Sun, 01 Mar 2026 10:00:00 GMT' };
  const writeStart = performance.now();
  for (let i = 0; i < OBJECTS; i++) {
    const path = `/d${i % 100}/f${i}.bin`;
    cache.put({ key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers, body, storedAt: Date.now(), staleAt: Date.now() + 3_600_000, generation: 0 });
    // Let the writes catch up now and then (past 8 MiB in flight an evicted object is let go).
    if (i % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await cache.close();
  const written = performance.now() - writeStart;
  const start = performance.now();
  const reopened = await DiskTier.open({ dir, budgetBytes: 4 * 1024 ** 3 });
  const rebuild = performance.now() - start;
  console.log(JSON.stringify({ objects: reopened.count, bytes: reopened.bytes, writeSeconds: Number((written / 1000).toFixed(1)), rebuildMs: Math.round(rebuild), filesPerSecond: Math.round(reopened.count / (rebuild / 1000)) }, null, 2));
  await reopened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
