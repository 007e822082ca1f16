/**
 * Long-poll (extension): GET .../operations/{o}?wait=N answers when the operation ends, or after
 * N seconds with its state then; a bad wait is ParameterInvalid naming it; a client that leaves
 * leaves no waiter behind; and (PostgreSQL) an end written by another process wakes it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { signRequest } from '../../src/signing/index.js';
import { Store } from '../../src/store/store.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { TEST_STORE_KIND } from '../support/stores.js';
import { expectError } from './route-test-kit.js';
import { until as poll } from '../support/poll.js';

let harness: Harness;
let endpointId: string;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(async () => {
  harness.plane.engine.start();
  await harness.reset();
  endpointId = await harness.createEndpoint();
});

/** A purge accepted while the engine is stopped: it stays NotSet until the engine starts again. */
async function pendingPurge(): Promise<string> {
  await harness.plane.engine.stop();
  const response = await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: [`http://${await domain()}/a.png`] } });
  expect(response.status, response.text).toBe(202);
  return response.body.AsyncInfo.TaskTrackId as string;
}

async function domain(): Promise<string> {
  return (await harness.store.endpoints.get(endpointId))!.customDomain;
}

/** In-process waits are short: 5 s at most, looking every 5 ms. */
const until = (condition: () => boolean | Promise<boolean>, what: string) => poll(condition, what, { timeoutMs: 5_000, everyMs: 5 });

const waiting = () => harness.plane.api.operationWatch.waiting;

describe('wait=N', () => {
  it('answers as soon as the operation ends, with the ended operation', async () => {
    const operationId = await pendingPurge();
    const started = performance.now();
    const answer = harness.sub('GET', `/endpoints/${endpointId}/operations/${operationId}?wait=30`);
    await until(() => waiting() === 1, 'the request waits');
    harness.plane.engine.start();
    const response = await answer;
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ Id: operationId, Type: 'Purge', Status: 'Succeeded' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(waiting()).toBe(0);
  });

  it('answers after N seconds with the state the operation is in then', async () => {
    const operationId = await pendingPurge();
    const started = performance.now();
    const response = await harness.sub('GET', `/endpoints/${endpointId}/operations/${operationId}?wait=1`);
    const elapsed = performance.now() - started;
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ Id: operationId, Status: 'NotSet', End: null });
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(5_000);
    expect(waiting()).toBe(0);
  });

  it('answers an ended operation at once, and without wait as v1.0 does', async () => {
    const create = (await harness.sub('GET', `/endpoints/${endpointId}/operations`)).body.Operations[0].Id as string;
    const started = performance.now();
    const waited = await harness.sub('GET', `/endpoints/${endpointId}/operations/${create}?wait=60`);
    expect(waited.body).toMatchObject({ Id: create, Status: 'Succeeded' });
    expect(performance.now() - started).toBeLessThan(1_000);

    const operationId = await pendingPurge();
    const plain = await harness.sub('GET', `/endpoints/${endpointId}/operations/${operationId}`);
    expect(plain.body).toMatchObject({ Id: operationId, Status: 'NotSet' });
    expect(waiting()).toBe(0);
  });

  it.each(['61', 'abc', '-1', '1.5', '99999'])('refuses wait=%s with ParameterInvalid naming wait', async (value) => {
    const create = (await harness.sub('GET', `/endpoints/${endpointId}/operations`)).body.Operations[0].Id as string;
    const response = await harness.sub('GET', `/endpoints/${endpointId}/operations/${create}?wait=${value}`);
    expectError(response, 400, 'ParameterInvalid', /wait/, /0 to 60/);
  });

  it('answers 404 for an unknown operation before waiting', async () => {
    const response = await harness.sub('GET', `/endpoints/${endpointId}/operations/00000000-0000-4000-8000-000000000000?wait=30`);
    expectError(response, 404, 'ParameterInvalid', /does not exist/);
    expect(waiting()).toBe(0);
  });
});

describe('a client that leaves', () => {
  it('leaves no waiter behind', async () => {
    const operationId = await pendingPurge();
    const address = await harness.plane.api.listen({ port: 0, host: '127.0.0.1' });
    try {
      const target = `/subscriptions/${harness.subscriptionId}/endpoints/${endpointId}/operations/${operationId}?apiVersion=1.0&wait=60`;
      const controller = new AbortController();
      const request = fetch(`${address}${target}`, {
        headers: { ...signRequest('GET', target, harness.key, new Date(harness.clock.now())) },
        signal: controller.signal,
      });
      await until(() => waiting() === 1, 'the request waits');
      controller.abort();
      await expect(request).rejects.toThrow();
      await until(() => waiting() === 0, 'the waiter is gone');
    } finally {
      await harness.plane.api.server.close();
    }
  });
});

describe.runIf(TEST_STORE_KIND === 'postgres')('across processes', () => {
  it('wakes when another process ends the operation (NOTIFY)', async () => {
    const operationId = await pendingPurge();
    const other = await Store.open(harness.location, new SecretBox(undefined));
    try {
      const answer = harness.sub('GET', `/endpoints/${endpointId}/operations/${operationId}?wait=30`);
      await until(() => waiting() === 1, 'the request waits');
      const started = performance.now();
      // Another process's worker claims and ends it; this process's engine is stopped.
      const now = harness.clock.now();
      const claimed = await other.transaction((tx) => tx.operations.claim('other-worker', now, now + 60_000, 10));
      expect(claimed.map((operation) => operation.id)).toContain(operationId);
      expect(await other.operations.finish(operationId, 'other-worker', 'Failed', 'ended elsewhere', now)).toBe(true);
      const response = await answer;
      expect(response.body).toMatchObject({ Id: operationId, Status: 'Failed', Message: 'ended elsewhere' });
      // Woken by the notice, not by the end of the 30 s (nor a 1 s recheck).
      expect(performance.now() - started).toBeLessThan(900);
    } finally {
      await other.close();
    }
  });
});
