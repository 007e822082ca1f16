import { describe, expect, it, vi } from 'vitest';
import { cacheKey, type CachedObject } from '../../../src/edge/cache/cache-store.js';
import { MemoryCacheStore } from '../../../src/edge/cache/memory-store.js';
import type { SlabBody } from '../../../src/edge/cache/slab-body.js';
import { cacheStoreConformance } from './cache-store.conformance.js';
import { encodedCopyConformance } from './cache-store-copies.conformance.js';

cacheStoreConformance('MemoryCacheStore', (budgetBytes, maxObjectBytes) => new MemoryCacheStore(budgetBytes, maxObjectBytes));
encodedCopyConformance('MemoryCacheStore', (budgetBytes, maxObjectBytes) => new MemoryCacheStore(budgetBytes, maxObjectBytes));

describe('MemoryCacheStore specifics', () => {
  it('defaults maxObjectBytes to an eighth of the budget', () => {
    expect(new MemoryCacheStore(8000).maxObjectBytes).toBe(1000);
  });

  it('keeps one purge record for an endpoint purged whole (or removed), not its history', () => {
    const cache = new MemoryCacheStore(1 << 20);
    const running = cache.beginFill(); // keeps the records from being pruned meanwhile
    for (let i = 0; i < 50; i++) {
      cache.purgeFile('ep-a', `/f${i}.png`);
      cache.purgeDirectory('ep-a', `/d${i}/sub/`);
    }
    cache.purgeFile('ep-b', '/kept.png');
    expect(cache.purgeRecords).toBe(50 + 1 + 100 + 1);
    cache.purgeEndpoint('ep-a');
    // ep-a's root, and ep-b's file record.
    expect(cache.purgeRecords).toBe(2);
    cache.endFill(running);
  });
});

describe('MemoryCacheStore: the purge sweep', () => {
  const object = (cache: MemoryCacheStore, path: string, generation = cache.generation()): CachedObject => ({
    key: cacheKey('ep', path, ''),
    endpointId: 'ep',
    path,
    status: 200,
    headers: {},
    body: Buffer.alloc(1000),
    storedAt: 0,
    staleAt: Number.MAX_SAFE_INTEGER,
    generation,
  });

  it('lets go of the objects a directory purge covers, without waiting for requests', async () => {
    const cache = new MemoryCacheStore(1 << 20, 1 << 16);
    for (const path of ['/img/a.png', '/img/sub/b.png', '/css/c.css']) cache.put(object(cache, path));
    const full = cache.bytes;
    cache.purgeDirectory('ep', '/img/');
    await vi.waitFor(() => expect(cache.count).toBe(1));
    // Their chunks are back in the pool (the record is pruned once swept).
    await vi.waitFor(() => expect(cache.bytes).toBeLessThan(full / 2));
  });

  it('prunes the records once swept, so they do not grow with every purge', async () => {
    const cache = new MemoryCacheStore(64 << 20, 1 << 16);
    for (let i = 0; i < 10_000; i++) cache.put(object(cache, `/d${i % 100}/f${i}.png`));
    for (let i = 0; i < 500; i++) {
      cache.purgeFile('ep', `/d1/f${i}.png`);
      cache.purgeDirectory('ep', `/d${i % 100}/sub${i}/`);
    }
    expect(cache.purgeRecords).toBeGreaterThan(500);
    await vi.waitFor(() => expect(cache.purgeRecords).toBe(0));
    // What the purges did not cover is still there, what they covered is gone.
    expect(cache.count).toBe(10_000 - 500 / 100);
    expect(cache.get(cacheKey('ep', '/d2/f2.png', ''), 0)).toBeDefined();
  });

  it('keeps a record while a fill that began before it runs, and refuses that fill', async () => {
    const cache = new MemoryCacheStore(1 << 20);
    const started = cache.beginFill();
    cache.purgeFile('ep', '/a.png');
    const other = cache.beginFill();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(cache.purgeRecords).toBe(1);
    expect(cache.put(object(cache, '/a.png', started))).toBe(false);
    cache.endFill(started);
    expect(cache.purgeRecords).toBe(0);
    // A fill that began after the purge was never held back by it.
    expect(cache.put(object(cache, '/a.png', other))).toBe(true);
    cache.endFill(other);
  });
});

