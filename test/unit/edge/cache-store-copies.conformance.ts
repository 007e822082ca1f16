/**
 * Encoded copies (CacheStore.putCopy / copyOf) in every CacheStore: a copy lives and dies with
 * the very object it was made from, and its bytes count against the budget. Registered with
 * `encodedCopyConformance(name, factory)` beside cacheStoreConformance.
 */
import { describe, expect, it, vi } from 'vitest';
import { cacheKey, type CachedObject, type CacheStore, type EncodedCopy } from '../../../src/edge/cache/cache-store.js';
import type { CacheStoreFactory } from './cache-store.conformance.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const EP = 'endpoint-a';

function put(cache: CacheStore, path: string, body: string | Buffer = `body of ${path}`, times: Partial<Pick<CachedObject, 'staleAt' | 'deleteAt'>> = {}): CachedObject {
  const object: CachedObject = {
    key: cacheKey(EP, path, ''),
    endpointId: EP,
    path,
    status: 200,
    headers: { 'content-type': 'text/plain', etag: '"e1"' },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    storedAt: T0,
    staleAt: times.staleAt ?? T0 + HOUR,
    ...(times.deleteAt !== undefined && { deleteAt: times.deleteAt }),
    generation: cache.generation(),
  };
  expect(cache.put(object), `put ${path}`).toBe(true);
  return object;
}

const copy = (encoding: string, body: string | Buffer = `${encoding} bytes`): EncodedCopy => ({
  encoding,
  headers: { 'content-encoding': encoding },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});

export function encodedCopyConformance(name: string, factory: CacheStoreFactory): void {
  const roomy = () => factory(64 * 1024 * 1024, 1024 * 1024);

  describe(`${name}: encoded copies`, () => {
    it('keeps one copy per encoding beside the object, and counts their bytes', () => {
      const cache = roomy();
      const object = put(cache, '/a.css');
      const before = cache.bytes;
      expect(cache.putCopy(object, copy('gzip', Buffer.alloc(1000)))).toBe(true);
      expect(cache.putCopy(object, copy('br', Buffer.alloc(800)))).toBe(true);
      expect(cache.copyOf(object, 'gzip')?.body.length).toBe(1000);
      expect(cache.copyOf(object, 'br')?.body.length).toBe(800);
      expect(cache.copyOf(object, 'zstd')).toBeUndefined();
      expect(cache.bytes).toBeGreaterThanOrEqual(before + 1800);
      expect(cache.count).toBe(1);
    });

    it('refuses a copy of an object no longer stored (replaced meanwhile), and a replaced object has none', () => {
      const cache = roomy();
      const old = put(cache, '/a.css', 'old');
      expect(cache.putCopy(old, copy('gzip'))).toBe(true);
      const bytesOfNew = (() => {
        const probe = roomy();
        put(probe, '/a.css', 'new');
        return probe.bytes;
      })();
      const replaced = put(cache, '/a.css', 'new');
      expect(cache.copyOf(replaced, 'gzip')).toBeUndefined();
      expect(cache.putCopy(old, copy('br'))).toBe(false);
      expect(cache.bytes).toBe(bytesOfNew);
    });

    it('drops the copies with the object on purge, expiry and eviction, and frees their bytes', async () => {
      const cache = roomy();
      const purged = put(cache, '/d/a.css');
      cache.putCopy(purged, copy('gzip'));
      cache.purgeDirectory(EP, '/d/');
      expect(cache.get(purged.key, T0)).toBeUndefined();
      expect(cache.copyOf(purged, 'gzip')).toBeUndefined();

      const expiring = put(cache, '/b.css', 'b', { staleAt: T0 + 1000 });
      cache.putCopy(expiring, copy('gzip'));
      expect(cache.get(expiring.key, T0 + 1000)).toBeUndefined();
      expect(cache.copyOf(expiring, 'gzip')).toBeUndefined();

      const file = put(cache, '/c.css');
      cache.putCopy(file, copy('br'));
      cache.purgeFile(EP, '/c.css');
      expect(cache.copyOf(file, 'br')).toBeUndefined();
      expect(cache.count).toBe(0);
      // Nothing left but the purge records, until they are swept and pruned.
      await vi.waitFor(() => expect(cache.bytes).toBe(0));
    });

    it('a copy that overflows the budget evicts the least recently used objects, copies and all', () => {
      const probe = roomy();
      put(probe, '/x.css', Buffer.alloc(10_000));
      const one = probe.bytes;
      const cache = factory(3 * one, one);
      const oldest = put(cache, '/1.css', Buffer.alloc(10_000));
      cache.putCopy(oldest, copy('gzip', Buffer.alloc(100)));
      put(cache, '/2.css', Buffer.alloc(10_000));
      const newest = put(cache, '/3.css', Buffer.alloc(9_000));
      expect(cache.putCopy(newest, copy('gzip', Buffer.alloc(3_000)))).toBe(true);
      expect(cache.get(oldest.key, T0)).toBeUndefined();
      expect(cache.copyOf(oldest, 'gzip')).toBeUndefined();
      expect(cache.copyOf(newest, 'gzip')).toBeDefined();
      expect(cache.bytes).toBeLessThanOrEqual(3 * one);
    });
  });
}
