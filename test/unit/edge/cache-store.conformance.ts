/**
 * The conformance suite every CacheStore runs (cache-store.ts is the contract): register it with
 * `cacheStoreConformance(name, factory)` from a `*.test.ts` file. It only uses the contract, so
 * costs such as per-object bookkeeping are measured, not assumed.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { type CachedObject, cacheKey, type CacheStore, MAX_VARIANTS_PER_KEY } from '../../../src/edge/cache/cache-store.js';
import type { VaryValues } from '../../../src/edge/policy/vary.js';

export type CacheStoreFactory = (budgetBytes: number, maxObjectBytes: number) => CacheStore;

const T0 = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const EP = 'endpoint-a';
const OTHER_EP = 'endpoint-b';

interface Fill {
  readonly endpointId?: string;
  readonly query?: string;
  readonly body?: Buffer | string;
  readonly status?: number;
  readonly storedAt?: number;
  readonly staleAt?: number;
  readonly deleteAt?: number;
  /** The generation the fill started at; the store's current one when omitted. */
  readonly generation?: number;
  /** The Vary values it was filled with (a variant). */
  readonly vary?: VaryValues;
  /** Its cache tags. */
  readonly tags?: readonly string[];
}

function object(store: CacheStore, path: string, fill: Fill = {}): CachedObject {
  const endpointId = fill.endpointId ?? EP;
  const body = fill.body ?? `body of ${path}`;
  return {
    key: cacheKey(endpointId, path, fill.query ?? ''),
    endpointId,
    path,
    status: fill.status ?? 200,
    headers: { 'content-type': 'text/plain', etag: '"e1"' },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    storedAt: fill.storedAt ?? T0,
    staleAt: fill.staleAt ?? T0 + HOUR,
    ...(fill.deleteAt !== undefined && { deleteAt: fill.deleteAt }),
    generation: fill.generation ?? store.generation(),
    ...(fill.vary && { vary: fill.vary }),
    ...(fill.tags && { tags: fill.tags }),
  };
}

/** Puts and expects the store to accept. */
function store(cache: CacheStore, path: string, fill: Fill = {}): CachedObject {
  const made = object(cache, path, fill);
  expect(cache.put(made), `put ${path}`).toBe(true);
  return made;
}

const hit = (cache: CacheStore, path: string, fill: Pick<Fill, 'endpointId' | 'query'> = {}) =>
  cache.get(cacheKey(fill.endpointId ?? EP, path, fill.query ?? ''), T0) !== undefined;

