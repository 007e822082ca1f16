/**
 * Wildcard purges (extension): a pattern purge evicts exactly the objects whose path matches
 * ("*" crosses "/"), in every query variant, and leaves no record behind once swept.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';
const ID = `ep-${DOMAIN}`;

const PATHS = [
  '/index.html',
  '/index.html?lang=en',
  '/docs/a/b.html',
  '/index.htm',
  '/index.html.bak',
  '/img/a/thumb.png',
  '/img/a/b/thumb.png',
  '/img/thumb.png',
  '/img/a/thumb.png.old',
  '/imgx/a/thumb.png',
  '/a*b.css',
];

describe('purge with patterns', () => {
  it('evicts exactly the objects that match, and nothing else', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (const path of PATHS) expect((await edge.get(DOMAIN, path)).headers['x-cache'], path).toBe('MISS');
    expect(edge.cache.count).toBe(PATHS.length);

    await edge.node.purge(ID, { files: [], directories: [], patterns: ['/*.html', '/img/*/thumb.png'] });
    const evicted = ['/index.html', '/index.html?lang=en', '/docs/a/b.html', '/img/a/thumb.png', '/img/a/b/thumb.png'];
    // The sweep drops them from the store, not only from lookups; then the records go too.
    await vi.waitFor(() => expect(edge.cache.purgeRecords).toBe(0));
    expect(edge.cache.count).toBe(PATHS.length - evicted.length);

    const states: Record<string, string> = {};
    for (const path of PATHS) states[path] = String((await edge.get(DOMAIN, path)).headers['x-cache']);
    expect(states).toEqual(Object.fromEntries(PATHS.map((path) => [path, evicted.includes(path) ? 'MISS' : 'HIT'])));
  });

  it('is never served stale-purged while the sweep has not reached it, and covers other endpoints not at all', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.endpoint({ customDomain: 'other.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (const domain of [DOMAIN, 'other.example.com']) await edge.get(domain, '/x/a.js');

    await edge.node.purge(ID, { files: [], directories: [], patterns: ['/x/*'] });
    // At once, before any sweep has run: the lookup checks the pattern.
    expect((await edge.get(DOMAIN, '/x/a.js')).headers['x-cache']).toBe('MISS');
    expect((await edge.get('other.example.com', '/x/a.js')).headers['x-cache']).toBe('HIT');
  });
});
