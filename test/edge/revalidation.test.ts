/**
 * Revalidation and serving stale (issue 10, "Missing HTTP semantics"): stale objects are kept
 * and revalidated with the stored validators (RFC 9111 §4.3), a 304 updates the stored headers
 * (§4.3.4), must-revalidate and its kin forbid serving stale, and RFC 5861's
 * stale-while-revalidate and stale-if-error. The origin's request log is the proof of what went
 * to it; the edge's TestClock moves time, nothing sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/edge/cache/cache-store.js';
import type { OriginAnswer, OriginRequestSeen, OriginServer } from '../support/origin-server.js';
import { closeAll, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

async function edgeFor(origin: OriginServer): Promise<TestEdge> {
  const edge = await startEdge();
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
  return edge;
}

/** Polls until `condition` holds (a background revalidation has reached the origin). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('revalidation of a stale object (RFC 9111 §4.3)', () => {
  it('sends the stored validators; a 304 updates the stored headers and freshness, and the client gets the stored body', async () => {
    const origin = await startOrigin();
    const lastModified = 'Sun, 01 Mar 2026 10:00:00 GMT';
    origin.on('/a.txt', (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60', 'test-header': 'new' } }
        : { headers: { etag: '"v1"', 'last-modified': lastModified, 'cache-control': 'max-age=10', 'test-header': 'old', 'content-type': 'text/plain' }, body: 'stored body' },
    );
    const edge = await edgeFor(origin);
    expect((await edge.get(DOMAIN, '/a.txt')).text).toBe('stored body');

    edge.clock.advance(11_000);
    const revalidated = await edge.get(DOMAIN, '/a.txt');
    expect(origin.requests[1]?.headers['if-none-match']).toBe('"v1"');
    expect(origin.requests[1]?.headers['if-modified-since']).toBe(lastModified);
    expect([revalidated.status, revalidated.text, revalidated.headers['test-header']]).toEqual([200, 'stored body', 'new']);
    expect(revalidated.headers['content-type']).toBe('text/plain');
    expect(revalidated.headers['content-length']).toBe(String('stored body'.length));

    // Fresh again for the 304's max-age=60, with the updated headers.
    edge.clock.advance(50_000);
    const hit = await edge.get(DOMAIN, '/a.txt');
    expect([hit.headers['x-cache'], hit.text, hit.headers['test-header']]).toEqual(['HIT', 'stored body', 'new']);
    expect(origin.count('/a.txt')).toBe(2);
  });

  it("answers a client's own matching conditional with 304 after revalidating", async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === '"v1"' ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=10' } } : { headers: { etag: '"v1"', 'cache-control': 'max-age=10' }, body: 'body' },
    );
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    edge.clock.advance(11_000);
    const response = await edge.get(DOMAIN, '/a.txt', { headers: { 'if-none-match': '"v1"' } });
    expect([response.status, response.text]).toEqual([304, '']);
    expect(origin.count('/a.txt')).toBe(2);
  });

  it('is one fill: concurrent requests for a stale object join one conditional request', async () => {
    const origin = await startOrigin();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    origin.on('/a.txt', (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=10' }, until: held }
        : { headers: { etag: '"v1"', 'cache-control': 'max-age=10' }, body: 'body' },
    );
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    edge.clock.advance(11_000);
    const first = edge.get(DOMAIN, '/a.txt');
    await until(() => origin.count('/a.txt') === 2);
    const second = edge.get(DOMAIN, '/a.txt');
    // The second has reached the edge and joined once the edge counts two clients on the fill.
    await until(() => edge.node.fillClients === 2);
    release();
    for (const response of await Promise.all([first, second])) expect(response).toMatchObject({ status: 200, text: 'body' });
    expect(origin.count('/a.txt')).toBe(2);
  });

  it('replaces the stored object when the origin answers 200', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { etag: '"v1"', 'cache-control': 'max-age=10' }, body: 'one' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    origin.on('/a.txt', { headers: { etag: '"v2"', 'cache-control': 'max-age=10' }, body: 'two' });
    edge.clock.advance(11_000);
    expect((await edge.get(DOMAIN, '/a.txt')).text).toBe('two');
    const hit = await edge.get(DOMAIN, '/a.txt');
    expect([hit.headers['x-cache'], hit.text, hit.headers['etag']]).toEqual(['HIT', 'two', '"v2"']);
  });
});

describe('no-cache (RFC 9111 §5.2.2.4)', () => {
  it('stores a no-cache response with a validator and revalidates it on every use', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === '"v1"' ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'no-cache' } } : { headers: { etag: '"v1"', 'cache-control': 'no-cache, max-age=600' }, body: 'body' },
    );
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    for (let i = 0; i < 2; i++) expect(await edge.get(DOMAIN, '/a.txt')).toMatchObject({ status: 200, text: 'body' });
    expect(origin.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"', '"v1"']);
  });

  it('never serves it stale when the origin cannot be reached', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { etag: '"v1"', 'cache-control': 'no-cache, stale-if-error=600' }, body: 'body' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    await origin.close();
    expect((await edge.get(DOMAIN, '/a.txt')).status).toBe(502);
  });
});

describe('serving stale when the origin fails', () => {
  it('serves the stale copy when the origin cannot be reached', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { 'cache-control': 'max-age=10' }, body: 'kept' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    await origin.close();
    edge.clock.advance(11_000);
    const response = await edge.get(DOMAIN, '/a.txt');
    expect([response.status, response.text, response.headers['x-cache']]).toEqual([200, 'kept', 'HIT']);
    expect(Number(response.headers['age'])).toBeGreaterThanOrEqual(11);
  });

  it.each(['max-age=10, must-revalidate', 'max-age=10, proxy-revalidate', 's-maxage=10'])('never serves stale under %s (RFC 9111 §4.2.4)', async (cacheControl) => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { 'cache-control': `${cacheControl}, stale-if-error=600` }, body: 'kept' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    await origin.close();
    edge.clock.advance(11_000);
    expect((await edge.get(DOMAIN, '/a.txt')).status).toBe(502);
  });

  it('serves stale for a 5xx within stale-if-error only (RFC 5861 §4)', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { 'cache-control': 'max-age=10, stale-if-error=60' }, body: 'kept' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    origin.on('/a.txt', { status: 503, body: 'busy' });
    edge.clock.advance(11_000);
    expect(await edge.get(DOMAIN, '/a.txt')).toMatchObject({ status: 200, text: 'kept' });
    edge.clock.advance(60_000);
    expect(await edge.get(DOMAIN, '/a.txt')).toMatchObject({ status: 503, text: 'busy' });
  });

  it('passes a 5xx on when the response has no stale-if-error', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { 'cache-control': 'max-age=10' }, body: 'kept' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    origin.on('/a.txt', { status: 503, body: 'busy' });
    edge.clock.advance(11_000);
    expect((await edge.get(DOMAIN, '/a.txt')).status).toBe(503);
  });
});

describe('stale-while-revalidate (RFC 5861 §3)', () => {
  it('serves stale at once and revalidates once in the background, then serves what came', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { etag: '"v1"', 'cache-control': 'max-age=10, stale-while-revalidate=60' }, body: 'one' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    origin.on('/a.txt', { headers: { etag: '"v2"', 'cache-control': 'max-age=10, stale-while-revalidate=60' }, body: 'two', until: held });
    edge.clock.advance(11_000);
    // The origin holds its answer: both are served stale at once, with one revalidation between them.
    for (let i = 0; i < 2; i++) expect(await edge.get(DOMAIN, '/a.txt')).toMatchObject({ status: 200, text: 'one', headers: { 'x-cache': 'HIT' } });
    await until(() => origin.count('/a.txt') === 2);
    expect(origin.requests[1]?.headers['if-none-match']).toBe('"v1"');
    release();
    await until(() => edge.cache.get(cacheKey(`ep-${DOMAIN}`, '/a.txt', ''), edge.clock.now())?.stale === false);
    expect(await edge.get(DOMAIN, '/a.txt')).toMatchObject({ text: 'two', headers: { 'x-cache': 'HIT' } });
    expect(origin.count('/a.txt')).toBe(2);
  });

  it('goes to the origin past the window', async () => {
    const origin = await startOrigin();
    origin.on('/a.txt', { headers: { 'cache-control': 'max-age=10, stale-while-revalidate=5' }, body: 'one' });
    const edge = await edgeFor(origin);
    await edge.get(DOMAIN, '/a.txt');
    origin.on('/a.txt', { headers: { 'cache-control': 'max-age=10' }, body: 'two' });
    edge.clock.advance(15_001);
    expect(await edge.get(DOMAIN, '/a.txt')).toMatchObject({ text: 'two', headers: { 'x-cache': 'MISS' } });
  });
});
