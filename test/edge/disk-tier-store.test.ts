/**
 * The memory store over a disk tier, without HTTP: what happens to an object while it is being
 * written to disk (a purge, a newer response), and the bound on writes in progress.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheKey, type CachedObject } from '../../src/edge/cache/cache-store.js';
import { DiskTier } from '../../src/edge/cache/disk-tier.js';
import { MemoryCacheStore } from '../../src/edge/cache/memory-store.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A memory store that holds one 10 kB object: a second put evicts the first to disk. */
async function tiered(maxWritingBytes?: number, budgetBytes = 1 << 20): Promise<{ cache: MemoryCacheStore; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-disk-store-'));
  dirs.push(dir);
  const disk = await DiskTier.open({ dir, budgetBytes, maxObjectBytes: 100_000, ...(maxWritingBytes !== undefined && { maxWritingBytes }) }, T0);
  return { cache: new MemoryCacheStore(15_000, 12_000, { disk }), dir };
}

function object(cache: MemoryCacheStore, path: string, body = `body of ${path}`.padEnd(10_000)): CachedObject {
  return { key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers: {}, body: Buffer.from(body), storedAt: T0, staleAt: T0 + 3_600_000, generation: cache.generation() };
}

const files = (dir: string) => readdirSync(join(dir, 'objects')).flatMap((sub) => readdirSync(join(dir, 'objects', sub)));
const bodyOf = (cache: MemoryCacheStore, path: string) => cache.get(cacheKey('ep', path, ''), T0)?.object.body;

describe('an object on its way to the disk tier', () => {
  for (const [name, purge] of [
    ['a file purge', (cache: MemoryCacheStore) => cache.purgeFile('ep', '/img/a.png')],
    ['a directory purge', (cache: MemoryCacheStore) => cache.purgeDirectory('ep', '/img/')],
    ['a purge of everything', (cache: MemoryCacheStore) => cache.purgeAll()],
  ] as const) {
    it(`is not kept when ${name} comes while it is written`, async () => {
      const { cache, dir } = await tiered();
      cache.put(object(cache, '/img/a.png'));
      cache.put(object(cache, '/b.png')); // evicts a.png: its write starts
      purge(cache);
      await cache.close();
      expect([bodyOf(cache, '/img/a.png'), cache.diskCount, files(dir)]).toEqual([undefined, 0, []]);
    });
  }

  it('is not kept when a newer response for its key is stored meanwhile', async () => {
    const { cache, dir } = await tiered();
    cache.put(object(cache, '/a.png', 'old'.padEnd(10_000)));
    cache.put(object(cache, '/b.png')); // evicts the old a.png to disk
    cache.put(object(cache, '/a.png', 'new'.padEnd(10_000))); // evicts b.png
    await cache.close();
    expect(String(bodyOf(cache, '/a.png')).trim()).toBe('new');
    // b.png on disk; the old a.png was written and then deleted.
    expect([cache.diskCount, files(dir).length]).toEqual([1, 1]);
  });

  it('is let go when the writes in progress already hold their limit', async () => {
    const { cache } = await tiered(15_000);
    for (const path of ['/1', '/2', '/3', '/4']) cache.put(object(cache, path));
    await cache.close();
    // 1 was being written (10 kB) when 2 and 3 were evicted: they did not fit beside it.
    expect(cache.diskCount).toBe(1);
  });
});

describe('the disk tier as an LRU', () => {
  it('evicts its least recently used file past its budget, a hit making an object recently used', async () => {
    // Room on disk for three 10 kB files, not four.
    const { cache, dir } = await tiered(undefined, 32_000);
    for (const path of ['/1', '/2', '/3', '/4']) cache.put(object(cache, path)); // 1, 2, 3 on disk
    await vi.waitFor(() => expect(cache.diskCount).toBe(3));
    expect(bodyOf(cache, '/1')).toBeDefined(); // from disk: 2 is now its least recently used
    cache.put(object(cache, '/5')); // 4 to disk: 2 goes
    await vi.waitFor(() => expect([cache.diskCount, files(dir).length]).toEqual([3, 3]));
    expect(['/1', '/2', '/3', '/4'].map((path) => bodyOf(cache, path) !== undefined)).toEqual([true, false, true, true]);
    expect(cache.diskBytes).toBeLessThanOrEqual(32_000);
    await cache.close();
  });
});
