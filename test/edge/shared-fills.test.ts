/**
 * One origin fetch for many clients: concurrent misses share a fill, a large body streams to
 * the client while it is being stored, and a client that joins a running fill still gets the
 * whole body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_ALL_RULES, closeAll, ControlledOrigin, patternedBody, startEdge, startOrigin, streamGet } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

describe('concurrent misses', () => {
  it('make one origin request for 20 clients, who all get the whole body', async () => {
    const origin = await startOrigin();
    const body = patternedBody(50_000);
    origin.on('/popular.js', { body, delayMs: 300 });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const answers = await Promise.all(Array.from({ length: 20 }, () => edge.get(DOMAIN, '/popular.js')));

    expect(origin.count('/popular.js')).toBe(1);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.equals(body)).toBe(true);
      expect(answer.headers['x-cache']).toBe('MISS');
    }
    expect((await edge.get(DOMAIN, '/popular.js')).headers['x-cache']).toBe('HIT');
  });

  it('share one fill for different query strings under IgnoreQueryString', async () => {
    const origin = await startOrigin();
    origin.on('/q', { body: 'q', delayMs: 300 });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreQueryString: true } });

    await Promise.all(['/q?a', '/q?b', '/q?c'].map((path) => edge.get(DOMAIN, path)));
    expect(origin.count('/q')).toBe(1);
  });

  it('give a cookie only to the client whose request fetched it', async () => {
    const origin = await startOrigin();
    origin.on('/welcome', { body: 'hi', delayMs: 300, headers: { 'set-cookie': 'visitor=1' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ignoreCookie: true } });

    const answers = await Promise.all(Array.from({ length: 5 }, () => edge.get(DOMAIN, '/welcome')));
    expect(answers.filter((a) => a.headers['set-cookie'] !== undefined)).toHaveLength(1);
    expect(answers.every((a) => a.text === 'hi')).toBe(true);
  });
});

describe('streaming while storing', () => {
  it('sends the first bytes of a large body before the origin has finished, then serves it as a hit', async () => {
    const body = patternedBody(512 * 1024);
    const origin = await ControlledOrigin.start({ 'content-length': String(body.length), 'content-type': 'video/mp4' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/movie.mp4');
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 100_000));
    const response = await client;
    // The origin holds back the rest until the client has seen the first part.
    await response.waitForBytes(100_000);
    expect(response.received().equals(body.subarray(0, 100_000))).toBe(true);
    expect(response.headers['x-cache']).toBe('MISS');

    res.end(body.subarray(100_000));
    expect((await response.done).equals(body)).toBe(true);

    const hit = await edge.get(DOMAIN, '/movie.mp4');
    expect([hit.headers['x-cache'], hit.headers['content-type']]).toEqual(['HIT', 'video/mp4']);
    expect(hit.body.equals(body)).toBe(true);
    expect(origin.requests).toHaveLength(1);
  });

  it('streams a chunked body (no Content-Length) the same way', async () => {
    const body = patternedBody(200_000);
    const origin = await ControlledOrigin.start({});
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/chunked.bin');
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 1000));
    const response = await client;
    await response.waitForBytes(1000);
    res.end(body.subarray(1000));
    expect((await response.done).equals(body)).toBe(true);

    const hit = await edge.get(DOMAIN, '/chunked.bin');
    expect([hit.headers['x-cache'], hit.headers['content-length']]).toEqual(['HIT', '200000']);
    expect(hit.body.equals(body)).toBe(true);
  });

  it('gives a client that joins a running fill the whole body, from its first byte', async () => {
    const body = patternedBody(300_000);
    const origin = await ControlledOrigin.start({ 'content-length': String(body.length) });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const first = streamGet(edge.httpPort, DOMAIN, '/file.bin');
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 120_000));
    await (await first).waitForBytes(120_000);

    const late = await streamGet(edge.httpPort, DOMAIN, '/file.bin');
    // It got the part already sent at once, before the origin sent more.
    await late.waitForBytes(120_000);
    res.write(body.subarray(120_000, 200_000));
    res.end(body.subarray(200_000));

    expect((await (await first).done).equals(body)).toBe(true);
    expect((await late.done).equals(body)).toBe(true);
    expect(late.headers['content-length']).toBe(String(body.length));
    expect(origin.requests).toHaveLength(1);
  });

  it('keeps filling for the other clients when the one who started it goes away', async () => {
    const body = patternedBody(100_000);
    const origin = await ControlledOrigin.start({ 'content-length': String(body.length) });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const starting = streamGet(edge.httpPort, DOMAIN, '/left.bin');
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 10_000));
    const starter = await starting;
    const stayer = await streamGet(edge.httpPort, DOMAIN, '/left.bin');
    await stayer.waitForBytes(10_000);
    starter.abort();
    await expect(starter.done).rejects.toThrow();
    res.end(body.subarray(10_000));

    expect((await stayer.done).equals(body)).toBe(true);
    expect((await edge.get(DOMAIN, '/left.bin')).headers['x-cache']).toBe('HIT');
  });
});
