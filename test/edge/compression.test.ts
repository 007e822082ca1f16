/**
 * Compression at the edge (issue 10): a cached text object is sent gzip or br to clients that
 * accept it, from a copy the edge makes in the background after the first hit; everyone else
 * still gets identity. The client decompresses what it got and compares it with the origin's.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeAll, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';
/** Text well over the 1 KiB threshold, and compressible. */
const CSS = Array.from({ length: 200 }, (_, i) => `.rule-${i} { color: #${(i * 4099).toString(16).padStart(6, '0')}; margin: ${i}px; }\n`).join('');

async function edgeWithText(path = '/site.css', headers: Record<string, string> = {}, body: string | Buffer = CSS) {
  const origin = await startOrigin();
  origin.on(path, { body, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=600', etag: '"v1"', ...headers } });
  const edge = await startEdge();
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
  return { origin, edge };
}

/** Asks until the edge answers in `encoding` (its copy is ready, made in the background). */
function untilEncoded(edge: TestEdge, path: string, encoding: string, headers: Record<string, string> = {}) {
  return vi.waitFor(
    async () => {
      const response = await edge.get(DOMAIN, path, { headers: { 'accept-encoding': encoding, ...headers } });
      if (response.headers['content-encoding'] !== encoding) throw new Error(`${path} is not yet served ${encoding}`);
      return response;
    },
    { timeout: 3_000, interval: 20 },
  );
}

describe('compression of cached text', () => {
  it('serves gzip to a client that accepts it once the copy is made, and it decompresses to the original', async () => {
    const { origin, edge } = await edgeWithText();
    const miss = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip' } });
    expect([miss.headers['x-cache'], miss.headers['content-encoding'], miss.text]).toEqual(['MISS', undefined, CSS]);

    const gz = await untilEncoded(edge, '/site.css', 'gzip');
    expect(gz.headers['x-cache']).toBe('HIT');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toBe('Accept-Encoding');
    expect(gz.headers['etag']).toBe('"v1-gzip"');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gz.body.length).toBeLessThan(CSS.length / 2);
    expect(gunzipSync(gz.body).toString()).toBe(CSS);
    expect(origin.count('/site.css')).toBe(1);
  });

  it('serves br likewise, preferred to gzip when both are accepted', async () => {
    const { edge } = await edgeWithText();
    await edge.get(DOMAIN, '/site.css');
    const br = await untilEncoded(edge, '/site.css', 'br');
    expect([br.headers['content-encoding'], br.headers['etag']]).toEqual(['br', '"v1-br"']);
    expect(brotliDecompressSync(br.body).toString()).toBe(CSS);
    const both = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(both.headers['content-encoding']).toBe('br');
  });

  it('still gives identity to clients that do not accept a coding, with Vary so that caches downstream keep them apart', async () => {
    const { edge } = await edgeWithText();
    await edge.get(DOMAIN, '/site.css');
    await untilEncoded(edge, '/site.css', 'gzip');
    for (const accept of [undefined, 'identity', 'gzip;q=0', 'deflate']) {
      const plain = await edge.get(DOMAIN, '/site.css', accept === undefined ? {} : { headers: { 'accept-encoding': accept } });
      expect([accept, plain.headers['x-cache'], plain.headers['content-encoding'], plain.headers['vary'], plain.headers['etag'], plain.text]).toEqual([
        accept,
        'HIT',
        undefined,
        'Accept-Encoding',
        '"v1"',
        CSS,
      ]);
    }
  });

  it('says Vary: Accept-Encoding from the first answer, the miss, as its hits will; not for what is never compressed', async () => {
    const { origin, edge } = await edgeWithText();
    origin.on('/logo.png', { body: Buffer.alloc(4096, 0x41), headers: { 'content-type': 'image/png', 'cache-control': 'max-age=600' } });
    origin.on('/vary.css', { body: CSS, headers: { 'content-type': 'text/css', 'cache-control': 'max-age=600', vary: 'Origin' } });
    origin.on('/private.css', { body: CSS, headers: { 'content-type': 'text/css', 'cache-control': 'private' } });
    const miss = await edge.get(DOMAIN, '/site.css');
    expect([miss.headers['x-cache'], miss.headers['content-encoding'], miss.headers['vary']]).toEqual(['MISS', undefined, 'Accept-Encoding']);
    // A downstream cache revalidating the miss gets the same Vary on the 304.
    const again = await edge.get(DOMAIN, '/site.css?v=2', { headers: { 'if-none-match': '"v1"' } });
    expect([again.status, again.headers['x-cache'], again.headers['vary']]).toEqual([304, 'MISS', 'Accept-Encoding']);
    const varied = await edge.get(DOMAIN, '/vary.css', { headers: { origin: 'https://a.example' } });
    expect(varied.headers['vary']).toBe('Origin, Accept-Encoding');
    for (const path of ['/logo.png', '/private.css']) {
      const passed = await edge.get(DOMAIN, path);
      expect([path, passed.headers['vary']]).toEqual([path, undefined]);
    }
  });

  it('HEAD gets the headers GET would, and 304 answers each representation by its own ETag', async () => {
    const { edge } = await edgeWithText();
    await edge.get(DOMAIN, '/site.css');
    const gz = await untilEncoded(edge, '/site.css', 'gzip');
    const head = await edge.get(DOMAIN, '/site.css', { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
    expect([head.headers['content-encoding'], head.headers['content-length'], head.headers['etag'], head.body.length]).toEqual([
      'gzip',
      String(gz.body.length),
      '"v1-gzip"',
      0,
    ]);
    const revalidated = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip', 'if-none-match': '"v1-gzip"' } });
    expect([revalidated.status, revalidated.headers['etag'], revalidated.headers['content-encoding']]).toEqual([304, '"v1-gzip"', 'gzip']);
    // A client that switched from identity to gzip must not keep its identity copy as if it were this one.
    const switched = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip', 'if-none-match': '"v1"' } });
    expect([switched.status, switched.headers['content-encoding']]).toEqual([200, 'gzip']);
    const identity = await edge.get(DOMAIN, '/site.css', { headers: { 'if-none-match': '"v1"' } });
    expect(identity.status).toBe(304);
  });

  it('answers a Range from identity, even from a client that accepts gzip', async () => {
    const { edge } = await edgeWithText();
    await edge.get(DOMAIN, '/site.css');
    await untilEncoded(edge, '/site.css', 'gzip');
    const part = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip', range: 'bytes=0-9' } });
    expect([part.status, part.headers['content-encoding'], part.text, part.headers['content-range']]).toEqual([206, undefined, CSS.slice(0, 10), `bytes 0-9/${CSS.length}`]);
  });

  it('never compresses an image, a small body, or a response marked no-transform', async () => {
    const origin = await startOrigin();
    const png = Buffer.alloc(4096, 0x41); // compressible bytes: only the type keeps it identity
    origin.on('/logo.png', { body: png, headers: { 'content-type': 'image/png', 'cache-control': 'max-age=600' } });
    origin.on('/tiny.css', { body: 'a{}', headers: { 'content-type': 'text/css', 'cache-control': 'max-age=600' } });
    origin.on('/keep.css', { body: CSS, headers: { 'content-type': 'text/css', 'cache-control': 'max-age=600, no-transform' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    // And a text one, whose copy being served shows the others had every chance.
    origin.on('/site.css', { body: CSS, headers: { 'content-type': 'text/css', 'cache-control': 'max-age=600' } });
    for (const path of ['/logo.png', '/tiny.css', '/keep.css', '/site.css']) {
      await edge.get(DOMAIN, path);
      await edge.get(DOMAIN, path, { headers: { 'accept-encoding': 'gzip' } });
    }
    expect((await untilEncoded(edge, '/site.css', 'gzip')).headers['content-encoding']).toBe('gzip');
    for (const path of ['/logo.png', '/tiny.css', '/keep.css']) {
      const hit = await edge.get(DOMAIN, path, { headers: { 'accept-encoding': 'gzip, br' } });
      expect([path, hit.headers['x-cache'], hit.headers['content-encoding'], hit.headers['vary']]).toEqual([path, 'HIT', undefined, undefined]);
    }
  });

  it('respects a request that says no-transform', async () => {
    const { edge } = await edgeWithText();
    await edge.get(DOMAIN, '/site.css');
    await untilEncoded(edge, '/site.css', 'gzip');
    const hit = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip', 'cache-control': 'no-transform' } });
    expect([hit.headers['content-encoding'], hit.text]).toEqual([undefined, CSS]);
  });

  it('a purge drops the compressed copies with the object, and the new content gets copies of its own', async () => {
    const { origin, edge } = await edgeWithText();
    await edge.get(DOMAIN, '/site.css');
    await untilEncoded(edge, '/site.css', 'gzip');
    await untilEncoded(edge, '/site.css', 'br');
    const withCopies = edge.cache.bytes;
    const NEW = CSS.replaceAll('margin', 'padding');
    origin.on('/site.css', { body: NEW, headers: { 'content-type': 'text/css', 'cache-control': 'max-age=600', etag: '"v2"' } });

    await edge.node.purge(`ep-${DOMAIN}`, { files: ['/site.css'], directories: [], patterns: [] });
    expect(edge.cache.count).toBe(0);
    // Nothing left but the purge record, until it is swept and pruned.
    await vi.waitFor(() => expect(edge.cache.bytes).toBe(0));
    expect(withCopies).toBeGreaterThan(CSS.length);
    const refilled = await edge.get(DOMAIN, '/site.css', { headers: { 'accept-encoding': 'gzip' } });
    expect([refilled.headers['x-cache'], refilled.headers['content-encoding'], refilled.text]).toEqual(['MISS', undefined, NEW]);
    const gz = await untilEncoded(edge, '/site.css', 'gzip');
    expect([gz.headers['etag'], gunzipSync(gz.body).toString()]).toEqual(['"v2-gzip"', NEW]);
  });
});
