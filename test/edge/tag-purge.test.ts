/**
 * Tag purges (extension): the edge indexes the tags of the configured tag headers (Cache-Tag
 * unless configured; Surrogate-Key split on spaces), a tag purge evicts exactly the objects
 * that carried the tag on that endpoint, fills under way when it comes are not stored, and the
 * tag headers never reach clients. The origin's request count is the proof of a miss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';
const ID = `ep-${DOMAIN}`;
const OTHER = 'other.example.com';

const tagPurge = (tags: string[]) => ({ files: [], directories: [], patterns: [], tags });

describe('purge by tag', () => {
  it('evicts exactly the objects that carried the tag, on its endpoint only, and hides Cache-Tag from clients', async () => {
    const origin = await startOrigin();
    origin.on('/a.html', { headers: { 'cache-tag': 'product-1, page' }, body: 'a' });
    origin.on('/b.html', { headers: { 'cache-tag': 'product-2,page' }, body: 'b' });
    origin.on('/c.html', { headers: { 'cache-tag': 'product-1' }, body: 'c' });
    origin.on('/d.html', { body: 'd' });
    const edge = await startEdge();
    for (const domain of [DOMAIN, OTHER]) await edge.endpoint({ customDomain: domain, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    const paths = ['/a.html', '/a.html?v=2', '/b.html', '/c.html', '/d.html'];
    for (const path of paths) {
      const response = await edge.get(DOMAIN, path);
      expect(response.headers['cache-tag'], path).toBeUndefined();
    }
    await edge.get(OTHER, '/a.html');
    expect((await edge.get(DOMAIN, '/a.html')).headers['cache-tag']).toBeUndefined();

    await edge.node.purge(ID, tagPurge(['product-1']));
    const states: Record<string, unknown> = {};
    for (const path of paths) states[path] = (await edge.get(DOMAIN, path)).headers['x-cache'];
    expect(states).toEqual({ '/a.html': 'MISS', '/a.html?v=2': 'MISS', '/b.html': 'HIT', '/c.html': 'MISS', '/d.html': 'HIT' });
    expect((await edge.get(OTHER, '/a.html')).headers['x-cache']).toBe('HIT');
    // Stored again with its tags: the next purge of another of them finds it.
    await edge.node.purge(ID, tagPurge(['page']));
    expect((await edge.get(DOMAIN, '/a.html')).headers['x-cache']).toBe('MISS');
    expect((await edge.get(DOMAIN, '/b.html')).headers['x-cache']).toBe('MISS');
    expect((await edge.get(DOMAIN, '/c.html')).headers['x-cache']).toBe('HIT');
    // Three fills at first (two query variants, the other endpoint), two after the first purge, one after the second.
    expect(origin.count('/a.html')).toBe(6);
  });

  it('reads Surrogate-Key (space separated) when configured, and hides it; Cache-Tag is then an ordinary header', async () => {
    const origin = await startOrigin();
    origin.on('/s.js', { headers: { 'surrogate-key': 'key-1  key-2', 'cache-tag': 'ct' }, body: 's' });
    origin.on('/t.js', { headers: { 'surrogate-key': 'key-2' }, body: 't' });
    const edge = await startEdge({ tagHeaders: ['surrogate-key'] });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    const first = await edge.get(DOMAIN, '/s.js');
    expect([first.headers['surrogate-key'], first.headers['cache-tag']]).toEqual([undefined, 'ct']);
    await edge.get(DOMAIN, '/t.js');

    await edge.node.purge(ID, tagPurge(['ct']));
    expect((await edge.get(DOMAIN, '/s.js')).headers['x-cache']).toBe('HIT');
    await edge.node.purge(ID, tagPurge(['key-1']));
    expect((await edge.get(DOMAIN, '/s.js')).headers['x-cache']).toBe('MISS');
    expect((await edge.get(DOMAIN, '/t.js')).headers['x-cache']).toBe('HIT');
    await edge.node.purge(ID, tagPurge(['key-2']));
    expect((await edge.get(DOMAIN, '/t.js')).headers['x-cache']).toBe('MISS');
  });

  it('hides the tag header from answers that pass the cache too', async () => {
    const origin = await startOrigin();
    origin.on('/private', { headers: { 'cache-control': 'private', 'cache-tag': 'secret' }, body: 'p' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    // The first goes through a fill, the second passes (hit-for-pass), the POST always passes.
    for (const method of ['GET', 'GET', 'POST']) {
      const response = await edge.get(DOMAIN, '/private', { method });
      expect([response.status, response.headers['cache-tag']], method).toEqual([200, undefined]);
    }
    expect(origin.count('/private')).toBe(3);
  });

  it('never stores a fill that was under way when the purge came', async () => {
    const origin = await startOrigin();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    origin.on('/slow.css', { headers: { 'cache-tag': 'style' }, body: 'old', until: held });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    const pending = edge.get(DOMAIN, '/slow.css');
    await waitFor(() => origin.count('/slow.css') === 1);
    await edge.node.purge(ID, tagPurge(['style']));
    release();
    expect((await pending).text).toBe('old');
    origin.on('/slow.css', { headers: { 'cache-tag': 'style' }, body: 'new' });
    const after = await edge.get(DOMAIN, '/slow.css');
    expect([after.headers['x-cache'], after.text]).toEqual(['MISS', 'new']);
    expect((await edge.get(DOMAIN, '/slow.css')).headers['x-cache']).toBe('HIT');
  });

  it('leaves no record once swept, and drops the objects from the store at once', async () => {
    const origin = await startOrigin();
    origin.otherwise({ headers: { 'cache-tag': 'all' }, body: 'x' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (let i = 0; i < 20; i++) await edge.get(DOMAIN, `/o${i}`);
    expect(edge.cache.count).toBe(20);
    await edge.node.purge(ID, tagPurge(['all']));
    expect(edge.cache.count).toBe(0);
    await waitFor(() => edge.cache.purgeRecords === 0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
}
