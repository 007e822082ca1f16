/**
 * One origin fetch for many clients: concurrent misses share a fill, a large body streams to
 * the client while it is being stored, and a client that joins a running fill still gets the
 * whole body. A response that may not be shared (private, a cookie, a Vary the clients differ
 * on) goes only to the client that fetched it: the others get their own from the origin, and
 * the key is remembered as not shareable (hit-for-pass) so later requests do not queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OriginRequestSeen } from '../support/origin-server.js';
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

/** A gate the origin waits on before it answers, opened by the test. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('responses that may not be shared', () => {
  it('give two clients with different Origin headers each their own Access-Control-Allow-Origin under Vary: Origin', async () => {
    const origin = await startOrigin();
    const head = gate();
    origin.on('/font.woff2', (req: OriginRequestSeen) => ({
      until: head.opened,
      body: `font for ${String(req.headers.origin)}`,
      headers: { vary: 'Origin', 'access-control-allow-origin': String(req.headers.origin), 'cache-control': 'max-age=600' },
    }));
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const a = edge.get(DOMAIN, '/font.woff2', { headers: { origin: 'https://a.test' } });
    await expect.poll(() => origin.count('/font.woff2')).toBe(1);
    const b = edge.get(DOMAIN, '/font.woff2', { headers: { origin: 'https://b.test' } });
    // B has joined A's fill before the origin's head arrived.
    await expect.poll(() => edge.node.fillClients).toBe(2);
    head.open();

    const [answerA, answerB] = await Promise.all([a, b]);
    expect([answerA.headers['access-control-allow-origin'], answerA.text]).toEqual(['https://a.test', 'font for https://a.test']);
    expect([answerB.headers['access-control-allow-origin'], answerB.text]).toEqual(['https://b.test', 'font for https://b.test']);
    expect(origin.count('/font.woff2')).toBe(2);
  });

  it('still share one fill between clients that differ only in Accept-Encoding under Vary: Accept-Encoding (fills ask for identity)', async () => {
    const origin = await startOrigin();
    const head = gate();
    origin.on('/app.js', { until: head.opened, body: 'app', headers: { vary: 'Accept-Encoding', 'cache-control': 'max-age=600' } });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const gzip = edge.get(DOMAIN, '/app.js', { headers: { 'accept-encoding': 'gzip' } });
    await expect.poll(() => origin.count('/app.js')).toBe(1);
    const br = edge.get(DOMAIN, '/app.js', { headers: { 'accept-encoding': 'br' } });
    await expect.poll(() => edge.node.fillClients).toBe(2);
    head.open();
    expect((await Promise.all([gzip, br])).map((a) => a.text)).toEqual(['app', 'app']);
    expect(origin.count('/app.js')).toBe(1);
  });

  it.each([
    ['private', (n: number) => ({ 'cache-control': 'private, max-age=600' }) as Record<string, string>, {}],
    ['sets a cookie', (n: number) => ({ 'set-cookie': `session=${n}` }) as Record<string, string>, {}],
    ['sets a cookie for a request that sent one, even under IgnoreCookie', (n: number) => ({ 'set-cookie': `session=${n}` }) as Record<string, string>, { ignoreCookie: true }],
  ])('give a client that joined before the head its own answer when the response is %s', async (_, headersFor, policy) => {
    const origin = await startOrigin();
    const head = gate();
    let served = 0;
    origin.on('/account', () => {
      served += 1;
      return { until: head.opened, body: `answer #${served}`, headers: headersFor(served) };
    });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: { ...CACHE_ALL_RULES, ...policy } });

    const cookie = { cookie: 'session=old' };
    const first = edge.get(DOMAIN, '/account', { headers: cookie });
    await expect.poll(() => origin.count('/account')).toBe(1);
    const waiter = edge.get(DOMAIN, '/account', { headers: cookie });
    await expect.poll(() => edge.node.fillClients).toBe(2);
    head.open();

    const [one, two] = await Promise.all([first, waiter]);
    expect(one.text).toBe('answer #1');
    expect(two.text).toBe('answer #2');
    expect(origin.count('/account')).toBe(2);
    for (const [answer, n] of [[one, 1], [two, 2]] as const) {
      if (answer.headers['set-cookie']) expect(answer.headers['set-cookie']).toEqual([`session=${n}`]);
    }
    // Not stored either: the next request is the origin's again.
    expect((await edge.get(DOMAIN, '/account', { headers: cookie })).text).toBe('answer #3');
  });

  it('send the next requests for that key straight to the origin, not behind a slow first one, until a purge', async () => {
    const origin = await startOrigin();
    const slow = gate();
    let served = 0;
    origin.on('/me', () => {
      served += 1;
      // The second request the origin gets is slow; the others are answered at once.
      return { ...(served === 2 ? { until: slow.opened } : {}), body: `me #${served}`, headers: { 'cache-control': 'private' } };
    });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    expect((await edge.get(DOMAIN, '/me')).text).toBe('me #1');
    const second = edge.get(DOMAIN, '/me');
    await expect.poll(() => origin.count('/me')).toBe(2);
    // The third reaches the origin while the second is still waiting for its answer.
    const third = edge.get(DOMAIN, '/me');
    await expect.poll(() => origin.count('/me')).toBe(3);
    expect((await third).text).toBe('me #3');
    slow.open();
    expect((await second).text).toBe('me #2');
    expect(edge.node.fillClients).toBe(0);

    // A purge forgets what was learnt: concurrent misses share one fill again.
    await edge.node.purge(`ep-${DOMAIN}`, { files: ['/me'], directories: [], patterns: [] });
    const again = gate();
    origin.on('/me', () => ({ until: again.opened, body: 'shared', headers: { 'cache-control': 'max-age=600' } }));
    const answers = [edge.get(DOMAIN, '/me')];
    await expect.poll(() => origin.count('/me')).toBe(4);
    answers.push(edge.get(DOMAIN, '/me'));
    await expect.poll(() => edge.node.fillClients).toBe(2);
    again.open();
    expect((await Promise.all(answers)).map((a) => a.text)).toEqual(['shared', 'shared']);
    expect(origin.count('/me')).toBe(4);
  });
});
