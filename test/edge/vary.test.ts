/**
 * Vary (issue 10, RFC 9111 §4.1): a response that varies is stored as a variant of the request
 * that fetched it, and served only to requests that present the same values. The origin's
 * request count is the proof of a hit or a re-fetch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

describe('Vary variants', () => {
  it('keeps one copy per Origin value, serves each its own, and a purge drops them all', async () => {
    const origin = await startOrigin();
    // A CORS font: the answer names the Origin that asked.
    origin.on('/font.woff2', (req) => ({
      body: `font for ${req.headers.origin ?? 'nobody'}`,
      headers: { 'cache-control': 'max-age=600', vary: 'Origin', ...(req.headers.origin ? { 'access-control-allow-origin': String(req.headers.origin) } : {}) },
    }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    const from = (site?: string) => edge.get(DOMAIN, '/font.woff2', site ? { headers: { origin: site } } : {});

    for (const site of ['https://a.test', 'https://b.test', undefined]) {
      const miss = await from(site);
      expect(miss.headers['x-cache']).toBe('MISS');
    }
    for (const site of ['https://a.test', 'https://b.test', undefined]) {
      const hit = await from(site);
      expect([hit.headers['x-cache'], hit.headers['access-control-allow-origin'], hit.text]).toEqual([
        'HIT',
        site,
        `font for ${site ?? 'nobody'}`,
      ]);
    }
    expect(origin.count('/font.woff2')).toBe(3);

    await edge.node.purge(`ep-${DOMAIN}`, { files: ['/font.woff2'], directories: [], patterns: [] });
    expect((await from('https://a.test')).headers['x-cache']).toBe('MISS');
    expect((await from('https://b.test')).headers['x-cache']).toBe('MISS');
    expect(origin.count('/font.woff2')).toBe(5);
  });

  it('compares values after combining field lines and trimming whitespace, and an absent header matches only its absence', async () => {
    const origin = await startOrigin();
    origin.on('/page', (req) => ({ body: `lang ${req.headers['accept-language'] ?? 'none'}`, headers: { 'cache-control': 'max-age=600', vary: 'Accept-Language' } }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    await edge.get(DOMAIN, '/page', { headers: { 'accept-language': 'en,  fr' } });
    const same = await edge.get(DOMAIN, '/page', { headers: { 'accept-language': ' en , fr ' } });
    expect([same.headers['x-cache'], same.text]).toEqual(['HIT', 'lang en,  fr']);
    const none = await edge.get(DOMAIN, '/page');
    expect([none.headers['x-cache'], none.text]).toEqual(['MISS', 'lang none']);
    expect(origin.count('/page')).toBe(2);
  });

  it('Vary: Accept-Encoding keeps one copy: fills ask the origin for identity whatever the client accepts', async () => {
    const origin = await startOrigin();
    origin.on('/app.js', { body: 'js', headers: { 'cache-control': 'max-age=600', vary: 'Accept-Encoding' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    await edge.get(DOMAIN, '/app.js', { headers: { 'accept-encoding': 'gzip' } });
    const br = await edge.get(DOMAIN, '/app.js', { headers: { 'accept-encoding': 'br' } });
    expect([br.headers['x-cache'], br.text]).toEqual(['HIT', 'js']);
    expect(origin.count('/app.js')).toBe(1);
    expect(origin.requests[0]!.headers['accept-encoding']).toBe('identity');
  });

  it('never reuses a response with Vary: *', async () => {
    const origin = await startOrigin();
    origin.on('/star', { body: 's', headers: { 'cache-control': 'max-age=600', vary: 'Foo, *' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    for (let i = 0; i < 2; i++) expect((await edge.get(DOMAIN, '/star')).headers['x-cache']).not.toBe('HIT');
    expect(origin.count('/star')).toBe(2);
  });
});
