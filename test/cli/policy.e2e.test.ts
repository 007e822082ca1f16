/** `mooncdn cache-rules` and `mooncdn access-control`: show, and set from a file or stdin. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { CliWorld, expectUsageError, parseJson, UUID } from './cli-world.js';

let world: CliWorld;
let dir: string;
beforeAll(async () => {
  world = await CliWorld.start();
  world.origin.otherwise({ body: 'content' });
  dir = mkdtempSync(join(tmpdir(), 'mooncdn-cli-policy-'));
});
afterAll(async () => {
  await world?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const api = async (id: string, what: 'cacherules' | 'accesscontrol') => (await world.api.sub('GET', `/endpoints/${id}/${what}`)).body;

describe('cache-rules', () => {
  const rules = {
    Rules: [
      { Type: 'Suffix', Items: ['.jpg', '.png'], TTL: '86400' },
      { Type: 'Dir', Items: ['/static/'], TTL: 600 },
    ],
    IgnoreQueryString: 'true',
  };

  it('show says when there are no rules', async () => {
    const id = await world.endpoint('norules.example.com');
    const result = await world.cli(['cache-rules', 'show', id]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("No rules: the origin's Cache-Control decides.\nIgnoreCacheControl false, IgnoreQueryString false, IgnoreCookie false\n");
  });

  it('set --file --wait applies the file; show prints the rules as a table, --json as the API has them', async () => {
    const id = await world.endpoint('rules.example.com');
    const set = await world.cli(['cache-rules', 'set', id, '--file', file('rules.json', rules), '--wait']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(new RegExp(`^Operation ${UUID.source} \\(UpdateCacheRules\\) Succeeded\\n  Endpoint   ${id}\\n`));
    expect(await api(id, 'cacherules')).toMatchObject({ Rules: [{ Type: 'Suffix', Items: ['.jpg', '.png'], TTL: 86400 }, { Type: 'Dir', Items: ['/static/'], TTL: 600 }], IgnoreQueryString: true });

    const human = await world.cli(['cache-rules', 'show', id]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.split('\n')).toEqual([
      expect.stringMatching(/^TYPE +TTL \(s\) +ITEMS$/),
      expect.stringMatching(/^Suffix +86400 +\.jpg \.png$/),
      expect.stringMatching(/^Dir +600 +\/static\/$/),
      'IgnoreCacheControl false, IgnoreQueryString true, IgnoreCookie false',
      '',
    ]);
    const json = await world.cli(['cache-rules', 'show', id, '--json']);
    expect(parseJson(json)).toEqual(await api(id, 'cacherules'));
  });

  it('set --file - reads stdin: show --json of one endpoint sets another', async () => {
    const from = await world.endpoint('rules-from.example.com');
    const to = await world.endpoint('rules-to.example.com');
    expect((await world.cli(['cache-rules', 'set', from, '--file', file('from.json', rules), '--wait'])).code).toBe(0);
    const exported = await world.cli(['cache-rules', 'show', from, '--json']);

    const set = await world.cliWithInput(['cache-rules', 'set', to, '--file', '-', '--wait', '--json'], exported.stdout);
    expect(set.code, set.stderr).toBe(0);
    expect(parseJson(set)).toMatchObject({ Type: 'UpdateCacheRules', Status: 'Succeeded', EndpointId: to });
    expect(await api(to, 'cacherules')).toEqual(JSON.parse(exported.stdout));
  });

  it('without --wait says it was accepted; --json is the API\'s answer', async () => {
    const id = await world.endpoint('rules-async.example.com');
    const human = await world.cli(['cache-rules', 'set', id, '--file', file('async.json', rules)]);
    expect(human.code, human.stderr).toBe(0);
    const operationId = new RegExp(`^Accepted: operation (${UUID.source}) `).exec(human.stdout)![1]!;
    await world.api.waitForOperation(id, operationId);
    const json = parseJson(await world.cli(['cache-rules', 'set', id, '--file', file('async.json', rules), '--json']));
    expect(json).toMatchObject({ Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: expect.stringMatching(UUID) } });
    await world.api.waitForOperation(id, json.AsyncInfo.TaskTrackId);
  });

  it('an unreadable or invalid file says so in one line, exit 1, and sends nothing; rules the API refuses exit 1', async () => {
    const id = await world.endpoint('rules-bad.example.com');
    const before = await world.requests('PUT', `/endpoints/${id}/cacherules`);
    const absent = await world.cli(['cache-rules', 'set', id, '--file', join(dir, 'absent.json')]);
    expect(absent).toEqual({ code: 1, stdout: '', stderr: `--file: cannot read "${join(dir, 'absent.json')}" (ENOENT).\n` });
    const invalid = await world.cliWithInput(['cache-rules', 'set', id, '--file', '-'], '{"Rules": [');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^--file: "-" is not valid JSON \(.*\)\.\n$/);
    expectUsageError(await world.cli(['cache-rules', 'set', id]), "required option '--file <file>' not specified", 'cache-rules set');
    expect(await world.requests('PUT', `/endpoints/${id}/cacherules`)).toBe(before);

    const refused = await world.cli(['cache-rules', 'set', id, '--file', file('refused.json', { Rules: 'all of them' })]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^ParameterInvalid: .*Rules/);
  });
});

describe('access-control', () => {
  const acl = { ForbiddenIps: ['203.0.113.0/24'], RefererControl: { Enabled: true, PathPatterns: ['/img/*'], Referers: ['*.example.com'], RefererControlType: 'AllowList' } };

  it('show of the default: nothing forbidden, referer control off', async () => {
    const id = await world.endpoint('open.example.com');
    const result = await world.cli(['access-control', 'show', id]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Forbidden IPs   none\nReferer control off\n');
  });

  it('set --file --wait applies the file; show prints it for a person and --json as the API has it', async () => {
    const id = await world.endpoint('acl.example.com');
    const set = await world.cli(['access-control', 'set', id, '--file', file('acl.json', acl), '--wait']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^Operation \S+ \(UpdateAccessControl\) Succeeded\n/);
    expect(await api(id, 'accesscontrol')).toEqual(acl);

    const human = await world.cli(['access-control', 'show', id]);
    expect(human.stdout).toBe('Forbidden IPs   203.0.113.0/24\nReferer control AllowList of *.example.com on /img/*\n');
    expect(parseJson(await world.cli(['access-control', 'show', id, '--json']))).toEqual(acl);
  });

  it('set --file - from stdin takes effect at the edge', async () => {
    const id = await world.endpoint('blocked.example.com');
    expect((await edgeGet(world.edgePort, 'blocked.example.com', '/page')).status).toBe(200);
    const blockLocal = { ForbiddenIps: ['127.0.0.1'], RefererControl: { Enabled: 'false', PathPatterns: [], Referers: [], RefererControlType: 'BlockList' } };
    const set = await world.cliWithInput(['access-control', 'set', id, '--file', '-', '--wait'], JSON.stringify(blockLocal));
    expect(set.code, set.stderr).toBe(0);
    expect((await api(id, 'accesscontrol')).ForbiddenIps).toEqual(['127.0.0.1']);
    expect((await edgeGet(world.edgePort, 'blocked.example.com', '/page')).status).toBe(403);
  });
});
