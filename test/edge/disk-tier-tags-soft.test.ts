/**
 * Tag and soft purges in the disk tier (extensions): tags are kept in each file's metadata and
 * indexed again at start; a tag purge reaches the files, also after a restart that found the
 * journal's record and a file that outlived it; a soft-purged object is still stale after a
 * restart, whether its file was rewritten before it or only the journal said so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OriginAnswer, OriginRequestSeen, OriginServer } from '../support/origin-server.js';
import type { TestClock } from '../support/clock.js';
import { crashAfterPurge, diskDir, objectFiles, until } from './disk-fixture.js';
import { closeAll, patternedBody, startEdge, startOrigin, type TestEdge } from './edge-fixture.js';

const DOMAIN = 'cdn.example.com';
const ID = `ep-${DOMAIN}`;
/** 20 kB objects go straight to disk (memory keeps at most 4 kB each). */
const MEMORY = { cacheBytes: 10_000, maxObjectBytes: 4_000 };
const BIG = patternedBody(20_000);
const NONE = { files: [], directories: [], patterns: [], tags: [] };

afterEach(closeAll);

async function edgeOn(dir: string, origin: OriginServer, clock?: TestClock): Promise<TestEdge> {
  const edge = await startEdge({ ...MEMORY, disk: { dir, bytes: 200_000, maxObjectBytes: 25_000 }, ...(clock && { clock }) });
  await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
  return edge;
}

/** Cached for an hour, tagged by name, with an entity tag to revalidate with. */
async function taggedOrigin(): Promise<OriginServer> {
  const origin = await startOrigin();
  const answer =
    (tags: string) =>
    (req: OriginRequestSeen): OriginAnswer =>
    req.headers['if-none-match'] === '"v1"'
      ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=3600' } }
      : { headers: { etag: '"v1"', 'cache-control': 'max-age=3600', 'cache-tag': tags }, body: BIG };
  origin.on('/a.bin', answer('red,round'));
  origin.on('/b.bin', answer('blue'));
  return origin;
}

const conditionals = (origin: OriginServer, path: string) => origin.requests.filter((r) => r.url === path).map((r) => r.headers['if-none-match']);

describe('tag purges in the disk tier', () => {
  it('finds tagged files through the index rebuilt at start', async () => {
    const origin = await taggedOrigin();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    for (const path of ['/a.bin', '/b.bin']) await first.get(DOMAIN, path);
    await until(() => first.cache.diskCount === 2, 'both on disk');
    await first.close();

    const second = await edgeOn(dir, origin, first.clock);
    await second.node.purge(ID, { ...NONE, tags: ['round'] });
    await until(() => objectFiles(dir).length === 1, "a.bin's file deleted");
    expect((await second.get(DOMAIN, '/a.bin')).headers['x-cache']).toBe('MISS');
    expect((await second.get(DOMAIN, '/b.bin')).headers['x-cache']).toBe('HIT');
  });

  it('never serves after a restart what a tag purge covered, even when its file outlived the purge', async () => {
    const origin = await taggedOrigin();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    await first.get(DOMAIN, '/a.bin');
    await until(() => first.cache.diskCount === 1, 'a.bin on disk');
    await crashAfterPurge(first, dir, () => first.node.purge(ID, { ...NONE, tags: ['red'] }));

    const second = await edgeOn(dir, origin, first.clock);
    const answer = await second.get(DOMAIN, '/a.bin');
    expect([answer.headers['x-cache'], answer.body.equals(BIG)]).toEqual(['MISS', true]);
    expect(origin.count('/a.bin')).toBe(2);
  });
});

describe('soft purges in the disk tier', () => {
  it('rewrites the file stale: after a restart the object is revalidated, not served fresh', async () => {
    const origin = await taggedOrigin();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    for (const path of ['/a.bin', '/b.bin']) await first.get(DOMAIN, path);
    await until(() => first.cache.diskCount === 2, 'both on disk');
    await first.node.purge(ID, { ...NONE, soft: { ...NONE, tags: ['red'] } });
    // Once the file says stale, the journal has nothing left to keep.
    await until(() => readFileSync(join(dir, 'purges.jsonl'), 'utf8') === '', 'the journal compacted');
    expect(objectFiles(dir)).toHaveLength(2);
    await first.close();

    const second = await edgeOn(dir, origin, first.clock);
    const answer = await second.get(DOMAIN, '/a.bin');
    expect([answer.status, answer.body.equals(BIG)]).toEqual([200, true]);
    expect(conditionals(origin, '/a.bin')).toEqual([undefined, '"v1"']);
    expect((await second.get(DOMAIN, '/b.bin')).headers['x-cache']).toBe('HIT');
  });

  it('keeps the soft record in the journal until then: a restart right after the purge still revalidates', async () => {
    const origin = await taggedOrigin();
    const dir = diskDir();
    const first = await edgeOn(dir, origin);
    await first.get(DOMAIN, '/a.bin');
    await until(() => first.cache.diskCount === 1, 'a.bin on disk');
    // The old file and the record, not the file rewritten stale.
    await crashAfterPurge(first, dir, () => first.node.purge(ID, { ...NONE, soft: { ...NONE, files: ['/a.bin'] } }));

    const second = await edgeOn(dir, origin, first.clock);
    expect(second.cache.diskCount).toBe(1);
    const answer = await second.get(DOMAIN, '/a.bin');
    expect([answer.status, answer.body.equals(BIG)]).toEqual([200, true]);
    expect(conditionals(origin, '/a.bin')).toEqual([undefined, '"v1"']);
  });
});
