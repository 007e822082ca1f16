/**
 * The disk tier (edge/cache/disk-tier.ts) through a real edge: objects evicted from memory, and
 * those too large for it, are served from files, across a restart too; purges reach the files,
 * also when a file outlived its purge (a crash before its deletion); a file cut short is never
 * served; the tier stays within its byte budget.
 */
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OriginAnswer, OriginRequestSeen, OriginServer } from '../support/origin-server.js';
import type { TestClock } from '../support/clock.js';
import { crashAfterPurge, diskDir, objectFiles, until } from './disk-fixture.js';
import { CACHE_ALL_RULES, closeAll, patternedBody, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

const DOMAIN = 'cdn.example.com';
const ID = `ep-${DOMAIN}`;
/** Room in memory for two 3,000-byte objects (a 4 KiB chunk each, with their bookkeeping), not three; 20 kB objects go straight to disk. */
const MEMORY = { cacheBytes: 14_000, maxObjectBytes: 4_000 };
const DISK_BYTES = 200_000;
const BIG = patternedBody(20_000);

afterEach(closeAll);

async function edgeOn(dir: string, origin: OriginServer, clock?: TestClock, bytes = DISK_BYTES): Promise<TestEdge> {
  const edge = await startEdge({ ...MEMORY, disk: { dir, bytes, maxObjectBytes: 25_000 }, ...(clock && { clock }) });
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
  return edge;
}

async function originWithFiles(): Promise<OriginServer> {
  const origin = await startOrigin();
  for (const name of ['a', 'b', 'c']) origin.on(`/${name}`, { body: name.repeat(3000) });
  for (const path of ['/big.bin', '/img/1.bin', '/img/sub/2.bin', '/other.bin']) origin.on(path, { body: BIG });
  return origin;
}

describe('the disk tier', () => {
  it('serves objects evicted from memory and objects too large for it from files, ranges too, and again after a restart', async () => {
    const origin = await originWithFiles();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    expect((await first.get(DOMAIN, '/big.bin')).headers['x-cache']).toBe('MISS');
    // a, then b and c: memory holds two, so a is evicted to disk.
    for (const name of ['a', 'b', 'c']) await first.get(DOMAIN, `/${name}`);
    await until(() => first.cache.diskCount === 2, 'big.bin and a on disk');

    const big = await first.get(DOMAIN, '/big.bin');
    expect([big.headers['x-cache'], big.headers['content-length'], big.body.equals(BIG)]).toEqual(['HIT', '20000', true]);
    const part = await first.get(DOMAIN, '/big.bin', { headers: { range: 'bytes=1000-1999' } });
    expect([part.status, part.headers['content-range'], part.body.equals(BIG.subarray(1000, 2000))]).toEqual([206, 'bytes 1000-1999/20000', true]);
    const a = await first.get(DOMAIN, '/a');
    expect([a.headers['x-cache'], a.text]).toEqual(['HIT', 'a'.repeat(3000)]);
    await first.close();

    const second = await edgeOn(dir, origin, first.clock);
    expect(second.cache.diskCount).toBe(2);
    for (const [path, body] of [['/big.bin', BIG], ['/a', Buffer.from('a'.repeat(3000))]] as const) {
      const answer = await second.get(DOMAIN, path);
      expect([path, answer.headers['x-cache'], answer.body.equals(body)]).toEqual([path, 'HIT', true]);
    }
    expect([origin.count('/big.bin'), origin.count('/a')]).toEqual([1, 1]);
  });

  it('streams a body of several MiB from its file, whole and in ranges', async () => {
    const huge = patternedBody(3 * 1024 * 1024 + 7);
    const origin = await startOrigin();
    origin.on('/huge.bin', { body: huge });
    const edge = await startEdge({ ...MEMORY, disk: { dir: diskDir(), bytes: 16 << 20, maxObjectBytes: 4 << 20 } });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });
    await edge.get(DOMAIN, '/huge.bin');
    await until(() => edge.cache.diskCount === 1, 'huge.bin on disk');
    const whole = await edge.get(DOMAIN, '/huge.bin');
    expect([whole.headers['x-cache'], whole.body.length, whole.body.equals(huge)]).toEqual(['HIT', huge.length, true]);
    const tail = await edge.get(DOMAIN, '/huge.bin', { headers: { range: 'bytes=100-' } });
    expect([tail.status, tail.body.equals(huge.subarray(100))]).toEqual([206, true]);
    expect(origin.count('/huge.bin')).toBe(1);
  });

  it('answers conditionals and HEAD from the disk, and revalidates a stale object there with its stored validators', async () => {
    const origin = await startOrigin();
    origin.on('/v.bin', (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60' } }
        : { headers: { etag: '"v1"', 'cache-control': 'max-age=10' }, body: BIG },
    );
    const edge = await startEdge({ ...MEMORY, disk: { dir: diskDir(), bytes: DISK_BYTES, maxObjectBytes: 25_000 } });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    await edge.get(DOMAIN, '/v.bin');
    await until(() => edge.cache.diskCount === 1, 'v.bin on disk');

    const notModified = await edge.get(DOMAIN, '/v.bin', { headers: { 'if-none-match': '"v1"' } });
    expect([notModified.status, notModified.headers['x-cache'], notModified.body.length]).toEqual([304, 'HIT', 0]);
    const head = await edge.get(DOMAIN, '/v.bin', { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '20000', 0]);

    edge.clock.advance(11_000);
    const revalidated = await edge.get(DOMAIN, '/v.bin');
    expect([revalidated.status, revalidated.body.equals(BIG)]).toEqual([200, true]);
    expect(origin.requests.map((request) => request.headers['if-none-match'])).toEqual([undefined, '"v1"']);
  });

  it('never serves after a restart what was purged before it, even when its file outlived the purge', async () => {
    const origin = await originWithFiles();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    await first.get(DOMAIN, '/big.bin');
    await until(() => first.cache.diskCount === 1, 'big.bin on disk');
    // The file not yet deleted, the record written.
    await crashAfterPurge(first, dir, () => first.node.purge(ID, { files: ['/big.bin'], directories: [], patterns: [] }));

    const second = await edgeOn(dir, origin, first.clock);
    const answer = await second.get(DOMAIN, '/big.bin');
    expect([answer.headers['x-cache'], answer.body.equals(BIG)]).toEqual(['MISS', true]);
    expect(origin.count('/big.bin')).toBe(2);
  });

  it('a directory purge reaches the files under it, and only those', async () => {
    const origin = await originWithFiles();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    for (const path of ['/img/1.bin', '/img/sub/2.bin', '/other.bin']) await first.get(DOMAIN, path);
    await until(() => first.cache.diskCount === 3, 'three objects on disk');
    await first.node.purge(ID, { files: [], directories: ['/img/'], patterns: [] });
    await until(() => objectFiles(dir).length === 1, 'the files under /img/ deleted');
    // Once its files are gone the record has nothing left to cover: the journal lets it go.
    await until(() => readFileSync(join(dir, 'purges.jsonl'), 'utf8') === '', 'the journal compacted');
    await first.close();

    const second = await edgeOn(dir, origin, first.clock);
    const answers = [];
    for (const path of ['/img/1.bin', '/img/sub/2.bin', '/other.bin']) answers.push((await second.get(DOMAIN, path)).headers['x-cache']);
    expect(answers).toEqual(['MISS', 'MISS', 'HIT']);
  });

  it('a file cut short is never served: dropped and fetched again, while running and at a restart', async () => {
    const origin = await originWithFiles();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    await first.get(DOMAIN, '/big.bin');
    await until(() => first.cache.diskCount === 1, 'big.bin on disk');
    truncateSync(objectFiles(dir)[0]!, statSync(objectFiles(dir)[0]!).size - 100);

    const refetched = await first.get(DOMAIN, '/big.bin');
    expect([refetched.headers['x-cache'], refetched.headers['content-length'], refetched.body.equals(BIG)]).toEqual(['MISS', '20000', true]);
    expect(origin.count('/big.bin')).toBe(2);
    await until(() => first.cache.diskCount === 1 && objectFiles(dir).length === 1, 'stored again');
    truncateSync(objectFiles(dir)[0]!, 5_000);
    await first.close();

    const second = await edgeOn(dir, origin, first.clock);
    expect([second.cache.diskCount, objectFiles(dir).length]).toEqual([0, 0]);
    const answer = await second.get(DOMAIN, '/big.bin');
    expect([answer.headers['x-cache'], answer.body.equals(BIG)]).toEqual(['MISS', true]);
  });

  it('stays within its byte budget, the least recently used going first', async () => {
    const origin = await startOrigin();
    origin.otherwise({ body: 'x'.repeat(3_000) });
    const dir = diskDir();
    const budget = 20_000;
    const edge = await edgeOn(dir, origin, undefined, budget);
    const onDisk = () => objectFiles(dir).reduce((sum, file) => sum + statSync(file).size, 0);
    for (let i = 0; i < 30; i++) {
      await edge.get(DOMAIN, `/file-${i}`);
      expect(edge.cache.diskBytes).toBeLessThanOrEqual(budget);
    }
    // Settled: every file is indexed (no deletion pending) and the index's bytes are the files' (no write pending).
    await until(() => edge.cache.diskCount >= 4 && objectFiles(dir).length === edge.cache.diskCount && onDisk() === edge.cache.diskBytes, 'writes and deletions settled');
    expect(onDisk()).toBeLessThanOrEqual(budget);
    // The newest are kept (two in memory, the next ones on disk); the oldest went.
    expect((await edge.get(DOMAIN, '/file-27')).headers['x-cache']).toBe('HIT');
    expect((await edge.get(DOMAIN, '/file-0')).headers['x-cache']).toBe('MISS');
  });

  it('drops everything when its owner asks, on disk as in memory, and after a restart', async () => {
    const origin = await originWithFiles();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    for (const path of ['/big.bin', '/a', '/b', '/c']) await first.get(DOMAIN, path);
    await until(() => first.cache.diskCount === 2, 'big.bin and a on disk');
    first.node.dropCache();
    const answers = [];
    for (const path of ['/big.bin', '/a', '/c']) answers.push((await first.get(DOMAIN, path)).headers['x-cache']);
    expect(answers).toEqual(['MISS', 'MISS', 'MISS']);
    await first.close();

    const second = await edgeOn(dir, origin, first.clock);
    expect((await second.get(DOMAIN, '/b')).headers['x-cache']).toBe('MISS');
  });
});
