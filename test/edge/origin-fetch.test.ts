/**
 * How the edge talks to the origin: the request it sends (Host, X-Forwarded-For, Via), the
 * address forms, failover across Origin.Addresses, and what a client sees when every address
 * fails or an origin stalls: a prompt 502 or 504 with a short body, never a hang.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_ALL_RULES, closeAll, closedPort, ControlledOrigin, startEdge, startOrigin, streamGet } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

describe('the origin request', () => {
  it('sends Setting.Host as Host, and adds X-Forwarded-For and Via', async () => {
    const origin = await startOrigin();
    origin.on('/h', { body: 'h' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, host: 'origin.example.net', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.get(DOMAIN, '/h');
    const seen = origin.requests[0]!.headers;
    expect(seen.host).toBe('origin.example.net');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.via).toBe('1.1 mooncdn');
  });

  it('appends the client to an X-Forwarded-For and Via that already came in', async () => {
    const origin = await startOrigin();
    origin.on('/h', { body: 'h' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    await edge.get(DOMAIN, '/h', { headers: { 'x-forwarded-for': '203.0.113.9', via: '1.1 corporate-proxy' } });
    const seen = origin.requests[0]!.headers;
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.via).toBe('1.1 corporate-proxy, 1.1 mooncdn');
  });

  it('reaches origins given as host:port and [IPv6]:port', async () => {
    const byName = await startOrigin();
    byName.on('/n', { body: 'by name' });
    const byV6 = await ControlledOrigin.start({ 'content-length': '5' }, '::1');
    const edge = await startEdge();
    await edge.endpoint({ customDomain: 'name.example.com', originAddresses: [`localhost:${byName.port}`] });
    await edge.endpoint({ customDomain: 'v6.example.com', originAddresses: [byV6.address] });

    expect((await edge.get('name.example.com', '/n')).text).toBe('by name');
    const v6 = edge.get('v6.example.com', '/v');
    (await byV6.nextResponse()).end('by v6');
    expect((await v6).text).toBe('by v6');
  });

  it('passes other methods through with their body, uncached', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': '8' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const post = edge.get(DOMAIN, '/form', { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    (await origin.nextResponse()).end('got POST');
    const answer = await post;
    expect([answer.status, answer.text, answer.headers['x-cache'], answer.headers['age']]).toEqual([200, 'got POST', 'MISS', '0']);
    expect(origin.requests[0]!.method).toBe('POST');
    expect(origin.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(await origin.bodies[0]).toBe('a=1&b=2');

    const get = edge.get(DOMAIN, '/form');
    (await origin.nextResponse()).end('got GET!');
    expect((await get).headers['x-cache']).toBe('MISS');
  });
});

describe('failover', () => {
  it('moves to the second address when the first refuses connections', async () => {
    const origin = await startOrigin();
    origin.on('/f', { body: 'from the second' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [`127.0.0.1:${await closedPort()}`, origin.address] });

    const response = await edge.get(DOMAIN, '/f');
    expect([response.status, response.text]).toEqual([200, 'from the second']);
  });

  it('moves to the second address when the first does not answer in time', async () => {
    const dead = await startOrigin();
    dead.on('/f', { hang: true });
    const live = await startOrigin();
    live.on('/f', { body: 'from the second' });
    const edge = await startEdge({ originTimeoutMs: 300 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [dead.address, live.address] });

    const response = await edge.get(DOMAIN, '/f');
    expect([response.status, response.text]).toEqual([200, 'from the second']);
    expect([dead.count('/f'), live.count('/f')]).toEqual([1, 1]);
  });

  it('moves to the second address when the first answers 503, and caches the good answer', async () => {
    const failing = await startOrigin();
    failing.on('/f', { status: 503, body: 'overloaded' });
    const live = await startOrigin();
    live.on('/f', { body: 'from the second' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [failing.address, live.address], cachePolicy: CACHE_ALL_RULES });

    const response = await edge.get(DOMAIN, '/f');
    const again = await edge.get(DOMAIN, '/f');
    expect([response.status, response.text]).toEqual([200, 'from the second']);
    expect(again.headers['x-cache']).toBe('HIT');
    expect([failing.count('/f'), live.count('/f')]).toEqual([1, 1]);
  });

  it('tries the addresses in order: the first that works answers', async () => {
    const first = await startOrigin();
    first.on('/f', { body: 'first' });
    const second = await startOrigin();
    second.on('/f', { body: 'second' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [first.address, second.address] });

    expect((await edge.get(DOMAIN, '/f')).text).toBe('first');
    expect(second.count('/f')).toBe(0);
  });

  it('passes on the last address 5xx answer when every address answers 5xx, and does not cache it', async () => {
    const a = await startOrigin();
    a.on('/f', { status: 503, body: 'a is down' });
    const b = await startOrigin();
    b.on('/f', { status: 500, body: 'b is broken' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [a.address, b.address], cachePolicy: CACHE_ALL_RULES });

    const response = await edge.get(DOMAIN, '/f');
    expect([response.status, response.text]).toEqual([500, 'b is broken']);
    await edge.get(DOMAIN, '/f');
    expect(b.count('/f')).toBe(2);
  });
});

describe('when the origin fails', () => {
  it('answers 502 with a short body when no address accepts a connection', async () => {
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`] });

    const response = await edge.get(DOMAIN, '/x');
    expect(response.status).toBe(502);
    expect(response.text).toBe('The origin could not be reached.\n');
    expect([response.headers['x-cache'], response.headers['age']]).toEqual(['MISS', '0']);
  });

  it('answers 504 with a short body when every address times out, within the timeouts', async () => {
    const a = await startOrigin();
    a.on('/slow', { hang: true });
    const b = await startOrigin();
    b.on('/slow', { delayMs: 10_000, body: 'too late' });
    const edge = await startEdge({ originTimeoutMs: 300 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [a.address, b.address] });

    const started = Date.now();
    const response = await edge.get(DOMAIN, '/slow');
    // Two timeouts of 300 ms (undici checks them about once a second), not the origin's 10 s.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(response.status).toBe(504);
    expect(response.text).toBe('The origin did not answer in time.\n');
  });

  it('answers 502 when one address times out and the other refuses', async () => {
    const a = await startOrigin();
    a.on('/slow', { hang: true });
    const edge = await startEdge({ originTimeoutMs: 300 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [a.address, `127.0.0.1:${await closedPort()}`] });
    expect((await edge.get(DOMAIN, '/slow')).status).toBe(502);
  });

  it('gives every waiting client the error, and the next request tries the origin again', async () => {
    const edge = await startEdge();
    const port = await closedPort();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [`127.0.0.1:${port}`], cachePolicy: CACHE_ALL_RULES });
    const answers = await Promise.all([1, 2, 3].map(() => edge.get(DOMAIN, '/x')));
    expect(answers.map((a) => a.status)).toEqual([502, 502, 502]);

    const origin = await startOrigin();
    origin.on('/x', { body: 'back' });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    expect((await edge.get(DOMAIN, '/x')).text).toBe('back');
  });

  it('cuts the client off when the origin stalls mid-body, and caches nothing of it', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': '10' });
    const edge = await startEdge({ originTimeoutMs: 300 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/stall');
    (await origin.nextResponse()).write('01234');
    const response = await client;
    const started = Date.now();
    await expect(response.done).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.received().toString()).toBe('01234');

    const retry = edge.get(DOMAIN, '/stall');
    (await origin.nextResponse()).end('0123456789');
    expect([(await retry).text, (await retry).headers['x-cache']]).toEqual(['0123456789', 'MISS']);
    expect(origin.requests).toHaveLength(2);
  });
});
