/**
 * `mooncdn purge URL...` and `mooncdn preload URL...`: endpoints found by host, directories by a
 * trailing "/", long lists split, and what --wait and --json give. The edge and the origin say
 * whether it really happened; the server's request log and the API say what was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { CliWorld, expectUsageError, parseJson, UUID } from './cli-world.js';

const cacheable = (body: string) => ({ body, headers: { 'cache-control': 'max-age=3600' } });

let world: CliWorld;
let a: string;
let b: string;
beforeAll(async () => {
  world = await CliWorld.start();
  world.origin.otherwise(cacheable('anything'));
  a = await world.endpoint('a.example.com');
  b = await world.endpoint('b.example.com');
});
afterAll(async () => {
  await world?.stop();
});

const xCache = async (host: string, path: string) => (await edgeGet(world.edgePort, host, path)).headers['x-cache'];

describe('purge', () => {
  it('--wait exits 0 with the final operation, and the edge really fetches the new content', async () => {
    world.origin.on('/app.js', cacheable('v1'));
    expect(await xCache('a.example.com', '/app.js')).toBe('MISS');
    expect(await xCache('a.example.com', '/app.js')).toBe('HIT');
    world.origin.on('/app.js', cacheable('v2'));

    const result = await world.cli(['purge', 'http://a.example.com/app.js', '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Operation ${UUID.source} \\(Purge\\) Succeeded\\n  Endpoint   ${a}\\n  Start      \\S+Z\\n  End        \\S+Z\\n$`));

    const after = await edgeGet(world.edgePort, 'a.example.com', '/app.js');
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.text).toBe('v2');
    expect(world.origin.count('/app.js')).toBe(2);
  });

  it('a URL ending in "/" is purged as a directory, the others as files', async () => {
    for (const path of ['/img/a.png', '/img/deep/b.png', '/site.css']) await edgeGet(world.edgePort, 'a.example.com', path);
    expect(await xCache('a.example.com', '/img/deep/b.png')).toBe('HIT');

    const result = await world.cli(['purge', 'http://a.example.com/img/', 'http://a.example.com/site.css', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const [accepted, ...more] = parseJson(result);
    expect(more).toEqual([]);
    const purgeId = accepted.AsyncInfo.TaskTrackId;
    await world.api.waitForOperation(a, purgeId);
    const items = (await world.api.sub('GET', `/endpoints/${a}/purges/${purgeId}`)).body;
    expect(items.Directories.map((i: any) => i.Url)).toEqual(['http://a.example.com/img/']);
    expect(items.Files.map((i: any) => i.Url)).toEqual(['http://a.example.com/site.css']);
    for (const path of ['/img/a.png', '/img/deep/b.png', '/site.css']) expect(await xCache('a.example.com', path)).toBe('MISS');
  });

  it('without --wait, says what was accepted on which domain; --json is the list of the API\'s answers, each with its EndpointId', async () => {
    const human = await world.cli(['purge', 'http://a.example.com/x.js', 'http://b.example.com/y/', 'http://a.example.com/z/']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Purge of 2 URL\\(s\\) on a\\.example\\.com accepted: operation ${UUID.source}\\nPurge of 1 URL\\(s\\) on b\\.example\\.com accepted: operation ${UUID.source}\\n$`));

    const json = await world.cli(['purge', 'http://b.example.com/q.js', 'http://a.example.com/r.js', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const answers = parseJson(json);
    const answer = (endpointId: string) => ({ EndpointId: endpointId, Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: expect.stringMatching(UUID), TaskStatus: expect.any(String) } });
    expect(answers).toEqual([answer(b), answer(a)]);
    expect((await world.api.waitForOperation(b, answers[0].AsyncInfo.TaskTrackId)).Type).toBe('Purge');
    expect((await world.api.waitForOperation(a, answers[1].AsyncInfo.TaskTrackId)).Type).toBe('Purge');
  });
});

describe('preload', () => {
  it('--wait exits 0 and the edge then serves from its cache without asking the origin', async () => {
    world.origin.on('/video/intro.mp4', cacheable('frames'));
    const result = await world.cli(['preload', 'http://a.example.com/video/intro.mp4', '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Operation \S+ \(Preload\) Succeeded\n/);
    expect(world.origin.count('/video/intro.mp4')).toBe(1);
    const served = await edgeGet(world.edgePort, 'a.example.com', '/video/intro.mp4');
    expect(served.headers['x-cache']).toBe('HIT');
    expect(served.text).toBe('frames');
    expect(world.origin.count('/video/intro.mp4')).toBe(1);
  });

  it('--wait exits 1 when the origin answers 404, printing the failed operation and its reason', async () => {
    world.origin.on('/missing.js', { status: 404, body: 'no' });
    const result = await world.cli(['preload', 'http://a.example.com/missing.js', '--wait']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^Operation ${UUID.source} \\(Preload\\) Failed\\n  Endpoint   ${a}\\n  Start      \\S+Z\\n  End        \\S+Z\\n  Message    .*http://a\\.example\\.com/missing\\.js.*404`));
  });

  it('--wait --json on failure: exit 1, stdout is one JSON document, the list of final operations', async () => {
    world.origin.on('/gone.css', { status: 404, body: 'no' });
    const result = await world.cli(['preload', 'http://a.example.com/gone.css', 'http://b.example.com/gone.css', '--wait', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const operations = parseJson(result);
    expect(operations).toHaveLength(2);
    expect(operations.map((o: any) => o.EndpointId).sort()).toEqual([a, b].sort());
    for (const operation of operations) expect(operation).toMatchObject({ Type: 'Preload', Status: 'Failed', Message: expect.stringContaining('404') });
  });

  it('--wait --json on success exits 0 with Succeeded operations', async () => {
    const result = await world.cli(['preload', 'http://b.example.com/ok.js', '--wait', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result)).toEqual([expect.objectContaining({ Type: 'Preload', Status: 'Succeeded', EndpointId: b })]);
  });

  it('a directory cannot be preloaded: usage error, exit 2', async () => {
    expectUsageError(await world.cli(['preload', 'http://a.example.com/dir/']), 'is a directory; preload takes files only', 'preload');
  });
});

describe('finding endpoints by host', () => {
  it('a host with no endpoint exits 1 naming it, and sends nothing for the other URLs either', async () => {
    const before = await world.requests('POST', '/purges');
    const result = await world.cli(['purge', 'http://a.example.com/one.js', 'http://nowhere.example.com/two.js', 'http://b.example.com/three.js']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No endpoint serves nowhere.example.com; nothing was sent.');
    expect(result.stderr).toContain('mooncdn endpoint create --domain nowhere.example.com');
    expect(await world.requests('POST', '/purges')).toBe(before);

    const preloadsBefore = await world.requests('POST', '/preloads');
    const preload = await world.cli(['preload', 'http://elsewhere.example.com/a.js', '--wait', '--json']);
    expect(preload.code).toBe(1);
    expect(preload.stdout).toBe('');
    expect(preload.stderr).toContain('No endpoint serves elsewhere.example.com');
    expect(await world.requests('POST', '/preloads')).toBe(preloadsBefore);
  });

  it('something that is not an http(s) URL is a usage error', async () => {
    expectUsageError(await world.cli(['purge', 'a.example.com/app.js']), '"a.example.com/app.js" is not an absolute URL', 'purge');
    expectUsageError(await world.cli(['purge', 'ftp://a.example.com/app.js']), 'is not an http or https URL', 'purge');
    expectUsageError(await world.cli(['purge']), 'Give URLs to purge, or cache tags with --tag and --endpoint.', 'purge');
  });
});

describe('long URL lists', () => {
  it('250 URLs on two domains go as requests of at most 100 URLs, each to its own endpoint', async () => {
    const urls = Array.from({ length: 250 }, (_, i) => (i % 5 < 3 ? `http://a.example.com/many/${i}.js` : `http://b.example.com/many/${i}${i % 10 === 4 ? '/' : '.js'}`));
    const onA = urls.filter((u) => u.startsWith('http://a.'));
    const onB = urls.filter((u) => u.startsWith('http://b.'));
    expect([onA.length, onB.length]).toEqual([150, 100]);
    const [beforeA, beforeB] = [await world.requests('POST', `/endpoints/${a}/purges`), await world.requests('POST', `/endpoints/${b}/purges`)];

    const result = await world.cli(['purge', ...urls, '--wait', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const operations = parseJson(result);

    // The server saw two requests for a (150 URLs) and one for b (100 URLs).
    expect(await world.requests('POST', `/endpoints/${a}/purges`)).toBe(beforeA + 2);
    expect(await world.requests('POST', `/endpoints/${b}/purges`)).toBe(beforeB + 1);
    expect(operations).toHaveLength(3);
    expect(operations.every((o: any) => o.Type === 'Purge' && o.Status === 'Succeeded')).toBe(true);

    const sent = new Map<string, string[]>([[a, []], [b, []]]);
    for (const operation of operations) {
      const items = (await world.api.sub('GET', `/endpoints/${operation.EndpointId}/purges/${operation.Id}`)).body;
      const batch = [...items.Files, ...items.Directories].map((i: any) => i.Url as string);
      expect(batch.length).toBeLessThanOrEqual(100);
      expect(items.Directories.every((i: any) => i.Url.endsWith('/'))).toBe(true);
      expect(items.Files.every((i: any) => !i.Url.endsWith('/'))).toBe(true);
      sent.get(operation.EndpointId)!.push(...batch);
    }
    expect(sent.get(a)!.sort()).toEqual([...onA].sort());
    expect(sent.get(b)!.sort()).toEqual([...onB].sort());
  });

  it('--batch-size sets the URLs per request; a size below 1 is a usage error', async () => {
    const urls = Array.from({ length: 45 }, (_, i) => `http://b.example.com/batch/${i}.png`);
    const before = await world.requests('POST', `/endpoints/${b}/purges`);
    const result = await world.cli(['purge', ...urls, '--batch-size', '20', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const answers = parseJson(result);
    expect(await world.requests('POST', `/endpoints/${b}/purges`)).toBe(before + 3);
    const sizes = [];
    for (const answer of answers) {
      await world.api.waitForOperation(b, answer.AsyncInfo.TaskTrackId);
      sizes.push((await world.api.sub('GET', `/endpoints/${b}/purges/${answer.AsyncInfo.TaskTrackId}`)).body.Files.length);
    }
    expect(sizes).toEqual([20, 20, 5]);

    expectUsageError(await world.cli(['purge', urls[0]!, '--batch-size', '0']), "option '--batch-size <n>' argument '0' is invalid", 'purge');
  });
});