export function cacheStoreConformance(name: string, factory: CacheStoreFactory): void {
  const roomy = () => factory(64 * 1024 * 1024, 1024 * 1024);

  /** What the store counts for one object with this key length and body size. */
  const costOf = (path: string, bodyBytes: number) => {
    const probe = roomy();
    store(probe, path, { body: Buffer.alloc(bodyBytes) });
    return probe.bytes;
  };

  describe(`${name}: get and put`, () => {
    it('returns what was put, and nothing for a key never put', () => {
      const cache = roomy();
      const put = store(cache, '/a.txt', { status: 404, body: 'hello' });
      const got = cache.get(put.key, T0)?.object;
      expect(got?.body.toString()).toBe('hello');
      expect(got?.status).toBe(404);
      expect(got?.headers).toEqual(put.headers);
      expect(got?.storedAt).toBe(T0);
      expect(cache.get(cacheKey(EP, '/b.txt', ''), T0)).toBeUndefined();
      expect(cache.count).toBe(1);
      expect(cache.bytes).toBeGreaterThanOrEqual(5);
    });

    it('keeps query variants and endpoints apart', () => {
      const cache = roomy();
      store(cache, '/a.txt', { query: 'v=1', body: 'one' });
      store(cache, '/a.txt', { query: 'v=2', body: 'two' });
      store(cache, '/a.txt', { endpointId: OTHER_EP, query: 'v=1', body: 'other' });
      expect(cache.get(cacheKey(EP, '/a.txt', 'v=1'), T0)?.object.body.toString()).toBe('one');
      expect(cache.get(cacheKey(EP, '/a.txt', 'v=2'), T0)?.object.body.toString()).toBe('two');
      expect(cache.get(cacheKey(OTHER_EP, '/a.txt', 'v=1'), T0)?.object.body.toString()).toBe('other');
      expect(cache.count).toBe(3);
    });

    it('is fresh before staleAt and a miss from staleAt on without a deleteAt (the `now` passed decides)', () => {
      const cache = roomy();
      const put = store(cache, '/a.txt', { staleAt: T0 + 1000 });
      expect(cache.get(put.key, T0)?.stale).toBe(false);
      expect(cache.get(put.key, T0 + 999)?.stale).toBe(false);
      expect(cache.get(put.key, T0 + 1000)).toBeUndefined();
      expect(cache.get(put.key, T0 + HOUR)).toBeUndefined();
    });

    it('keeps an object stale from staleAt until deleteAt, flagged stale', () => {
      const cache = roomy();
      const put = store(cache, '/a.txt', { staleAt: T0 + 1000, deleteAt: T0 + 5000 });
      expect(cache.get(put.key, T0 + 999)?.stale).toBe(false);
      const stale = cache.get(put.key, T0 + 1000);
      expect(stale?.stale).toBe(true);
      expect(stale?.object.body.toString()).toBe('body of /a.txt');
      expect(cache.get(put.key, T0 + 4999)?.stale).toBe(true);
      expect(cache.get(put.key, T0 + 5000)).toBeUndefined();
      expect(cache.count).toBe(0);
    });

    it('never returns a purged object, stale or not', () => {
      const cache = roomy();
      const stale = store(cache, '/a.txt', { staleAt: T0 - 1000, deleteAt: T0 + HOUR });
      const staleInDir = store(cache, '/d/b.txt', { staleAt: T0 - 1000, deleteAt: T0 + HOUR });
      expect(cache.get(stale.key, T0)?.stale).toBe(true);
      cache.purgeFile(EP, '/a.txt');
      cache.purgeDirectory(EP, '/d/');
      expect(cache.get(stale.key, T0)).toBeUndefined();
      expect(cache.get(staleInDir.key, T0)).toBeUndefined();
    });

    it('replacing a key serves the new object and counts it once', () => {
      const cache = roomy();
      store(cache, '/a.txt', { body: 'first version' });
      const single = cache.bytes;
      const second = store(cache, '/a.txt', { body: 'second version' });
      expect(cache.get(second.key, T0)?.object.body.toString()).toBe('second version');
      expect(cache.count).toBe(1);
      // (A store may count whole blocks of memory: one a little longer may cost the same.)
      expect(cache.bytes).toBeGreaterThanOrEqual(single);
      expect(cache.bytes).toBeLessThan(2 * single);
    });
  });

  describe(`${name}: size limits`, () => {
    it('refuses an object over maxObjectBytes and accepts one of exactly that size', () => {
      const cache = factory(1024 * 1024, 1000);
      expect(cache.maxObjectBytes).toBe(1000);
      const big = object(cache, '/big.bin', { body: Buffer.alloc(1001) });
      expect(cache.put(big)).toBe(false);
      expect(cache.get(big.key, T0)).toBeUndefined();
      expect(cache.count).toBe(0);
      expect(cache.bytes).toBe(0);
      store(cache, '/edge.bin', { body: Buffer.alloc(1000) });
      expect(hit(cache, '/edge.bin')).toBe(true);
    });

    it('a refused object evicts nothing', () => {
      const cache = factory(1024 * 1024, 1000);
      store(cache, '/keep.txt');
      const before = cache.bytes;
      expect(cache.put(object(cache, '/big.bin', { body: Buffer.alloc(5000) }))).toBe(false);
      expect(hit(cache, '/keep.txt')).toBe(true);
      expect(cache.bytes).toBe(before);
    });

    it('evicts the least recently used first, and a get makes an object recently used', () => {
      const cost = costOf('/o/1.bin', 1000);
      // Room for three objects, not four.
      const cache = factory(3 * cost + Math.floor(cost / 2), 4000);
      store(cache, '/o/1.bin', { body: Buffer.alloc(1000) });
      store(cache, '/o/2.bin', { body: Buffer.alloc(1000) });
      store(cache, '/o/3.bin', { body: Buffer.alloc(1000) });
      expect(cache.count).toBe(3);
      expect(hit(cache, '/o/1.bin')).toBe(true); // 2 is now the least recently used
      store(cache, '/o/4.bin', { body: Buffer.alloc(1000) });
      expect(hit(cache, '/o/2.bin')).toBe(false);
      expect(hit(cache, '/o/1.bin')).toBe(true);
      expect(hit(cache, '/o/3.bin')).toBe(true);
      expect(hit(cache, '/o/4.bin')).toBe(true);
      // The reads above left the order 1, 3, 4 (oldest first), so 5 evicts 1.
      store(cache, '/o/5.bin', { body: Buffer.alloc(1000) });
      expect(hit(cache, '/o/1.bin')).toBe(false);
      expect(hit(cache, '/o/3.bin')).toBe(true);
      expect(cache.bytes).toBeLessThanOrEqual(3 * cost + Math.floor(cost / 2));
    });

    it('never holds more than the budget, and always keeps what it just accepted', () => {
      const budget = 20_000;
      const cache = factory(budget, 4000);
      for (let i = 0; i < 200; i++) {
        const size = (i * 397) % 4000;
        const put = store(cache, `/many/${i}.bin`, { body: Buffer.alloc(size) });
        expect(cache.bytes).toBeLessThanOrEqual(budget);
        expect(cache.get(put.key, T0)?.object.body.length).toBe(size);
      }
      expect(cache.count).toBeGreaterThan(1);
      expect(cache.count).toBeLessThan(200);
    });
  });

  describe(`${name}: Vary variants (RFC 9111 §4.1)`, () => {
    const key = cacheKey(EP, '/v.css', '');
    const bodyFor = (cache: CacheStore, request: Record<string, string>) => cache.get(key, T0, request)?.object.body.toString();

    it('keeps variants of one key side by side and gives each request the one that matches it', () => {
      const cache = roomy();
      store(cache, '/v.css', { vary: { origin: 'https://a.test' }, body: 'a' });
      store(cache, '/v.css', { vary: { origin: 'https://b.test' }, body: 'b' });
      store(cache, '/v.css', { vary: { origin: null }, body: 'none' });
      expect(bodyFor(cache, { origin: 'https://a.test' })).toBe('a');
      expect(bodyFor(cache, { origin: 'https://b.test' })).toBe('b');
      expect(bodyFor(cache, {})).toBe('none');
      expect(bodyFor(cache, { origin: 'https://c.test' })).toBeUndefined();
      expect(cache.count).toBe(3);
      // Without a request: whether the key holds anything at all.
      expect(cache.get(key, T0)).toBeDefined();
    });

    it('a variant filled without the header matches only requests without it', () => {
      const cache = roomy();
      store(cache, '/v.css', { vary: { 'accept-language': null }, body: 'plain' });
      expect(bodyFor(cache, { 'accept-language': 'en' })).toBeUndefined();
      expect(bodyFor(cache, {})).toBe('plain');
    });

    it('a put of the same variant replaces it; one with other Vary fields, or none, replaces them all', () => {
      const cache = roomy();
      store(cache, '/v.css', { vary: { origin: 'https://a.test' }, body: 'a1' });
      store(cache, '/v.css', { vary: { origin: 'https://a.test' }, body: 'a2' });
      expect([bodyFor(cache, { origin: 'https://a.test' }), cache.count]).toEqual(['a2', 1]);
      store(cache, '/v.css', { vary: { 'accept-language': 'en' }, body: 'en' });
      expect([bodyFor(cache, { origin: 'https://a.test' }), cache.count]).toEqual([undefined, 1]);
      store(cache, '/v.css', { body: 'whole' });
      expect([bodyFor(cache, { 'accept-language': 'fr' }), cache.count]).toEqual(['whole', 1]);
      store(cache, '/v.css', { vary: { origin: 'https://a.test' }, body: 'a3' });
      expect([bodyFor(cache, {}), cache.count]).toEqual([undefined, 1]);
    });

    it(`keeps at most ${MAX_VARIANTS_PER_KEY} variants of a key, the least recently used going first`, () => {
      const cache = roomy();
      for (let i = 0; i < MAX_VARIANTS_PER_KEY; i++) store(cache, '/v.css', { vary: { origin: `o${i}` }, body: `${i}` });
      expect(bodyFor(cache, { origin: 'o0' })).toBe('0'); // o1 is now the least recently used
      store(cache, '/v.css', { vary: { origin: 'new' }, body: 'new' });
      expect(cache.count).toBe(MAX_VARIANTS_PER_KEY);
      expect(bodyFor(cache, { origin: 'o1' })).toBeUndefined();
      expect(bodyFor(cache, { origin: 'o0' })).toBe('0');
      expect(bodyFor(cache, { origin: 'new' })).toBe('new');
    });

    it('a file purge drops every variant, and a stale variant is not served', () => {
      const cache = roomy();
      store(cache, '/v.css', { vary: { origin: 'a' }, body: 'a' });
      store(cache, '/v.css', { vary: { origin: 'b' }, body: 'b', staleAt: T0 });
      expect(bodyFor(cache, { origin: 'b' })).toBeUndefined();
      cache.purgeFile(EP, '/v.css');
      expect(bodyFor(cache, { origin: 'a' })).toBeUndefined();
      expect(cache.count).toBe(0);
    });
  });

  describe(`${name}: purgeFile`, () => {
    it('drops every query variant of the path and nothing else', () => {
      const cache = roomy();
      store(cache, '/a.jpg');
      store(cache, '/a.jpg', { query: 'w=100' });
      store(cache, '/a.jpg', { query: 'w=200&h=50' });
      store(cache, '/a.jpgx');
      store(cache, '/a.jp');
      store(cache, '/dir/a.jpg');
      store(cache, '/a.jpg', { endpointId: OTHER_EP, query: 'w=100' });
      cache.purgeFile(EP, '/a.jpg');
      expect(hit(cache, '/a.jpg')).toBe(false);
      expect(hit(cache, '/a.jpg', { query: 'w=100' })).toBe(false);
      expect(hit(cache, '/a.jpg', { query: 'w=200&h=50' })).toBe(false);
      expect(hit(cache, '/a.jpgx')).toBe(true);
      expect(hit(cache, '/a.jp')).toBe(true);
      expect(hit(cache, '/dir/a.jpg')).toBe(true);
      expect(hit(cache, '/a.jpg', { endpointId: OTHER_EP, query: 'w=100' })).toBe(true);
    });

    it('does not stop the path being cached again afterwards', () => {
      const cache = roomy();
      store(cache, '/a.jpg');
      cache.purgeFile(EP, '/a.jpg');
      store(cache, '/a.jpg', { body: 'refilled' });
      expect(cache.get(cacheKey(EP, '/a.jpg', ''), T0)?.object.body.toString()).toBe('refilled');
    });
  });

  describe(`${name}: purgeAll`, () => {
    it('drops everything of every endpoint, and refuses what fills begun before it bring', () => {
      const cache = roomy();
      store(cache, '/a.jpg');
      store(cache, '/d/b.jpg', { query: 'v=1' });
      store(cache, '/a.jpg', { endpointId: OTHER_EP });
      const started = cache.beginFill();
      cache.purgeAll();
      expect(hit(cache, '/a.jpg')).toBe(false);
      expect(hit(cache, '/d/b.jpg', { query: 'v=1' })).toBe(false);
      expect(hit(cache, '/a.jpg', { endpointId: OTHER_EP })).toBe(false);
      expect(cache.put(object(cache, '/late.jpg', { generation: started }))).toBe(false);
      cache.endFill(started);
      store(cache, '/a.jpg', { body: 'after' });
      expect(cache.get(cacheKey(EP, '/a.jpg', ''), T0)?.object.body.toString()).toBe('after');
    });
  });

  describe(`${name}: purgeDirectory`, () => {
    const layout = ['/img/a.jpg', '/img/b/c.jpg', '/img/b/c/d/e/f.jpg', '/img/', '/img', '/imgx/a.jpg', '/imgx/', '/other/img/a.jpg', '/a.jpg'];

    it('drops everything under the directory at every depth, and nothing beside it', () => {
      const cache = roomy();
      for (const path of layout) store(cache, path);
      store(cache, '/img/a.jpg', { query: 'v=2' });
      store(cache, '/img/a.jpg', { endpointId: OTHER_EP });
      cache.purgeDirectory(EP, '/img/');
      for (const gone of ['/img/a.jpg', '/img/b/c.jpg', '/img/b/c/d/e/f.jpg', '/img/']) expect(hit(cache, gone), gone).toBe(false);
      expect(hit(cache, '/img/a.jpg', { query: 'v=2' })).toBe(false);
      for (const kept of ['/img', '/imgx/a.jpg', '/imgx/', '/other/img/a.jpg', '/a.jpg']) expect(hit(cache, kept), kept).toBe(true);
      expect(hit(cache, '/img/a.jpg', { endpointId: OTHER_EP })).toBe(true);
    });

    it('a subdirectory purge leaves its parent and siblings alone', () => {
      const cache = roomy();
      for (const path of layout) store(cache, path);
      cache.purgeDirectory(EP, '/img/b/');
      expect(hit(cache, '/img/b/c.jpg')).toBe(false);
      expect(hit(cache, '/img/b/c/d/e/f.jpg')).toBe(false);
      expect(hit(cache, '/img/a.jpg')).toBe(true);
      expect(hit(cache, '/img/')).toBe(true);
    });

    it('"/" drops the whole endpoint', () => {
      const cache = roomy();
      for (const path of layout) store(cache, path);
      store(cache, '/a.jpg', { endpointId: OTHER_EP });
      cache.purgeDirectory(EP, '/');
      for (const path of layout) expect(hit(cache, path), path).toBe(false);
      expect(hit(cache, '/a.jpg', { endpointId: OTHER_EP })).toBe(true);
    });

    it('a directory given without its trailing slash is that directory, never the whole endpoint', () => {
      const cache = roomy();
      for (const path of layout) store(cache, path);
      cache.purgeDirectory(EP, '/img');
      expect(hit(cache, '/img/a.jpg')).toBe(false);
      expect(hit(cache, '/a.jpg')).toBe(true);
      expect(hit(cache, '/imgx/a.jpg')).toBe(true);
    });

    it('does not stop the directory being cached again afterwards', () => {
      const cache = roomy();
      store(cache, '/img/a.jpg');
      cache.purgeDirectory(EP, '/img/');
      store(cache, '/img/a.jpg');
      store(cache, '/img/new/b.jpg');
      expect(hit(cache, '/img/a.jpg')).toBe(true);
      expect(hit(cache, '/img/new/b.jpg')).toBe(true);
    });
  });

  describe(`${name}: purgeEndpoint`, () => {
    it("drops every object of the endpoint and none of another's", () => {
      const cache = roomy();
      store(cache, '/a.jpg');
      store(cache, '/a.jpg', { query: 'x=1' });
      store(cache, '/deep/er/b.css');
      store(cache, '/a.jpg', { endpointId: OTHER_EP });
      cache.purgeEndpoint(EP);
      expect(hit(cache, '/a.jpg')).toBe(false);
      expect(hit(cache, '/a.jpg', { query: 'x=1' })).toBe(false);
      expect(hit(cache, '/deep/er/b.css')).toBe(false);
      expect(hit(cache, '/a.jpg', { endpointId: OTHER_EP })).toBe(true);
      store(cache, '/a.jpg');
      expect(hit(cache, '/a.jpg')).toBe(true);
    });
  });

  describe(`${name}: purgePattern`, () => {
    it('drops exactly what matches ("*" crosses "/"), in every query variant, of that endpoint only', () => {
      const cache = roomy();
      const layout = ['/a.html', '/d/e/b.html', '/a.htm', '/a.html.bak', '/img/x/t.png', '/img/x/y/t.png', '/img/t.png', '/imgx/x/t.png'];
      for (const path of layout) store(cache, path);
      store(cache, '/a.html', { query: 'v=2' });
      store(cache, '/a.html', { endpointId: OTHER_EP });
      cache.purgePattern(EP, '/*.html');
      cache.purgePattern(EP, '/img/*/t.png');
      for (const gone of ['/a.html', '/d/e/b.html', '/img/x/t.png', '/img/x/y/t.png']) expect(hit(cache, gone), gone).toBe(false);
      expect(hit(cache, '/a.html', { query: 'v=2' })).toBe(false);
      for (const kept of ['/a.htm', '/a.html.bak', '/img/t.png', '/imgx/x/t.png']) expect(hit(cache, kept), kept).toBe(true);
      expect(hit(cache, '/a.html', { endpointId: OTHER_EP })).toBe(true);
    });
  });

  describe(`${name}: purgeTag`, () => {
    it('drops at once exactly the objects of the endpoint that carry the tag, every variant', () => {
      const cache = roomy();
      store(cache, '/a.js', { tags: ['red', 'round'] });
      store(cache, '/a.js', { query: 'v=2', tags: ['red'] });
      store(cache, '/b.js', { tags: ['blue'] });
      store(cache, '/c.js');
      store(cache, '/a.js', { endpointId: OTHER_EP, tags: ['red'] });
      cache.purgeTag(EP, 'red');
      expect(cache.count).toBe(3);
      expect([hit(cache, '/a.js'), hit(cache, '/a.js', { query: 'v=2' }), hit(cache, '/b.js'), hit(cache, '/c.js')]).toEqual([false, false, true, true]);
      expect(hit(cache, '/a.js', { endpointId: OTHER_EP })).toBe(true);
    });

    it('follows what is stored: a replaced object is found by its new tags only', () => {
      const cache = roomy();
      store(cache, '/a.js', { tags: ['old'] });
      store(cache, '/a.js', { tags: ['new'] });
      cache.purgeTag(EP, 'old');
      expect(hit(cache, '/a.js')).toBe(true);
      cache.purgeTag(EP, 'new');
      expect(hit(cache, '/a.js')).toBe(false);
    });
  });

  describe(`${name}: soft purges`, () => {
    const soft: Array<[string, (cache: CacheStore, at: number) => void]> = [
      ['purgeFile', (cache, at) => cache.purgeFile(EP, '/img/a.jpg', at)],
      ['purgeDirectory', (cache, at) => cache.purgeDirectory(EP, '/img/', at)],
      ['purgePattern', (cache, at) => cache.purgePattern(EP, '/*.jpg', at)],
      ['purgeTag', (cache, at) => cache.purgeTag(EP, 'pic', at)],
    ];

    it.each(soft)('%s keeps what it covers, stale from the purge on, with its body; others stay fresh', (_, purge) => {
      const cache = roomy();
      const kept = store(cache, '/img/a.jpg', { tags: ['pic'] });
      store(cache, '/other.css');
      purge(cache, T0 + 1000);
      const found = cache.get(kept.key, T0 + 2000);
      expect([found?.stale, found?.object.staleAt, found?.object.body.toString()]).toEqual([true, T0 + 1000, 'body of /img/a.jpg']);
      // Kept as long as it would have been, for revalidation and stale-if-error.
      expect(found?.object.deleteAt).toBe(T0 + HOUR);
      expect(cache.get(cacheKey(EP, '/other.css', ''), T0 + 2000)?.stale).toBe(false);
    });

    it.each(soft)('a fill that raced a soft %s is stored stale; one that started after it, fresh', (_, purge) => {
      const cache = roomy();
      const started = cache.beginFill();
      purge(cache, T0 + 1000);
      expect(cache.put(object(cache, '/img/a.jpg', { generation: started, tags: ['pic'], storedAt: T0 + 1500, staleAt: T0 + HOUR }))).toBe(true);
      cache.endFill(started);
      expect(cache.get(cacheKey(EP, '/img/a.jpg', ''), T0 + 2000)?.stale).toBe(true);
      store(cache, '/img/a.jpg', { tags: ['pic'], generation: cache.generation(), staleAt: T0 + HOUR });
      expect(cache.get(cacheKey(EP, '/img/a.jpg', ''), T0 + 2000)?.stale).toBe(false);
    });
  });

  describe(`${name}: a fill that raced a purge`, () => {
    const purges: Array<[string, (cache: CacheStore) => void]> = [
      ['purgeFile', (cache) => cache.purgeFile(EP, '/img/a.jpg')],
      ['purgeDirectory of its directory', (cache) => cache.purgeDirectory(EP, '/img/')],
      ['purgeDirectory of an ancestor', (cache) => cache.purgeDirectory(EP, '/')],
      ['purgeEndpoint', (cache) => cache.purgeEndpoint(EP)],
      ['purgePattern that matches it', (cache) => cache.purgePattern(EP, '/*/a.*')],
      ['purgeTag of one of its tags', (cache) => cache.purgeTag(EP, 'pic')],
    ];

    it.each(purges)('is refused when it started before a covering %s, however long it takes', async (_, purge) => {
      const cache = roomy();
      const started = cache.beginFill();
      purge(cache);
      // Whatever the store does in the background meanwhile (sweeping, pruning its records).
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      const late = object(cache, '/img/a.jpg', { query: 'v=1', generation: started, tags: ['jpeg', 'pic'] });
      expect(cache.put(late)).toBe(false);
      cache.endFill(started);
      expect(cache.get(late.key, T0)).toBeUndefined();
      expect(cache.count).toBe(0);
    });

    it.each(purges)('is stored when it started after the %s', (_, purge) => {
      const cache = roomy();
      purge(cache);
      const fresh = store(cache, '/img/a.jpg', { query: 'v=1', generation: cache.generation(), tags: ['jpeg', 'pic'] });
      expect(cache.get(fresh.key, T0)).toBeDefined();
    });

    it('is stored when the purge that came meanwhile does not cover it', () => {
      const cache = roomy();
      const started = cache.generation();
      cache.purgeFile(EP, '/img/b.jpg');
      cache.purgeDirectory(EP, '/imgx/');
      cache.purgeDirectory(EP, '/img/a.jpg/');
      cache.purgeEndpoint(OTHER_EP);
      store(cache, '/img/a.jpg', { generation: started });
      expect(hit(cache, '/img/a.jpg')).toBe(true);
    });

    it('a stored object filled before a purge is not served after it, however it was put', () => {
      const cache = roomy();
      const started = cache.generation();
      store(cache, '/img/a.jpg', { generation: started });
      cache.purgeDirectory(EP, '/img/');
      expect(hit(cache, '/img/a.jpg')).toBe(false);
      // And a second fill from the same (pre-purge) start cannot bring it back.
      expect(cache.put(object(cache, '/img/a.jpg', { generation: started }))).toBe(false);
      expect(hit(cache, '/img/a.jpg')).toBe(false);
    });

    it('generation() moves forward with every purge', () => {
      const cache = roomy();
      const g0 = cache.generation();
      cache.purgeFile(EP, '/a');
      const g1 = cache.generation();
      cache.purgeDirectory(EP, '/b/');
      const g2 = cache.generation();
      cache.purgeEndpoint(EP);
      expect(g1).toBeGreaterThan(g0);
      expect(g2).toBeGreaterThan(g1);
      expect(cache.generation()).toBeGreaterThan(g2);
    });
  });

  describe(`${name}: tag purge cost does not grow with what is cached`, () => {
    it('purging a tag among 100,000 objects costs about what it costs among 10', () => {
      const body = Buffer.from('x');
      const timeTagPurge = (others: number) => {
        const cache = factory(1024 * 1024 * 1024, 1024);
        for (let i = 0; i < others; i++) if (!cache.put(object(cache, `/o/f${i}.txt`, { body, tags: [`t${i % 1000}`] }))) expect.fail('put');
        for (let i = 0; i < 10; i++) cache.put(object(cache, `/tagged/f${i}.txt`, { body, tags: ['wanted'] }));
        for (let i = 0; i < 20; i++) cache.purgeTag(EP, `warm-${i}`);
        const start = performance.now();
        cache.purgeTag(EP, 'wanted');
        const ms = performance.now() - start;
        expect(cache.count).toBe(others);
        return ms;
      };
      const smallMs = timeTagPurge(10);
      const bigMs = timeTagPurge(100_000);
      expect(bigMs).toBeLessThan(5);
      expect(bigMs).toBeLessThan(20 * smallMs + 1);
    });
  });

  describe(`${name}: directory purge cost does not grow with what is cached`, () => {
    it('purging a directory of 100,000 objects costs about what purging one of 10 does', () => {
      const cache = factory(1024 * 1024 * 1024, 1024);
      const body = Buffer.from('x');
      const BIG = 100_000;
      const fillAll = (paths: string[]) => {
        for (const path of paths) if (!cache.put(object(cache, path, { body }))) expect.fail(`put ${path}`);
        return paths;
      };
      const big = fillAll(Array.from({ length: BIG }, (_, i) => `/big/d${i % 100}/f${i}.txt`));
      const small = fillAll(Array.from({ length: 10 }, (_, i) => `/small/f${i}.txt`));
      const kept = fillAll([
        ...Array.from({ length: 1000 }, (_, i) => `/keep/d${i % 10}/f${i}.txt`),
        ...Array.from({ length: 100 }, (_, i) => `/big${i}.txt`),
        ...Array.from({ length: 100 }, (_, i) => `/bigx/f${i}.txt`),
        '/big',
      ]);
      expect(cache.count).toBe(BIG + 10 + kept.length);

      const time = (purge: () => void) => {
        const start = performance.now();
        purge();
        return performance.now() - start;
      };
      for (let i = 0; i < 20; i++) cache.purgeDirectory(EP, `/warm/${i}/`);
      const smallMs = time(() => cache.purgeDirectory(EP, '/small/'));
      const bigMs = time(() => cache.purgeDirectory(EP, '/big/'));
      expect(smallMs).toBeLessThan(5);
      expect(bigMs).toBeLessThan(5);
      // Generous: 20 times the small one, plus a millisecond for timer and scheduling noise.
      expect(bigMs).toBeLessThan(20 * smallMs + 1);

      for (const path of [...big, ...small]) if (hit(cache, path)) expect.fail(`${path} is still served`);
      for (const path of kept) if (!hit(cache, path)) expect.fail(`${path} was lost`);
    });
  });
}
