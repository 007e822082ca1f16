/**
 * `--wait` progress (a spinner and per-URL counts on a terminal, nothing when piped) and
 * `mooncdn operation show`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliWorld, HAS_SCRIPT, parseJson, UUID } from './cli-world.js';

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for 1 operation: /;
const CLEAR_LINE = '\r\u001b[2K';

let world: CliWorld;
let id: string;
beforeAll(async () => {
  world = await CliWorld.start();
  world.origin.otherwise({ body: 'content', headers: { 'cache-control': 'max-age=3600' } });
  id = await world.endpoint('wait.example.com');
});
afterAll(async () => {
  await world?.stop();
});

describe('operation show', () => {
  it('prints the operation for a person, and --json is the API\'s Operation', async () => {
    const accepted = parseJson(await world.cli(['purge', 'http://wait.example.com/a.js', '--json']))[0].AsyncInfo.TaskTrackId;
    await world.api.waitForOperation(id, accepted);

    const human = await world.cli(['operation', 'show', id, accepted]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Operation ${accepted} \\(Purge\\) Succeeded\\n  Endpoint   ${id}\\n  Start      \\S+Z\\n  End        \\S+Z\\n$`));

    const json = await world.cli(['operation', 'show', id, accepted, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(parseJson(json)).toEqual((await world.api.sub('GET', `/endpoints/${id}/operations/${accepted}`)).body);
  });

  it('a failed operation shows its Message', async () => {
    world.origin.on('/absent.js', { status: 404 });
    const accepted = parseJson(await world.cli(['preload', 'http://wait.example.com/absent.js', '--json']))[0].AsyncInfo.TaskTrackId;
    await world.api.waitForOperation(id, accepted);
    const result = await world.cli(['operation', 'show', id, accepted]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\(Preload\) Failed\n[\s\S]*  Message    .*absent\.js.*404/);
  });

  it('an unknown operation exits 1 with the API\'s error', async () => {
    const result = await world.cli(['operation', 'show', id, 'a97459bf-e4c4-4d4f-94e4-b775f0f09f31']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ParameterInvalid: .*a97459bf-e4c4-4d4f-94e4-b775f0f09f31/);
  });

  it('both ids are required', async () => {
    const result = await world.cli(['operation', 'show', id]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'operationId'");
    expect(result.stderr).toContain('Usage: mooncdn operation show');
  });
});

describe('operation list', () => {
  it('lists newest first, filters, pages with --continuation-token or --all, and refuses a bad --top', async () => {
    const other = await world.endpoint('list.example.com');
    for (const n of [1, 2, 3]) {
      const accepted = parseJson(await world.cli(['purge', `http://list.example.com/${n}.js`, '--json']))[0].AsyncInfo.TaskTrackId;
      await world.api.waitForOperation(other, accepted);
    }
    const page = await world.cli(['operation', 'list', other, '--json']);
    expect(page.code, page.stderr).toBe(0);
    const history = parseJson(page);
    expect(history.Operations.map((o: { Type: string }) => o.Type)).toEqual(['Purge', 'Purge', 'Purge', 'CreateEndpoint']);
    expect(history.ContinuationToken).toBeNull();

    const created = parseJson(await world.cli(['operation', 'list', '--type', 'CreateEndpoint', '--status', 'Succeeded', '--json']));
    expect(created.Operations.map((o: { EndpointId: string }) => o.EndpointId)).toEqual(expect.arrayContaining([id, other]));
    expect(created.Operations.every((o: { Type: string }) => o.Type === 'CreateEndpoint')).toBe(true);

    const all = parseJson(await world.cli(['operation', 'list', other, '--top', '1', '--all', '--json']));
    expect(all).toHaveLength(4);
    const human = await world.cli(['operation', 'list', other, '--top', '2']);
    expect(human.stdout).toMatch(/^ID +TYPE +STATUS +START +ENDPOINT\n/);
    const token = /^More: --continuation-token (\S+) shows the next page; --all lists every page\.$/m.exec(human.stdout)?.[1];
    expect(token, human.stdout).toBeDefined();
    // The next page, as the hint says: the two oldest, and no more.
    const next = parseJson(await world.cli(['operation', 'list', other, '--top', '2', '--continuation-token', token!, '--json']));
    expect(next.Operations.map((o: { Type: string }) => o.Type)).toEqual(['Purge', 'CreateEndpoint']);
    expect(next.ContinuationToken).toBeNull();
    expect([...history.Operations.slice(2)].map((o: { Id: string }) => o.Id)).toEqual(next.Operations.map((o: { Id: string }) => o.Id));

    const bad = await world.cli(['operation', 'list', '--top', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--top "0" must be a whole number from 1 to 500.');
  });
});

describe('--wait that runs out of time', () => {
  it('exits 3 and says the operation is still running and how to follow it', async () => {
    world.origin.on('/never.bin', { hang: true });
    const slow = await world.endpoint('slow.example.com');
    const result = await world.cli(['preload', 'http://slow.example.com/never.bin', '--wait', '--timeout', '1']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^Operation [0-9a-f-]{36} is still (NotSet|Processing) after 1 s; it goes on\\. Follow it with: mooncdn operation show ${slow} `, 'm'));
    expect(result.stdout).toMatch(/\(Preload\) (NotSet|Processing)/);
  });
});

describe('--wait when piped', () => {
  it('shows no progress: stderr stays empty and stdout has no carriage return or escape', async () => {
    for (const args of [
      ['purge', 'http://wait.example.com/p.js', 'http://wait.example.com/dir/', '--wait'],
      ['endpoint', 'disable', id, '--wait'],
      ['endpoint', 'enable', id, '--wait', '--json'],
    ]) {
      const result = await world.cli(args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).not.toMatch(/[\r\u001b]/);
      expect(result.stdout).not.toContain('Waiting');
    }
  });
});

describe.skipIf(!HAS_SCRIPT)('--wait on a terminal (under script(1))', () => {
  it('shows a spinner with per-URL counts, then clears it before the final operation', async () => {
    const { code, output } = await world.inTerminal(['purge', 'http://wait.example.com/t1.js', 'http://wait.example.com/t2/', '--wait']);
    expect(code, output).toBe(0);
    expect(output).toMatch(SPINNER);
    expect(output).toMatch(/Waiting for 1 operation: 1 ended, 2 of 2 URLs done/);
    // Nothing is drawn after the line is cleared: the terminal ends with the final operation.
    const final = output.slice(output.lastIndexOf(CLEAR_LINE) + CLEAR_LINE.length);
    expect(final).toMatch(new RegExp(`^Operation ${UUID.source} \\(Purge\\) Succeeded\\r\\n  Endpoint   ${id}\\r\\n  Start      \\S+\\r\\n  End        \\S+\\r\\n$`));
  });

  it('a failure: spinner, then the failed operation, exit 1', async () => {
    world.origin.on('/tty-missing.js', { status: 404 });
    const { code, output } = await world.inTerminal(['preload', 'http://wait.example.com/tty-missing.js', '--wait']);
    expect(code).toBe(1);
    expect(output).toMatch(SPINNER);
    const final = output.slice(output.lastIndexOf(CLEAR_LINE) + CLEAR_LINE.length);
    expect(final).toMatch(/^Operation \S+ \(Preload\) Failed\r\n[\s\S]*Message    .*404/);
  });

  it('endpoint operations show the spinner too', async () => {
    const { code, output } = await world.inTerminal(['endpoint', 'disable', id, '--wait']);
    expect(code, output).toBe(0);
    expect(output).toMatch(SPINNER);
    expect(output).toContain('(DisableEndpoint) Succeeded');
    const enabled = await world.api.sub('POST', `/endpoints/${id}/enable`);
    expect(enabled.status).toBe(202);
    await world.api.waitForOperation(id, enabled.body.AsyncInfo.TaskTrackId);
  });
});
