/**
 * `mooncdn purge --tag T --endpoint DOMAIN [--soft]` (extensions) end to end: the real binary,
 * server and edge; the origin's request log says what the edge did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import type { OriginAnswer } from '../support/origin-server.js';
import { CliWorld, expectUsageError, UUID } from './cli-world.js';

let world: CliWorld;
let endpointId: string;
beforeAll(async () => {
  world = await CliWorld.start();
  endpointId = await world.endpoint('tags.example.com');
});
afterAll(async () => {
  await world?.stop();
});

const xCache = async (path: string) => (await edgeGet(world.edgePort, 'tags.example.com', path)).headers['x-cache'];

describe('purge --tag', () => {
  it('--wait exits 0, and exactly the tagged objects are fetched again', async () => {
    world.origin.on('/a.js', { body: 'a', headers: { 'cache-control': 'max-age=3600', 'cache-tag': 'bundle,js' } });
    world.origin.on('/b.js', { body: 'b', headers: { 'cache-control': 'max-age=3600', 'cache-tag': 'js' } });
    world.origin.on('/c.css', { body: 'c', headers: { 'cache-control': 'max-age=3600', 'cache-tag': 'css' } });
    for (const path of ['/a.js', '/b.js', '/c.css']) expect(await xCache(path)).toBe('MISS');

    const result = await world.cli(['purge', '--tag', 'js', '--tag', 'nothing', '--endpoint', 'tags.example.com', '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Operation ${UUID.source} \\(Purge\\) Succeeded\\n`));
    expect([await xCache('/a.js'), await xCache('/b.js'), await xCache('/c.css')]).toEqual(['MISS', 'MISS', 'HIT']);
  });

  it('--soft keeps the objects: the next request revalidates with the origin', async () => {
    world.origin.on('/s.html', (req): OriginAnswer =>
      req.headers['if-none-match'] === '"s1"'
        ? { status: 304, headers: { etag: '"s1"', 'cache-control': 'max-age=3600' } }
        : { body: 'soft', headers: { etag: '"s1"', 'cache-control': 'max-age=3600', 'cache-tag': 'page' } },
    );
    expect(await xCache('/s.html')).toBe('MISS');
    const human = await world.cli(['purge', '--tag', 'page', '--endpoint', 'tags.example.com', '--soft']);
    expect(human.code, human.stderr).toBe(0);
    const id = new RegExp(`^Soft purge of 1 tag\\(s\\) on tags\\.example\\.com accepted: operation (${UUID.source})\\n$`).exec(human.stdout)?.[1];
    expect(id, human.stdout).toBeDefined();
    // The purge has reached the edge once its operation has ended.
    expect((await world.api.waitForOperation(endpointId, id!)).Status).toBe('Succeeded');
    const before = world.origin.requests.length;
    const after = await edgeGet(world.edgePort, 'tags.example.com', '/s.html');
    expect([after.status, after.text]).toEqual([200, 'soft']);
    expect(world.origin.requests.slice(before).map((r) => [r.url, r.headers['if-none-match']])).toEqual([['/s.html', '"s1"']]);
    expect(await xCache('/s.html')).toBe('HIT');
  });

  it('refuses --tag without --endpoint, and nothing to purge, before asking the API', async () => {
    expectUsageError(await world.cli(['purge', '--tag', 'x']), '--tag needs --endpoint <domain>', 'purge');
    expectUsageError(await world.cli(['purge']), 'Give URLs to purge, or cache tags with --tag and --endpoint.', 'purge');
  });
});