describe('MemoryCacheStore: the LRU interval (Varnish lru_interval)', () => {
  const ROOM_FOR_THREE = 3 * (4096 + 2600);
  const put = (cache: MemoryCacheStore, path: string): CachedObject => {
    const object: CachedObject = { key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers: {}, body: Buffer.alloc(1000), storedAt: 0, staleAt: 1e15, generation: cache.generation() };
    expect(cache.put(object)).toBe(true);
    return object;
  };
  const has = (cache: MemoryCacheStore, path: string, now: number) => cache.get(cacheKey('ep', path, ''), now) !== undefined;

  it('moves an object once per interval, however often it is hit', () => {
    // Room for three objects of 1000 bytes (a 4 KiB chunk each) with their bookkeeping, not four.
    const cache = new MemoryCacheStore(ROOM_FOR_THREE, 2000, { lruIntervalMs: 2_000 });
    for (const path of ['/1', '/2', '/3']) put(cache, path);
    expect(has(cache, '/1', 10_000)).toBe(true); // moved: order 2, 3, 1
    expect(has(cache, '/2', 10_500)).toBe(true); // moved: order 3, 1, 2
    put(cache, '/4'); // evicts 3: order 1, 2, 4
    expect(has(cache, '/3', 10_500)).toBe(false);
    expect(has(cache, '/1', 11_000)).toBe(true); // 1 s after its move: not moved again
    put(cache, '/5'); // so 1 goes, though it was hit last
    expect([has(cache, '/1', 11_000), has(cache, '/2', 11_000), has(cache, '/4', 11_000)]).toEqual([false, true, true]);
  });

  it('moves it again once the interval has passed', () => {
    const cache = new MemoryCacheStore(ROOM_FOR_THREE, 2000, { lruIntervalMs: 2_000 });
    for (const path of ['/1', '/2', '/3']) put(cache, path);
    expect(has(cache, '/1', 10_000)).toBe(true); // moved: order 2, 3, 1
    expect(has(cache, '/2', 10_000)).toBe(true); // moved: order 3, 1, 2
    expect(has(cache, '/1', 12_000)).toBe(true); // 2 s later: moved, order 3, 2, 1
    put(cache, '/4'); // evicts 3
    put(cache, '/5'); // evicts 2, not 1
    expect([has(cache, '/2', 12_000), has(cache, '/1', 12_000)]).toEqual([false, true]);
  });
});

describe('MemoryCacheStore: bodies in the slab pool', () => {
  const put = (cache: MemoryCacheStore, path: string, body: Buffer): CachedObject => {
    const object: CachedObject = { key: cacheKey('ep', path, ''), endpointId: 'ep', path, status: 200, headers: {}, body, storedAt: 0, staleAt: 1e15, generation: cache.generation() };
    expect(cache.put(object)).toBe(true);
    return object;
  };
  const has = (cache: MemoryCacheStore, path: string) => cache.get(cacheKey('ep', path, ''), 0) !== undefined;

  it('makes room for a fill as it comes, least recently used first, and stores it', () => {
    const cache = new MemoryCacheStore(96 * 1024, 32 * 1024);
    for (let i = 0; i < 10; i++) put(cache, `/${i}`, Buffer.alloc(4096, i));
    expect(cache.count).toBe(10);
    const writer = cache.bodyWriter()!;
    for (let i = 0; i < 8; i++) expect(writer.write(Buffer.alloc(4096, 0xf0 + i))).toBe(true);
    // Room for the fill's 8 chunks was made before the put: the oldest went.
    expect(cache.bytes).toBeLessThanOrEqual(96 * 1024);
    expect([has(cache, '/0'), has(cache, '/9')]).toEqual([false, true]);
    const filled = { key: cacheKey('ep', '/fill', ''), endpointId: 'ep', path: '/fill', status: 200, headers: {}, body: writer.seal(), storedAt: 0, staleAt: 1e15, generation: cache.generation() };
    expect(cache.put(filled)).toBe(true);
    const got = cache.get(filled.key, 0)!.object.body as SlabBody;
    expect(got.toBuffer().equals(Buffer.concat(Array.from({ length: 8 }, (_, i) => Buffer.alloc(4096, 0xf0 + i))))).toBe(true);
    // What is still stored kept its bytes.
    expect((cache.get(cacheKey('ep', '/9', ''), 0)!.object.body as SlabBody).toBuffer().equals(Buffer.alloc(4096, 9))).toBe(true);
  });

  it('gives a refused body back to the pool', () => {
    const cache = new MemoryCacheStore(64 * 1024, 16 * 1024);
    const started = cache.beginFill();
    cache.purgeFile('ep', '/a');
    const writer = cache.bodyWriter()!;
    writer.write(Buffer.alloc(10_000));
    const before = cache.bytes;
    expect(cache.put({ key: cacheKey('ep', '/a', ''), endpointId: 'ep', path: '/a', status: 200, headers: {}, body: writer.seal(), storedAt: 0, staleAt: 1e15, generation: started })).toBe(false);
    expect(cache.bytes).toBe(before - 3 * 4096);
    cache.endFill(started);
  });

  it('does not keep a body in memory that was declared larger than the largest object', () => {
    const cache = new MemoryCacheStore(64 * 1024, 16 * 1024);
    expect(cache.bodyWriter(16 * 1024 + 1)).toBeUndefined();
    expect(cache.bodyWriter(16 * 1024)).toBeDefined();
  });
});
