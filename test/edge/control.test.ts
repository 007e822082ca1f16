/**
 * What the control plane asks of an edge (the EdgeAgent calls), seen by clients: purge,
 * preload, endpoint removal, disabling, and new settings taking effect.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CACHE_ALL_RULES, closeAll, closedPort, ControlledOrigin, startEdge, startOrigin, streamGet } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';
const ID = `ep-${DOMAIN}`;

describe('purge', () => {
  it('makes the next request for a purged file, in every query variant, go to the origin', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (const path of ['/a.css', '/a.css?v=2', '/b.css']) await edge.get(DOMAIN, path);

    await edge.node.purge(ID, { files: ['/a.css'], directories: [], patterns: [] });

    const states = [];
    for (const path of ['/a.css', '/a.css?v=2', '/b.css']) states.push((await edge.get(DOMAIN, path)).headers['x-cache']);
    expect(states).toEqual(['MISS', 'MISS', 'HIT']);
    expect(origin.count('/a.css')).toBe(4);
  });

  it('reaches copies requested with doubled slashes: key, origin request and purge share one path', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (const path of ['//a.png', '/x//y.png']) expect((await edge.get(DOMAIN, path)).headers['x-cache']).toBe('MISS');
    expect((await edge.get(DOMAIN, '/a.png')).headers['x-cache']).toBe('HIT');
    expect(origin.requests.map((r) => r.url)).toEqual(['/a.png', '/x/y.png']);

    await edge.node.purge(ID, { files: ['/a.png'], directories: ['/x/'], patterns: [] });

    for (const path of ['//a.png', '/x//y.png']) expect((await edge.get(DOMAIN, path)).headers['x-cache'], path).toBe('MISS');
  });

  it('leaves no purge records behind once they are swept, nor for a removed endpoint', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (let i = 0; i < 20; i++) await edge.get(DOMAIN, `/d${i}/f.css`);
    for (let i = 0; i < 200; i++) await edge.node.purge(ID, { files: [`/d${i}/f.css`], directories: [`/d${i}/sub/`], patterns: [] });
    await vi.waitFor(() => expect(edge.cache.purgeRecords).toBe(0));
    // The purges still did what they said: the next requests are misses.
    expect((await edge.get(DOMAIN, '/d3/f.css')).headers['x-cache']).toBe('MISS');

    await edge.node.purge(ID, { files: ['/kept-record.css'], directories: [], patterns: [] });
    await edge.node.removeEndpoint(ID);
    await vi.waitFor(() => expect(edge.cache.purgeRecords).toBe(0));
  });

  it('drops everything under a purged directory and nothing beside it', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    const paths = ['/img/a.png', '/img/sub/b.png', '/imgx/c.png', '/d.png'];
    for (const path of paths) await edge.get(DOMAIN, path);

    await edge.node.purge(ID, { files: [], directories: ['/img/'], patterns: [] });

    const states = [];
    for (const path of paths) states.push((await edge.get(DOMAIN, path)).headers['x-cache']);
    expect(states).toEqual(['MISS', 'MISS', 'HIT', 'HIT']);
  });

  it('touches only its own endpoint', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'content' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.endpoint({ customDomain: 'other.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get(DOMAIN, '/a.css');
    await edge.get('other.example.com', '/a.css');

    await edge.node.purge(ID, { files: ['/a.css'], directories: ['/'], patterns: [] });
    expect((await edge.get('other.example.com', '/a.css')).headers['x-cache']).toBe('HIT');
  });

  it('is not undone by a fill that was already running when it came', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': '3' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const before = streamGet(edge.httpPort, DOMAIN, '/news.html');
    const oldResponse = await origin.nextResponse();
    oldResponse.write('o');
    await (await before).waitForBytes(1);

    await edge.node.purge(ID, { files: ['/news.html'], directories: [], patterns: [] });

    // A request after the purge must not be served the copy fetched before it.
    const after = edge.get(DOMAIN, '/news.html');
    const next = await origin.nextResponseWithin(1_000);
    oldResponse.end('ld');
    next?.end('new');
    expect((await after).text).toBe('new');
    expect((await (await before).done).toString()).toBe('old');

    const later = edge.get(DOMAIN, '/news.html');
    const third = await origin.nextResponseWithin(500);
    third?.end('3rd');
    expect((await later).text).toBe('new');
  });
});

describe('preload', () => {
  it('fills the cache so the first client request is a hit', async () => {
    const origin = await startOrigin();
    origin.on('/launch.js', { body: 'ready' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.node.preload(ID, { path: '/launch.js', query: '' });
    expect(origin.count('/launch.js')).toBe(1);

    const response = await edge.get(DOMAIN, '/launch.js');
    expect([response.text, response.headers['x-cache']]).toEqual(['ready', 'HIT']);
    expect(origin.count('/launch.js')).toBe(1);
  });

  it('fills the variant with its query, or the bare path under IgnoreQueryString', async () => {
    const origin = await startOrigin();
    origin.on('/v', (req) => ({ body: req.url }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.endpoint({ customDomain: 'iq.example.com', originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreQueryString: true } });

    await edge.node.preload(ID, { path: '/v', query: 'x=1' });
    await edge.node.preload('ep-iq.example.com', { path: '/v', query: 'x=1' });

    const exact = await edge.get(DOMAIN, '/v?x=1');
    const other = await edge.get(DOMAIN, '/v');
    const ignored = await edge.get('iq.example.com', '/v?y=2');
    expect([exact.text, exact.headers['x-cache']]).toEqual(['/v?x=1', 'HIT']);
    expect(other.headers['x-cache']).toBe('MISS');
    expect([ignored.text, ignored.headers['x-cache']]).toEqual(['/v?x=1', 'HIT']);
  });

  it('fetches anew even when the object is cached, so a preload after a purge brings the new version', async () => {
    const origin = await startOrigin();
    let version = 1;
    origin.on('/app.js', () => ({ body: `v${version}` }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get(DOMAIN, '/app.js');

    version = 2;
    await edge.node.purge(ID, { files: ['/app.js'], directories: [], patterns: [] });
    await edge.node.preload(ID, { path: '/app.js', query: '' });
    const response = await edge.get(DOMAIN, '/app.js');
    expect([response.text, response.headers['x-cache']]).toEqual(['v2', 'HIT']);
  });

  it('fails with the origin status when the origin answers 404', async () => {
    const origin = await startOrigin();
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await expect(edge.node.preload(ID, { path: '/missing.js', query: '' })).rejects.toThrow('the origin answered 404 Not Found');
  });

  it('fails saying why when the response cannot be cached', async () => {
    const origin = await startOrigin();
    origin.on('/private', { body: 'p', headers: { 'cache-control': 'no-store' } });
    origin.on('/silent', { body: 's' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    await expect(edge.node.preload(ID, { path: '/private', query: '' })).rejects.toThrow(/cannot be cached: the origin forbids caching/);
    await expect(edge.node.preload(ID, { path: '/silent', query: '' })).rejects.toThrow(/cannot be cached: .*no cache rule matches/);
    expect((await edge.get(DOMAIN, '/private')).headers['x-cache']).toBe('MISS');
  });

  it('fails saying so when the object is over the maximum object size, without fetching all of it', async () => {
    const origin = await startOrigin();
    origin.on('/huge.iso', { body: Buffer.alloc(5_000_000) });
    const edge = await startEdge({ maxObjectBytes: 1_000_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await expect(edge.node.preload(ID, { path: '/huge.iso', query: '' })).rejects.toThrow(
      "the origin's response cannot be cached: it is larger than the maximum object size (1000000 bytes)",
    );
    await edge.meter.flush();
    expect(edge.samples.reduce((sum, sample) => sum + sample.originBytes, 0)).toBeLessThan(5_000_000);
  });

  it('fails when the origin cannot be reached, and for an endpoint the edge does not serve', async () => {
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [`127.0.0.1:${await closedPort()}`], cachePolicy: CACHE_ALL_RULES });
    await expect(edge.node.preload(ID, { path: '/x', query: '' })).rejects.toThrow(/could not be reached/);
    await expect(edge.node.preload('ep-nowhere', { path: '/x', query: '' })).rejects.toThrow(/not configured/);
  });
});

describe('endpoint settings', () => {
  it('answers 404 for a host no endpoint serves, and after removeEndpoint', async () => {
    const origin = await startOrigin();
    origin.on('/a', { body: 'a' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get(DOMAIN, '/a');

    const unknown = await edge.get('unknown.example.com', '/a');
    expect([unknown.status, unknown.text, unknown.headers['x-cache'], unknown.headers['age']]).toEqual([
      404,
      'No endpoint serves the host "unknown.example.com".\n',
      'MISS',
      '0',
    ]);

    await edge.node.removeEndpoint(ID);
    expect((await edge.get(DOMAIN, '/a')).status).toBe(404);

    // Served again, it starts from an empty cache.
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    expect((await edge.get(DOMAIN, '/a')).headers['x-cache']).toBe('MISS');
    expect(origin.count('/a')).toBe(2);
  });

  it('answers 403 while the endpoint is disabled, cached content included, and serves again once enabled', async () => {
    const origin = await startOrigin();
    origin.on('/a', { body: 'a' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get(DOMAIN, '/a');

    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES, enabled: false });
    const disabled = await edge.get(DOMAIN, '/a');
    expect([disabled.status, disabled.text, disabled.headers['x-cache']]).toEqual([403, 'This endpoint is disabled.\n', 'MISS']);

    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES, enabled: true });
    const enabled = await edge.get(DOMAIN, '/a');
    expect([enabled.status, enabled.headers['x-cache']]).toEqual([200, 'HIT']);
    expect(origin.count('/a')).toBe(1);
  });

  it('moves an endpoint to a new domain: the old one answers 404', async () => {
    const origin = await startOrigin();
    origin.on('/a', { body: 'a' });
    const edge = await startEdge();
    await edge.endpoint({ endpointId: 'ep-1', customDomain: 'old.example.com', originAddresses: [origin.address] });
    await edge.endpoint({ endpointId: 'ep-1', customDomain: 'new.example.com', originAddresses: [origin.address] });
    expect((await edge.get('old.example.com', '/a')).status).toBe(404);
    expect((await edge.get('new.example.com', '/a')).text).toBe('a');
  });

  it('uses new origin addresses from the next fill on', async () => {
    const first = await startOrigin();
    first.otherwise({ body: 'first' });
    const second = await startOrigin();
    second.otherwise({ body: 'second' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [first.address] });
    expect((await edge.get(DOMAIN, '/x')).text).toBe('first');
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [second.address] });
    expect((await edge.get(DOMAIN, '/x')).text).toBe('second');
  });
});
