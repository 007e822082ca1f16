/**
 * A Range on a miss (video seeking, resumed downloads): answered 206 from the fill while the
 * object is stored; for an object that will not be stored, the Range goes to the origin and
 * its 206 comes back, so the edge never sends (nor fetches) a whole body for a range of it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CACHE_ALL_RULES, closeAll, patternedBody, startEdge, track } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'video.example.com';

/** An origin serving one body per path, with single byte ranges as origins do; it records what it was asked. */
async function rangeOrigin(bodies: Record<string, Buffer>): Promise<{ address: string; asked: Array<{ url: string; range: string | undefined }> }> {
  const asked: Array<{ url: string; range: string | undefined }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    asked.push({ url: req.url ?? '', range: req.headers.range });
    const body = bodies[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (range) {
      const [start, end] = [Number(range[1]), Math.min(Number(range[2]), body.length - 1)];
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': String(end - start + 1), 'cache-control': 'max-age=600' });
      return void res.end(body.subarray(start, end + 1));
    }
    res.writeHead(200, { 'content-length': String(body.length), 'cache-control': 'max-age=600', 'accept-ranges': 'bytes' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

describe('a Range on a miss', () => {
  it('of an object being stored is answered 206 from the fill, which stores the whole', async () => {
    const body = patternedBody(200_000);
    const origin = await rangeOrigin({ '/clip.mp4': body });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const partial = await edge.get(DOMAIN, '/clip.mp4', { headers: { range: 'bytes=100-199' } });
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 100-199/${body.length}`);
    expect(partial.body.equals(body.subarray(100, 200))).toBe(true);
    // The origin was asked for the whole, once, without the Range, and the fill goes on into the cache.
    expect(origin.asked).toEqual([{ url: '/clip.mp4', range: undefined }]);
    await vi.waitFor(() => expect(edge.cache.count).toBe(1));

    const suffix = await edge.get(DOMAIN, '/clip.mp4', { headers: { range: 'bytes=-10' } });
    expect([suffix.status, suffix.headers['x-cache']]).toEqual([206, 'HIT']);
    expect(suffix.body.equals(body.subarray(body.length - 10))).toBe(true);
  });

  it('past the end is 416 with the size', async () => {
    const origin = await rangeOrigin({ '/short.mp4': Buffer.from('0123456789') });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    const refused = await edge.get(DOMAIN, '/short.mp4', { headers: { range: 'bytes=50-60' } });
    expect([refused.status, refused.headers['content-range'], refused.body.length]).toEqual([416, 'bytes */10', 0]);
  });

  it('of an object over the maximum size goes to the origin with its Range, and the origin\'s 206 comes back', async () => {
    const body = patternedBody(3_000_000);
    const origin = await rangeOrigin({ '/movie.mp4': body });
    const edge = await startEdge({ maxObjectBytes: 1_000_000 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const partial = await edge.get(DOMAIN, '/movie.mp4', { headers: { range: 'bytes=0-99' } });
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 0-99/${body.length}`);
    expect(partial.body.equals(body.subarray(0, 100))).toBe(true);
    expect(origin.asked.at(-1)).toEqual({ url: '/movie.mp4', range: 'bytes=0-99' });
  });

  it('joining a fill another client started gets its part', async () => {
    const body = patternedBody(500_000);
    const origin = await rangeOrigin({ '/shared.mp4': body });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    const [whole, partial] = await Promise.all([
      edge.get(DOMAIN, '/shared.mp4'),
      edge.get(DOMAIN, '/shared.mp4', { headers: { range: 'bytes=250000-250099' } }),
    ]);
    expect(whole.body.equals(body)).toBe(true);
    expect(partial.status).toBe(206);
    expect(partial.body.equals(body.subarray(250_000, 250_100))).toBe(true);
  });
});
