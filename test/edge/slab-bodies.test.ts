/**
 * Bodies in the slab pool over real HTTP: a client that reads slowly while its object is
 * evicted and the pool is refilled with other bytes still gets exactly the original bytes (the
 * response holds the body's chunks until it is done), and the chunks come back to the pool then.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OriginAnswer, OriginRequestSeen } from '../support/origin-server.js';
import { CACHE_ALL_RULES, closeAll, patternedBody, stalledClient, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'slab.example.com';
const MiB = 1024 * 1024;

/** A GET of `path` that closes the connection once answered. */
const get = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nHost: ${DOMAIN}\r\n${headers}Connection: close\r\n\r\n`;
// Larger than what the kernel's socket buffers take in, so the edge still has writes pending.
const BIG = patternedBody(16 * MiB);
const OTHER = Buffer.alloc(2 * MiB, 0x5a);

/** The body of a raw HTTP/1.1 response with Content-Length, and its status line. */
function parse(response: Buffer): { status: string; body: Buffer } {
  const end = response.indexOf('\r\n\r\n');
  const head = response.subarray(0, end).toString('latin1');
  const length = Number(/content-length: (\d+)/i.exec(head)![1]);
  const body = response.subarray(end + 4);
  expect(body.length).toBe(length);
  return { status: head.split('\r\n')[0]!, body };
}

/** An edge of 24 MiB holding /big.bin (BIG) from an origin that answers OTHER for anything else. */
async function edgeHoldingBig() {
  const origin = await startOrigin();
  origin.on('/big.bin', { body: BIG });
  origin.otherwise({ body: OTHER });
  const edge = await startEdge({ cacheBytes: 24 * MiB, maxObjectBytes: 16 * MiB });
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
  expect((await edge.get(DOMAIN, '/big.bin')).body.equals(BIG)).toBe(true);
  return edge;
}

describe('bodies in the slab pool', () => {
  it('a slow client gets exactly the original bytes while its object is evicted and its space refilled', async () => {
    const edge = await edgeHoldingBig();

    const whole = await stalledClient(edge.httpPort, get('/big.bin'));
    const part = await stalledClient(edge.httpPort, get('/big.bin', 'Range: bytes=1000-12000999\r\n'));
    // Other objects push it out, then go round the pool again: its chunks would be reused now.
    for (let i = 0; i < 24; i++) expect((await edge.get(DOMAIN, `/other/${i}`)).body.equals(OTHER)).toBe(true);
    expect((await edge.get(DOMAIN, '/big.bin', { method: 'HEAD' })).headers['x-cache']).not.toBe('HIT');
    // Still held by the two responses, outside the budget.
    expect(edge.cache.outBytes).toBeGreaterThanOrEqual(BIG.length);
    expect(edge.cache.bytes).toBeLessThanOrEqual(24 * MiB);

    const got = parse(await whole.finish());
    expect(got.status).toBe('HTTP/1.1 200 OK');
    expect(got.body.equals(BIG)).toBe(true);
    const range = parse(await part.finish());
    expect(range.status).toBe('HTTP/1.1 206 Partial Content');
    expect(range.body.equals(BIG.subarray(1000, 12_001_000))).toBe(true);
    // Once sent, its chunks are back in the pool.
    await vi.waitFor(() => expect(edge.cache.outBytes).toBe(0));
  });

  it('gives the chunks back when a client leaves before it has everything', async () => {
    const edge = await edgeHoldingBig();
    const { socket } = await stalledClient(edge.httpPort, `GET /big.bin HTTP/1.1\r\nHost: ${DOMAIN}\r\n\r\n`);
    for (let i = 0; i < 12; i++) await edge.get(DOMAIN, `/other/${i}`);
    expect(edge.cache.outBytes).toBeGreaterThanOrEqual(BIG.length);
    socket.destroy();
    await vi.waitFor(() => expect(edge.cache.outBytes).toBe(0));
  });

  it('holds nothing for a pipelined response whose connection dies before its turn', async () => {
    const edge = await edgeHoldingBig();
    const request = `GET /big.bin HTTP/1.1\r\nHost: ${DOMAIN}\r\n\r\n`;
    const { socket } = await stalledClient(edge.httpPort, request + request + request);
    for (let i = 0; i < 12; i++) await edge.get(DOMAIN, `/other/${i}`);
    socket.destroy();
    await vi.waitFor(() => expect(edge.cache.outBytes).toBe(0));
  });

  it('answers a revalidation with the stored body after a 304, though the object was evicted while the origin thought', async () => {
    const stored = patternedBody(256 * 1024);
    let answer304!: () => void;
    const later = new Promise<void>((resolve) => (answer304 = resolve));
    const origin = await startOrigin();
    origin.on('/r.bin', (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60' }, until: later }
        : { headers: { etag: '"v1"', 'cache-control': 'max-age=10' }, body: stored },
    );
    origin.otherwise({ body: Buffer.alloc(256 * 1024, 0x5a), headers: { 'cache-control': 'max-age=3600' } });
    const edge = await startEdge({ cacheBytes: 1024 * 1024, maxObjectBytes: 512 * 1024 });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    expect((await edge.get(DOMAIN, '/r.bin')).body.equals(stored)).toBe(true);

    edge.clock.advance(11_000);
    const revalidated = edge.get(DOMAIN, '/r.bin');
    await vi.waitFor(() => expect(origin.requests.some((seen) => seen.headers['if-none-match'] === '"v1"')).toBe(true));
    // Pushed out and its space refilled while the origin has not answered.
    for (let i = 0; i < 8; i++) await edge.get(DOMAIN, `/other/${i}`);
    answer304();
    const answer = await revalidated;
    expect([answer.status, answer.body.equals(stored)]).toEqual([200, true]);
  });
});
