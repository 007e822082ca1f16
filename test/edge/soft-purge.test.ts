/**
 * Soft purges (extension): what a soft purge covers is kept but stale, so the next request
 * revalidates it with the origin (a conditional request; a 304 keeps the stored body), and
 * while the origin fails the stale-serving rules still apply. The origin's request log is the
 * proof of what went to it; the edge's TestClock moves time, nothing sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OriginAnswer, OriginRequestSeen } from '../support/origin-server.js';
import { closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';
const ID = `ep-${DOMAIN}`;
const NONE = { files: [], directories: [], patterns: [], tags: [] };

/** An origin with validators: 304 to a matching If-None-Match. */
function validated(cacheControl: string, body: string) {
  return (req: OriginRequestSeen): OriginAnswer =>
    req.headers['if-none-match'] === '"v1"'
      ? { status: 304, headers: { etag: '"v1"', 'cache-control': cacheControl } }
      : { headers: { etag: '"v1"', 'cache-control': cacheControl, 'cache-tag': 'page' }, body };
}

describe('soft purge', () => {
  it.each([
    ['a file', { ...NONE, files: ['/a.html'] }],
    ['a directory', { ...NONE, directories: ['/'] }],
    ['a pattern', { ...NONE, patterns: ['/*.html'] }],
    ['a tag', { ...NONE, tags: ['page'] }],
  ])('of %s: the next request revalidates, and a 304 keeps the stored body', async (_, soft) => {
    const origin = await startOrigin();
    origin.on('/a.html', validated('max-age=600', 'stored body'));
    origin.on('/other.html', { headers: { 'cache-control': 'max-age=600' }, body: 'other' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    await edge.get(DOMAIN, '/a.html');
    await edge.get(DOMAIN, '/other.html');
    expect((await edge.get(DOMAIN, '/a.html')).headers['x-cache']).toBe('HIT');

    await edge.node.purge(ID, { ...NONE, soft });
    // Still stored (soft), not dropped.
    expect(edge.cache.count).toBe(2);
    const revalidated = await edge.get(DOMAIN, '/a.html');
    expect([revalidated.status, revalidated.text]).toEqual([200, 'stored body']);
    expect(origin.requests.filter((r) => r.url === '/a.html').map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
    // Fresh again for the 304's max-age: a hit, no third request.
    expect((await edge.get(DOMAIN, '/a.html')).headers['x-cache']).toBe('HIT');
    expect(origin.count('/a.html')).toBe(2);
  });

  it('serves the stale copy within stale-if-error while the origin fails', async () => {
    const origin = await startOrigin();
    origin.on('/a.html', { headers: { etag: '"v1"', 'cache-control': 'max-age=600, stale-if-error=300' }, body: 'kept' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    await edge.get(DOMAIN, '/a.html');
    await edge.node.purge(ID, { ...NONE, soft: { ...NONE, files: ['/a.html'] } });
    origin.on('/a.html', { status: 503, body: 'down' });
    const during = await edge.get(DOMAIN, '/a.html');
    expect([during.status, during.text]).toEqual([200, 'kept']);
    expect(origin.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
    // Past stale-if-error, counted from the soft purge: the origin's error goes through.
    edge.clock.advance(301_000);
    expect((await edge.get(DOMAIN, '/a.html')).status).toBe(503);
  });

  it('a hard purge of the same object after a soft one drops it', async () => {
    const origin = await startOrigin();
    origin.on('/a.html', validated('max-age=600', 'body'));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    await edge.get(DOMAIN, '/a.html');
    await edge.node.purge(ID, { ...NONE, tags: ['page'], soft: { ...NONE, files: ['/a.html'] } });
    expect(edge.cache.count).toBe(0);
    await edge.get(DOMAIN, '/a.html');
    expect(origin.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, undefined]);
  });

  it('stores a fill under way when the purge came as stale: the request after it revalidates', async () => {
    const origin = await startOrigin();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    origin.on('/slow.html', (req) =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=600' } }
        : { headers: { etag: '"v1"', 'cache-control': 'max-age=600' }, body: 'slow', until: held },
    );
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    const pending = edge.get(DOMAIN, '/slow.html');
    while (origin.count('/slow.html') === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    await edge.node.purge(ID, { ...NONE, soft: { ...NONE, files: ['/slow.html'] } });
    release();
    expect((await pending).text).toBe('slow');
    const next = await edge.get(DOMAIN, '/slow.html');
    expect([next.status, next.text]).toEqual([200, 'slow']);
    expect(origin.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
  });
});
