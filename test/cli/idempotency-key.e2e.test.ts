/**
 * `--idempotency-key KEY` (extension) on commands that change something: a CI job that runs the
 * same command again (retrying its whole step) gets the same operation, and the server has one;
 * the same key with another request gets the server's refusal. The server's operation history
 * says how many operations there are, independently of what the CLI printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliWorld, parseJson, UUID } from './cli-world.js';

let world: CliWorld;
let endpointId: string;
beforeAll(async () => {
  world = await CliWorld.start();
  world.origin.otherwise({ body: 'anything', headers: { 'cache-control': 'max-age=3600' } });
  endpointId = await world.endpoint('keys.example.com');
});
afterAll(async () => {
  await world?.stop();
});

/** The endpoint's operations of one type, as the server keeps them (history, extension). */
async function operationIds(type: string): Promise<string[]> {
  const history = await world.api.sub('GET', `/endpoints/${endpointId}/operations?type=${type}`);
  expect(history.status).toBe(200);
  return history.body.Operations.map((operation: { Id: string }) => operation.Id);
}

const operationOf = (stdout: string) => new RegExp(`operation (${UUID.source})`).exec(stdout)?.[1];

describe('--idempotency-key', () => {
  it('the same purge twice with the same key prints the same operation id, and the server has one operation', async () => {
    const args = ['purge', 'http://keys.example.com/app.js', '--idempotency-key', 'ci-build-981-purge'];
    const first = await world.cli(args);
    const again = await world.cli(args);
    expect([first.code, first.stderr, again.code, again.stderr]).toEqual([0, '', 0, '']);
    const operationId = operationOf(first.stdout);
    expect(operationId).toBeDefined();
    expect(operationOf(again.stdout)).toBe(operationId);
    expect(await operationIds('Purge')).toEqual([operationId]);
  });

  it('the same key with another request is refused: exit 1 and the ParameterInvalid message on stderr, nothing accepted', async () => {
    const refused = await world.cli(['purge', 'http://keys.example.com/other.js', '--idempotency-key', 'ci-build-981-purge']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^ParameterInvalid: Idempotency-Key "ci-build-981-purge" was already used with another request/);
    expect(await operationIds('Purge')).toHaveLength(1);
  });

  it('works on the other commands that change something: endpoint update, with --json', async () => {
    const args = ['endpoint', 'update', endpointId, '--host', 'www.keys.example.com', '--idempotency-key', 'ci-build-981-host', '--json'];
    const first = await world.cli(args);
    const again = await world.cli(args);
    expect([first.code, again.code], first.stderr + again.stderr).toEqual([0, 0]);
    const operationId = parseJson(first).AsyncInfo.TaskTrackId;
    expect(parseJson(again).AsyncInfo.TaskTrackId).toBe(operationId);
    expect(await operationIds('UpdateEndpoint')).toEqual([operationId]);
  });

  it('a purge sent as several requests gives each its own key (KEY/1, KEY/2), so the rerun gets the same operations', async () => {
    const args = ['purge', 'http://keys.example.com/a.css', 'http://keys.example.com/b.css', '--batch-size', '1', '--idempotency-key', 'ci-build-982', '--json'];
    const first = await world.cli(args);
    const again = await world.cli(args);
    expect([first.code, again.code], first.stderr + again.stderr).toEqual([0, 0]);
    const ids = parseJson(first).map((accepted: { AsyncInfo: { TaskTrackId: string } }) => accepted.AsyncInfo.TaskTrackId);
    expect(new Set(ids).size).toBe(2);
    expect(parseJson(again).map((accepted: { AsyncInfo: { TaskTrackId: string } }) => accepted.AsyncInfo.TaskTrackId)).toEqual(ids);
    expect(await operationIds('Purge')).toHaveLength(3);
  });
});
