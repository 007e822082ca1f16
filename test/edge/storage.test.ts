/**
 * The byte budget: least recently used objects make room for new ones, and an object over the
 * maximum object size is passed through to the client whole but never stored.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_ALL_RULES, closeAll, ControlledOrigin, patternedBody, startEdge, startOrigin, streamGet, type TestEdge } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

describe('the byte budget', () => {
  it('evicts the least recently used object to make room', async () => {
    const origin = await startOrigin();
    for (const name of ['a', 'b', 'c']) origin.on(`/${name}`, { body: name.repeat(3000) });
    // Room for two 3000-byte objects (a 4 KiB chunk each, with their bookkeeping), not three.
    const edge = await startEdge({ cacheBytes: 14_000, maxObjectBytes: 4_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await edge.get(DOMAIN, '/a');
    await edge.get(DOMAIN, '/b');
    // Using a makes b the least recently used.
    expect((await edge.get(DOMAIN, '/a')).headers['x-cache']).toBe('HIT');
    await edge.get(DOMAIN, '/c');

    expect((await edge.get(DOMAIN, '/a')).headers['x-cache']).toBe('HIT');
    expect((await edge.get(DOMAIN, '/c')).headers['x-cache']).toBe('HIT');
    const b = await edge.get(DOMAIN, '/b');
    expect([b.headers['x-cache'], b.text]).toEqual(['MISS', 'b'.repeat(3000)]);
    expect([origin.count('/a'), origin.count('/b'), origin.count('/c')]).toEqual([1, 2, 1]);
    expect(edge.cache.bytes).toBeLessThanOrEqual(14_000);
  });

  it('never holds more than the budget, however much passes through', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'x'.repeat(2_000) });
    // Room for three (a 4 KiB chunk each, with their bookkeeping), not four.
    const edge = await startEdge({ cacheBytes: 21_000, maxObjectBytes: 4_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    for (let i = 0; i < 20; i++) await edge.get(DOMAIN, `/file-${i}`);
    expect(edge.cache.bytes).toBeLessThanOrEqual(21_000);
    expect(edge.cache.count).toBe(3);
    expect((await edge.get(DOMAIN, '/file-19')).headers['x-cache']).toBe('HIT');
    expect((await edge.get(DOMAIN, '/file-0')).headers['x-cache']).toBe('MISS');
  });
});

describe('objects over the maximum size', () => {
  it('pass through whole and uncached when the origin declares their length', async () => {
    const body = patternedBody(5_000);
    const origin = await startOrigin();
    origin.on('/huge.iso', { body, chunkDelayMs: 20 });
    const edge = await startEdge({ cacheBytes: 100_000, maxObjectBytes: 4_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const first = await edge.get(DOMAIN, '/huge.iso');
    const second = await edge.get(DOMAIN, '/huge.iso');
    for (const answer of [first, second]) {
      expect([answer.status, answer.headers['x-cache'], answer.headers['content-length']]).toEqual([200, 'MISS', '5000']);
      expect(answer.body.equals(body)).toBe(true);
    }
    expect(origin.count('/huge.iso')).toBe(2);
    expect(edge.cache.count).toBe(0);
  });

  it('pass through whole and uncached when the body only turns out too large as it arrives', async () => {
    const body = patternedBody(5_000);
    const origin = await ControlledOrigin.start({});
    const edge = await startEdge({ cacheBytes: 100_000, maxObjectBytes: 4_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/grows.bin');
    const res = await origin.nextResponse();
    res.write(body.subarray(0, 3_000));
    const response = await client;
    await response.waitForBytes(3_000);
    // A client that joins while the body is still within the limit shares the fill.
    const joiner = await streamGet(edge.httpPort, DOMAIN, '/grows.bin');
    await joiner.waitForBytes(3_000);
    res.write(body.subarray(3_000, 4_500));
    await response.waitForBytes(4_500);
    res.end(body.subarray(4_500));

    expect((await response.done).equals(body)).toBe(true);
    expect((await joiner.done).equals(body)).toBe(true);
    expect(origin.requests).toHaveLength(1);
    expect(edge.cache.count).toBe(0);

    const again = edge.get(DOMAIN, '/grows.bin');
    (await origin.nextResponse()).end(body);
    expect([(await again).headers['x-cache'], (await again).body.equals(body)]).toEqual(['MISS', true]);
  });

  it('give a client arriving during an oversized transfer its own complete copy', async () => {
    const body = patternedBody(5_000);
    const origin = await ControlledOrigin.start({ 'content-length': String(body.length) });
    const edge = await startEdge({ cacheBytes: 100_000, maxObjectBytes: 4_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = streamGet(edge.httpPort, DOMAIN, '/huge.bin');
    const first = await origin.nextResponse();
    first.write(body.subarray(0, 1_000));
    const response = await client;
    await response.waitForBytes(1_000);

    const later = streamGet(edge.httpPort, DOMAIN, '/huge.bin');
    (await origin.nextResponse()).end(body);
    first.end(body.subarray(1_000));

    expect((await response.done).equals(body)).toBe(true);
    expect((await (await later).done).equals(body)).toBe(true);
    expect(origin.requests).toHaveLength(2);
  });
});

describe('slow clients', () => {
  const MB = 1024 * 1024;
  const SIZE = 64 * MB;

  /** A GET whose body the client does not read until told to. */
  function pausedGet(edge: TestEdge, path: string, method = 'GET'): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: edge.httpPort, path, method, headers: { host: 'cdn.example.com' }, agent: false }, (res) => {
        res.pause();
        resolve(res);
      });
      req.on('error', reject);
      req.end(method === 'GET' ? undefined : 'x');
    });
  }

  /** Writes SIZE bytes as the socket takes them (chunk k is filled with k % 256); counts what went. */
  function sendBig(res: ServerResponse): { sent(): number; finished: Promise<void> } {
    let sent = 0;
    const finished = (async () => {
      for (let k = 0; sent < SIZE; k++) {
        sent += MB;
        if (!res.write(Buffer.alloc(MB, k % 256))) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    })();
    return { sent: () => sent, finished };
  }

  async function settled(progress: () => number): Promise<number> {
    for (let last = -1; ; ) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (progress() === last) return last;
      last = progress();
    }
  }

  async function readAll(res: IncomingMessage): Promise<{ length: number; inOrder: boolean }> {
    let length = 0;
    let inOrder = true;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      // The first byte of each megabyte tells which chunk of the origin's it is.
      for (let at = Math.ceil(length / MB) * MB; at < length + chunk.length; at += MB) {
        if (chunk[at - length] !== (at / MB) % 256) inOrder = false;
      }
      length += chunk.length;
    }
    return { length, inOrder };
  }

  it('pace an oversized pass-through: the edge takes from the origin only what the client takes', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': String(SIZE) });
    const edge = await startEdge({ maxObjectBytes: MB, originTimeoutMs: 300 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = pausedGet(edge, '/video.mp4');
    const sending = sendBig(await origin.nextResponse());
    const res = await client;
    // Nothing read: the origin is held back after a few socket buffers, far short of the whole.
    expect(await settled(sending.sent)).toBeLessThan(SIZE / 2);
    // A client that pauses for longer than the origin timeout is not cut off for it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    res.resume();
    expect(await readAll(res)).toEqual({ length: SIZE, inOrder: true });
    await sending.finished;
  });

  it('pace a pass-through of another method the same way, without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const origin = await ControlledOrigin.start({ 'content-length': String(SIZE) });
      const edge = await startEdge();
      await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

      const client = pausedGet(edge, '/upload', 'POST');
      const sending = sendBig(await origin.nextResponse());
      const res = await client;
      expect(await settled(sending.sent)).toBeLessThan(SIZE / 2);
      res.resume();
      expect(await readAll(res)).toEqual({ length: SIZE, inOrder: true });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('stop an oversized transfer from the origin when its client goes away', async () => {
    const origin = await ControlledOrigin.start({ 'content-length': String(SIZE) });
    const edge = await startEdge({ maxObjectBytes: MB });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const client = pausedGet(edge, '/video.mp4');
    const originRes = await origin.nextResponse();
    const originClosed = new Promise((resolve) => originRes.on('close', resolve));
    const sending = sendBig(originRes);
    (await client).destroy();

    await originClosed;
    expect(sending.sent()).toBeLessThan(SIZE / 2);
  });

  it('do not hold up a fill that is being stored: others get a hit while the slow client still reads', async () => {
    const body = patternedBody(512 * 1024);
    const origin = await startOrigin();
    origin.on('/photo.jpg', { body });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const slow = await pausedGet(edge, '/photo.jpg');
    await expect.poll(() => edge.cache.count, { timeout: 2_000 }).toBe(1);
    const hit = await edge.get(DOMAIN, '/photo.jpg');
    expect([hit.headers['x-cache'], hit.body.equals(body)]).toEqual(['HIT', true]);

    slow.resume();
    const chunks: Buffer[] = [];
    for await (const chunk of slow as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
  });
});
