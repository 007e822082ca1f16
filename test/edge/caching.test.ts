/**
 * What the edge keeps and for how long: miss then hit, the cache key, HEAD, freshness from rules
 * and from the origin (RFC 9111), IgnoreCacheControl, IgnoreCookie, TTL 0 and expiry. The
 * origin's request count is the proof of a hit, not only X-Cache.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

describe('miss, then hit', () => {
  it('serves the second request from the cache without asking the origin', async () => {
    const origin = await startOrigin();
    origin.on('/app.js', { body: 'console.log(1)', headers: { 'content-type': 'text/javascript' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const first = await edge.get(DOMAIN, '/app.js');
    const second = await edge.get(DOMAIN, '/app.js');

    expect([first.status, first.text, first.headers['x-cache'], first.headers['age']]).toEqual([200, 'console.log(1)', 'MISS', '0']);
    expect([second.status, second.text, second.headers['x-cache']]).toEqual([200, 'console.log(1)', 'HIT']);
    expect(second.headers['content-type']).toBe('text/javascript');
    expect(second.headers['content-length']).toBe(String('console.log(1)'.length));
    expect(origin.count('/app.js')).toBe(1);
  });

  it('reports Age as the seconds since the origin answered', async () => {
    const origin = await startOrigin();
    origin.on('/a.css', { body: 'a{}' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.get(DOMAIN, '/a.css');
    edge.clock.advance(42_500);
    const hit = await edge.get(DOMAIN, '/a.css');
    expect([hit.headers['x-cache'], hit.headers['age']]).toEqual(['HIT', '42']);
  });

  it('normalises the host: upper case and a port in Host reach the same endpoint and object', async () => {
    const origin = await startOrigin();
    origin.on('/x.txt', { body: 'x' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.get(DOMAIN, '/x.txt');
    const hit = await edge.get(`CDN.Example.COM:${edge.httpPort}`, '/x.txt');
    expect([hit.status, hit.text, hit.headers['x-cache']]).toEqual([200, 'x', 'HIT']);
    expect(origin.count('/x.txt')).toBe(1);
  });
});

describe('HEAD', () => {
  it('answers HEAD on a miss with the headers and no body, and fills the cache for GET', async () => {
    const origin = await startOrigin();
    origin.on('/big.bin', { body: 'x'.repeat(1000), headers: { 'content-type': 'application/octet-stream' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const head = await edge.get(DOMAIN, '/big.bin', { method: 'HEAD' });
    expect([head.status, head.body.length, head.headers['content-length'], head.headers['x-cache']]).toEqual([200, 0, '1000', 'MISS']);

    const get = await edge.get(DOMAIN, '/big.bin');
    expect([get.status, get.body.length, get.headers['x-cache']]).toEqual([200, 1000, 'HIT']);
    const headHit = await edge.get(DOMAIN, '/big.bin', { method: 'HEAD' });
    expect([headHit.status, headHit.body.length, headHit.headers['content-length'], headHit.headers['x-cache']]).toEqual([200, 0, '1000', 'HIT']);
    expect(origin.count('/big.bin')).toBe(1);
  });
});

describe('the cache key', () => {
  it('includes the query string by default', async () => {
    const origin = await startOrigin();
    origin.on('/q', (req) => ({ body: `answer for ${req.url}` }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const one = await edge.get(DOMAIN, '/q?v=1');
    const two = await edge.get(DOMAIN, '/q?v=2');
    const oneAgain = await edge.get(DOMAIN, '/q?v=1');
    expect([one.text, two.text, oneAgain.text]).toEqual(['answer for /q?v=1', 'answer for /q?v=2', 'answer for /q?v=1']);
    expect([one.headers['x-cache'], two.headers['x-cache'], oneAgain.headers['x-cache']]).toEqual(['MISS', 'MISS', 'HIT']);
    expect(origin.count('/q')).toBe(2);
  });

  it('leaves the query out with IgnoreQueryString, though the origin still gets the first query', async () => {
    const origin = await startOrigin();
    origin.on('/q', (req) => ({ body: `answer for ${req.url}` }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreQueryString: true } });

    const one = await edge.get(DOMAIN, '/q?v=1');
    const two = await edge.get(DOMAIN, '/q?v=2');
    const bare = await edge.get(DOMAIN, '/q');
    expect([one.text, two.text, bare.text]).toEqual(['answer for /q?v=1', 'answer for /q?v=1', 'answer for /q?v=1']);
    expect([two.headers['x-cache'], bare.headers['x-cache']]).toEqual(['HIT', 'HIT']);
    expect(origin.count('/q')).toBe(1);
  });

  it('is the path the origin is asked for: dot segments resolved, escapes of plain characters decoded', async () => {
    const origin = await startOrigin();
    origin.on('/css/site.css', { body: 'body{}' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.get(DOMAIN, '/css/site.css');
    for (const path of ['/js/../css/site.css', '/css/./site.css', '/%63ss/site.css']) {
      const response = await edge.get(DOMAIN, path);
      expect([response.text, response.headers['x-cache']], path).toEqual(['body{}', 'HIT']);
    }
    await edge.node.purge(`ep-${DOMAIN}`, { files: ['/css/site.css'], directories: [], patterns: [] });
    expect((await edge.get(DOMAIN, '/js/../css/site.css')).headers['x-cache']).toBe('MISS');
    expect(origin.requests.map((r) => r.url)).toEqual(['/css/site.css', '/css/site.css']);
  });

  it('keeps endpoints apart: the same path on two domains is two objects', async () => {
    const origin = await startOrigin();
    origin.on('/same', (req) => ({ body: `for ${String(req.headers.host)}` }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: 'one.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.endpoint({ customDomain: 'two.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.get('one.example.com', '/same');
    const two = await edge.get('two.example.com', '/same');
    expect([two.text, two.headers['x-cache']]).toEqual(['for two.example.com', 'MISS']);
  });
});

describe('freshness', () => {
  it('without a rule follows the origin: max-age is cached, no freshness information is not', async () => {
    const origin = await startOrigin();
    origin.on('/fresh', { body: 'fresh', headers: { 'cache-control': 'public, max-age=60' } });
    origin.on('/silent', { body: 'silent' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    for (let i = 0; i < 2; i++) {
      await edge.get(DOMAIN, '/fresh');
      await edge.get(DOMAIN, '/silent');
    }
    expect(origin.count('/fresh')).toBe(1);
    expect(origin.count('/silent')).toBe(2);

    edge.clock.advance(60_000);
    const stale = await edge.get(DOMAIN, '/fresh');
    expect(stale.headers['x-cache']).toBe('MISS');
    expect(origin.count('/fresh')).toBe(2);
  });

  it('expires an object when its rule TTL has passed', async () => {
    const origin = await startOrigin();
    origin.on('/t.png', { body: 'png' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { rules: [{ type: 'Suffix', items: ['.png'], ttlSeconds: 10 }] } });

    await edge.get(DOMAIN, '/t.png');
    edge.clock.advance(9_999);
    expect((await edge.get(DOMAIN, '/t.png')).headers['x-cache']).toBe('HIT');
    edge.clock.advance(1);
    expect((await edge.get(DOMAIN, '/t.png')).headers['x-cache']).toBe('MISS');
    expect(origin.count('/t.png')).toBe(2);
  });

  it('takes the TTL of the most specific rule', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      cachePolicy: {
        rules: [
          { type: 'Suffix', items: ['.jpg'], ttlSeconds: 3600 },
          { type: 'Dir', items: ['/img/'], ttlSeconds: 100 },
          { type: 'Dir', items: ['/img/live/'], ttlSeconds: 5 },
          { type: 'FullUri', items: ['/img/live/pinned.jpg'], ttlSeconds: 1000 },
        ],
      },
    });
    const paths = ['/img/live/a.jpg', '/img/b.jpg', '/c.jpg', '/img/live/pinned.jpg'];
    for (const path of paths) await edge.get(DOMAIN, path);
    edge.clock.advance(50_000);
    const states = [];
    for (const path of paths) states.push((await edge.get(DOMAIN, path)).headers['x-cache']);
    expect(states).toEqual(['MISS', 'HIT', 'HIT', 'HIT']);
  });

  it('does not cache what a TTL 0 rule covers', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      cachePolicy: {
        rules: [
          { type: 'Dir', items: ['/'], ttlSeconds: 3600 },
          { type: 'Dir', items: ['/api/'], ttlSeconds: 0 },
        ],
      },
    });
    for (let i = 0; i < 3; i++) await edge.get(DOMAIN, '/api/now');
    const last = await edge.get(DOMAIN, '/api/now');
    expect([last.text, last.headers['x-cache']]).toEqual(['content', 'MISS']);
    expect(origin.count('/api/now')).toBe(4);
  });

  it('obeys an origin no-store over a rule, unless IgnoreCacheControl', async () => {
    const origin = await startOrigin();
    origin.on('/private', { body: 'secret', headers: { 'cache-control': 'no-store' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: 'honour.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.endpoint({ customDomain: 'ignore.example.com', originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreCacheControl: true } });

    for (let i = 0; i < 2; i++) await edge.get('honour.example.com', '/private');
    expect(origin.count('/private')).toBe(2);

    await edge.get('ignore.example.com', '/private');
    const hit = await edge.get('ignore.example.com', '/private');
    expect([hit.text, hit.headers['x-cache']]).toEqual(['secret', 'HIT']);
    expect(origin.count('/private')).toBe(3);
  });

  it('with IgnoreCacheControl, a rule shortens an origin max-age', async () => {
    const origin = await startOrigin();
    origin.on('/long', { body: 'long', headers: { 'cache-control': 'max-age=86400' } });
    const edge = await startEdge();
    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      cachePolicy: { rules: [{ type: 'Dir', items: ['/'], ttlSeconds: 1 }], ignoreCacheControl: true },
    });
    await edge.get(DOMAIN, '/long');
    edge.clock.advance(1_000);
    expect((await edge.get(DOMAIN, '/long')).headers['x-cache']).toBe('MISS');
  });
});

describe('cookies', () => {
  it('does not cache a response that sets a cookie, by default', async () => {
    const origin = await startOrigin();
    origin.on('/login', { body: 'hello', headers: { 'set-cookie': 'session=abc; Path=/' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const first = await edge.get(DOMAIN, '/login');
    const second = await edge.get(DOMAIN, '/login');
    expect(first.headers['set-cookie']).toEqual(['session=abc; Path=/']);
    expect([second.headers['x-cache'], second.headers['set-cookie']]).toEqual(['MISS', ['session=abc; Path=/']]);
    expect(origin.count('/login')).toBe(2);
  });

  it('with IgnoreCookie caches it, gives the cookie to the first client only, and never replays it', async () => {
    const origin = await startOrigin();
    origin.on('/page', { body: 'page', headers: { 'set-cookie': 'session=abc; Path=/' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreCookie: true } });

    const first = await edge.get(DOMAIN, '/page');
    const second = await edge.get(DOMAIN, '/page');
    expect(first.headers['set-cookie']).toEqual(['session=abc; Path=/']);
    expect([second.text, second.headers['x-cache'], second.headers['set-cookie']]).toEqual(['page', 'HIT', undefined]);
    expect(origin.count('/page')).toBe(1);
  });

  it("forwards the client's cookie on a cache fill, and stores an answer without Set-Cookie by the rule for every client", async () => {
    const origin = await startOrigin();
    origin.on('/c', { body: 'c' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const first = await edge.get(DOMAIN, '/c', { headers: { cookie: 'session=mine; theme=dark' } });
    expect(origin.requests[0]!.headers.cookie).toBe('session=mine; theme=dark');
    expect(first.headers['x-cache']).toBe('MISS');
    // The cookie is not part of the key: another visitor, with or without one, gets the copy.
    const second = await edge.get(DOMAIN, '/c', { headers: { cookie: 'session=yours' } });
    expect([second.text, second.headers['x-cache']]).toEqual(['c', 'HIT']);
    expect(origin.count('/c')).toBe(1);
  });

  it('never stores an answer that sets a cookie for a request that sent one, even under IgnoreCookie', async () => {
    const origin = await startOrigin();
    origin.on('/home', (req) => ({ body: req.headers.cookie ? `hello ${req.headers.cookie}` : 'hello visitor', headers: { 'set-cookie': 'session=new' } }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreCookie: true } });

    const member = await edge.get(DOMAIN, '/home', { headers: { cookie: 'session=alice' } });
    expect([member.text, member.headers['set-cookie']]).toEqual(['hello session=alice', ['session=new']]);
    // The next visitor is not given Alice's page: a miss, its own answer.
    const visitor = await edge.get(DOMAIN, '/home');
    expect([visitor.text, visitor.headers['x-cache']]).toEqual(['hello visitor', 'MISS']);
    expect(origin.count('/home')).toBe(2);
    // The visitor went straight to the origin (the key was remembered as not shareable); its
    // answer is shareable under IgnoreCookie, so the next request fills the cache with it,
    // without its Set-Cookie, and the one after is a hit.
    expect((await edge.get(DOMAIN, '/home')).headers['x-cache']).toBe('MISS');
    const later = await edge.get(DOMAIN, '/home');
    expect([later.text, later.headers['x-cache'], later.headers['set-cookie']]).toEqual(['hello visitor', 'HIT', undefined]);
    expect(origin.count('/home')).toBe(3);
  });
});
