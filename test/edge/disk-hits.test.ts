/**
 * How hits are served from the disk tier's files (edge/cache/open-files.ts, file-body.ts): a
 * file kept open between hits is never served once purged, replaced or cut short; bodies read
 * into the edge's reused read memory reach a slow client intact while other hits reuse that
 * memory, and the memory is given back once the response is sent.
 */
import { statSync, truncateSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diskDir, objectFiles } from './disk-fixture.js';
import { CACHE_ALL_RULES, closeAll, patternedBody, stalledClient, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

const DOMAIN = 'disk-hits.example.com';
const ID = `ep-${DOMAIN}`;
const MiB = 1024 * 1024;

afterEach(closeAll);

/** An edge whose memory keeps nothing of these objects (4 KB at most): they live on disk. */
async function diskEdge(originAddress: string): Promise<{ edge: TestEdge; dir: string }> {
  const dir = diskDir();
  const edge = await startEdge({ cacheBytes: 14_000, maxObjectBytes: 4_000, disk: { dir, bytes: 64 * MiB, maxObjectBytes: 4 * MiB } });
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [originAddress], cachePolicy: CACHE_ALL_RULES });
  return { edge, dir };
}

/**
 * Fetches `path` and waits until its write to the tier (in the background) is indexed, then
 * returns the body of a hit (asking again before that would fill again and supersede the write).
 */
async function hitOnDisk(edge: TestEdge, dir: string, path: string): Promise<Buffer> {
  const filesBefore = new Set(objectFiles(dir));
  await edge.get(DOMAIN, path);
  // A new file, and every file indexed (none renamed but not yet indexed, none being deleted).
  const settled = () => {
    const files = objectFiles(dir);
    return files.some((file) => !filesBefore.has(file)) && files.length === edge.cache.diskCount;
  };
  await vi.waitFor(() => expect(settled()).toBe(true), { timeout: 5_000, interval: 5 });
  const answer = await edge.get(DOMAIN, path);
  expect(answer.headers['x-cache']).toBe('HIT');
  return answer.body;
}

/** `count` pipelined GETs of `path`, the last closing the connection. */
function pipelined(path: string, count: number): string {
  const request = (last: boolean) => `GET ${path} HTTP/1.1\r\nHost: ${DOMAIN}\r\n${last ? 'Connection: close\r\n' : ''}\r\n`;
  return Array.from({ length: count }, (_, i) => request(i === count - 1)).join('');
}

/** The bodies of pipelined HTTP/1.1 responses with Content-Length. */
function bodies(responses: Buffer): Buffer[] {
  const found: Buffer[] = [];
  let at = 0;
  while (at < responses.length) {
    const end = responses.indexOf('\r\n\r\n', at);
    const length = Number(/content-length: (\d+)/i.exec(responses.subarray(at, end).toString('latin1'))![1]);
    found.push(responses.subarray(end + 4, end + 4 + length));
    at = end + 4 + length;
  }
  return found;
}

describe('hits from the disk tier', () => {
  it('never serves a file kept open once it is cut short, purged or replaced', async () => {
    const first = patternedBody(20_000);
    const second = Buffer.alloc(20_000, 0x42);
    let body = first;
    const origin = await startOrigin();
    origin.on('/big.bin', () => ({ body }));
    const { edge, dir } = await diskEdge(origin.address);
    expect((await hitOnDisk(edge, dir, '/big.bin')).equals(first)).toBe(true);
    expect(edge.cache.diskOpenFiles).toBe(1);

    // Cut short while open: dropped and fetched again, not served short.
    const [file] = objectFiles(dir);
    truncateSync(file!, statSync(file!).size - 100);
    const refetched = await edge.get(DOMAIN, '/big.bin');
    expect([refetched.headers['x-cache'], refetched.body.equals(first)]).toEqual(['MISS', true]);
    expect((await hitOnDisk(edge, dir, '/big.bin')).equals(first)).toBe(true);

    // Purged while open: the next request goes to the origin, and the old file is closed.
    body = second;
    await edge.node.purge(ID, { files: ['/big.bin'], directories: [], patterns: [] });
    expect(edge.cache.diskOpenFiles).toBe(0);
    const afterPurge = await edge.get(DOMAIN, '/big.bin');
    expect([afterPurge.headers['x-cache'], afterPurge.body.equals(second)]).toEqual(['MISS', true]);
    expect((await hitOnDisk(edge, dir, '/big.bin')).equals(second)).toBe(true);

    // Replaced by a newer response (stale, refetched with new bytes): the new file is served, the old one closed.
    body = first;
    edge.clock.advance(3_601_000);
    expect((await hitOnDisk(edge, dir, '/big.bin')).equals(first)).toBe(true);
    expect(edge.cache.diskOpenFiles).toBe(1);
  });

  it('streams a large body from a file kept open, also after a client left halfway', async () => {
    const huge = patternedBody(3.5 * MiB + 3);
    const origin = await startOrigin();
    origin.on('/huge.bin', { body: huge });
    const { edge, dir } = await diskEdge(origin.address);
    expect((await hitOnDisk(edge, dir, '/huge.bin')).equals(huge)).toBe(true);
    // A client that reads the first bytes and hangs up: its stream is destroyed, the file stays open.
    const leaving = await stalledClient(edge.httpPort, `GET /huge.bin HTTP/1.1\r\nHost: ${DOMAIN}\r\n\r\n`);
    leaving.socket.destroy();
    for (const range of [undefined, 'bytes=3000000-']) {
      const answer = await edge.get(DOMAIN, '/huge.bin', range ? { headers: { range } } : {});
      expect([answer.headers['x-cache'], answer.body.equals(range ? huge.subarray(3_000_000) : huge)]).toEqual(['HIT', true]);
    }
    expect([edge.cache.diskOpenFiles, origin.count('/huge.bin')]).toEqual([1, 1]);
  });

  it('a slow client gets exactly its bytes while other hits reuse the read memory, which comes back once sent', async () => {
    // Two bodies of the largest size read whole (2 MiB), as many hits of the other as the read memory holds and more.
    const slow = patternedBody(2 * MiB);
    const other = Buffer.alloc(2 * MiB, 0x5a);
    const origin = await startOrigin();
    origin.on('/slow.bin', { body: slow });
    origin.on('/other.bin', { body: other });
    const { edge, dir } = await diskEdge(origin.address);
    await hitOnDisk(edge, dir, '/slow.bin');
    await hitOnDisk(edge, dir, '/other.bin');

    const client = await stalledClient(edge.httpPort, pipelined('/slow.bin', 8));
    // Its responses hold read memory: the socket has not taken all of them.
    await vi.waitFor(() => expect(edge.node.heldDiskReadBytes).toBeGreaterThan(0));
    for (let i = 0; i < 12; i++) expect((await edge.get(DOMAIN, '/other.bin')).body.equals(other)).toBe(true);
    const got = bodies(await client.finish());
    expect(got.map((body) => body.equals(slow))).toEqual(Array(8).fill(true));
    await vi.waitFor(() => expect(edge.node.heldDiskReadBytes).toBe(0));
    expect(origin.count('/slow.bin') + origin.count('/other.bin')).toBe(2);
  });
});
