/**
 * Idempotency-Key (extension): the same key with the same request gets the first answer again
 * (same status, body and operation id) for a day; with another request 422; while the first
 * runs 409; concurrent requests with one key make one operation. Errors are not kept.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { requestFingerprint } from '../../src/domain/idempotency.js';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createControlPlane } from '../../src/server/control-plane.js';
import { signRequest } from '../../src/signing/index.js';
import { Store } from '../../src/store/store.js';
import { DEFAULT_SETTINGS, startHarness, type Harness, type Response } from '../support/api-harness.js';
import { TEST_STORE_KIND } from '../support/stores.js';
import { expectError } from './route-test-kit.js';

let harness: Harness;
let endpointId: string;
let domain: string;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
// The harness is reset between tests whose operations have ended (a purge left running would
// end against the next test's wiped store).
afterEach(async () => {
  const deadline = Date.now() + 10_000;
  while ((await harness.store.operations.countUnfinished()) > 0) {
    if (Date.now() > deadline) throw new Error('operations of the test did not end');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
beforeEach(async () => {
  await harness.reset();
  endpointId = await harness.createEndpoint();
  domain = (await harness.store.endpoints.get(endpointId))!.customDomain;
});

function purge(key: string | undefined, files = [`http://${domain}/a.png`], subscriptionPath?: string): Promise<Response> {
  const options = { body: { Files: files }, ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}) };
  return subscriptionPath ? harness.request('POST', `${subscriptionPath}/endpoints/${endpointId}/purges`, options) : harness.sub('POST', `/endpoints/${endpointId}/purges`, options);
}

async function purgeIds(): Promise<string[]> {
  const history = await harness.sub('GET', `/endpoints/${endpointId}/operations?type=Purge`);
  return history.body.Operations.map((operation: { Id: string }) => operation.Id);
}

describe('the same key with the same request', () => {
  it('gets the first answer again: same status, body, Operation-Location and operation id', async () => {
    const first = await purge('key-1');
    expect(first.status, first.text).toBe(202);
    const again = await purge('key-1');
    expect(again.status).toBe(202);
    expect(again.text).toBe(first.text);
    expect(again.headers['operation-location']).toBe(first.headers['operation-location']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await purgeIds()).toEqual([first.body.AsyncInfo.TaskTrackId]);
    // The draft's form, a quoted string, is the same key.
    expect((await purge('"key-1"')).body.AsyncInfo.TaskTrackId).toBe(first.body.AsyncInfo.TaskTrackId);
  });

  it('works on PUT and DELETE too', async () => {
    const rules = { Rules: [{ Type: 'Suffix', Items: ['.css'], TTL: 600 }] };
    const put = () => harness.sub('PUT', `/endpoints/${endpointId}/cacherules`, { body: rules, headers: { 'idempotency-key': 'put-1' } });
    const first = await put();
    expect(first.status, first.text).toBe(202);
    expect((await put()).body).toEqual(first.body);
    await harness.waitForOperation(first.body.AsyncInfo.TaskTrackId);

    const del = () => harness.sub('DELETE', `/endpoints/${endpointId}`, { headers: { 'idempotency-key': 'delete-1' } });
    const deleted = await del();
    expect(deleted.status, deleted.text).toBe(202);
    const again = await del();
    expect(again.status).toBe(202);
    expect(again.body.AsyncInfo.TaskTrackId).toBe(deleted.body.AsyncInfo.TaskTrackId);
    await harness.waitForOperation(deleted.body.AsyncInfo.TaskTrackId);
    // Replayed even after the endpoint is gone: the first answer, not a new refusal.
    expect((await del()).body).toEqual(deleted.body);
  });

  it('runs again after a day', async () => {
    const first = await purge('key-day');
    harness.clock.advance(24 * 60 * 60_000 + 1_000);
    const later = await purge('key-day');
    expect(later.status).toBe(202);
    expect(later.body.AsyncInfo.TaskTrackId).not.toBe(first.body.AsyncInfo.TaskTrackId);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('is per subscription: another subscription\'s key of the same name is its own', async () => {
    const first = await purge('shared');
    const otherSubscription = await harness.createSubscription();
    const otherKey = await harness.createKey({ subscriptionId: otherSubscription });
    const otherEndpoint = await (async () => {
      const created = await harness.request('POST', `/subscriptions/${otherSubscription}/endpoints`, {
        key: otherKey,
        body: { CustomDomain: 'other-sub.example.com', Origin: { Addresses: ['origin.example.com'] } },
      });
      await harness.waitForOperation(created.headers['operation-location']!.toString().split('/operations/')[1]!.split('?')[0]!);
      return created.body.EndpointID as string;
    })();
    const other = await harness.request('POST', `/subscriptions/${otherSubscription}/endpoints/${otherEndpoint}/purges`, {
      key: otherKey,
      body: { Files: ['http://other-sub.example.com/a.png'] },
      headers: { 'idempotency-key': 'shared' },
    });
    expect(other.status, other.text).toBe(202);
    expect(other.body.AsyncInfo.TaskTrackId).not.toBe(first.body.AsyncInfo.TaskTrackId);
  });
});

describe('refusals', () => {
  it('the same key with another body is 422 ParameterInvalid, and nothing is accepted', async () => {
    await purge('key-2');
    const other = await purge('key-2', [`http://${domain}/b.png`]);
    expectError(other, 422, 'ParameterInvalid', /Idempotency-Key "key-2" was already used with another request/);
    expect(await purgeIds()).toHaveLength(1);
  });

  it('a retry while the first request is still running is 409, and runs once the claim lapses (its process died)', async () => {
    const target = `/subscriptions/${harness.subscriptionId}/endpoints/${endpointId}/purges?apiVersion=1.0`;
    const body = { Files: [`http://${domain}/a.png`] };
    const now = harness.clock.now();
    // What a request that is still running (or whose process died) leaves: a claim without an answer.
    expect(await harness.store.idempotencyKeys.claim(harness.subscriptionId, 'key-3', requestFingerprint('POST', target, body), now, now + 60_000, 0)).toEqual({ kind: 'claimed' });
    const busy = await purge('key-3');
    expectError(busy, 409, 'ParameterInvalid', /still being processed/);
    expect(busy.headers['retry-after']).toBe('1');
    harness.clock.advance(61_000);
    const retried = await purge('key-3');
    expect(retried.status, retried.text).toBe(202);
    expect(await purgeIds()).toEqual([retried.body.AsyncInfo.TaskTrackId]);
  });

  it('errors are not kept: the key is free again for the corrected request', async () => {
    const bad = await purge('key-4', ['ftp://nowhere/a.png']);
    expect(bad.status).toBe(400);
    expect((await purge('key-4', ['ftp://nowhere/a.png'])).status).toBe(400);
    const fixed = await purge('key-4');
    expect(fixed.status, fixed.text).toBe(202);
  });

  it.each(['', '"', 'has space', 'x'.repeat(256), 'back\\slash'])('refuses the key %j with ParameterInvalid naming the header', async (key) => {
    expectError(await purge(key), 400, 'ParameterInvalid', /Idempotency-Key/);
    expect(await purgeIds()).toEqual([]);
  });
});

describe('concurrent requests with one key', () => {
  it('make one operation: each answer is that operation, or 409 while it was being made', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => purge('key-race')));
    const ids = await purgeIds();
    expect(ids).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 202) expect(answer.body.AsyncInfo.TaskTrackId).toBe(ids[0]);
      else expectError(answer, 409, 'ParameterInvalid', /still being processed/);
    }
    expect(answers.filter((answer) => answer.status === 202).length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThanOrEqual(1);
  });
});

describe.runIf(TEST_STORE_KIND === 'postgres')('across API processes', () => {
  it('a retry sent to another API process on the same store gets the same operation', async () => {
    const store = await Store.open(harness.location, new SecretBox(undefined));
    const other = await createControlPlane(store, DEFAULT_SETTINGS, harness.clock, pino({ level: 'silent' }), new Metrics());
    try {
      const first = await purge('key-replica');
      expect(first.status, first.text).toBe(202);
      const target = `/subscriptions/${harness.subscriptionId}/endpoints/${endpointId}/purges?apiVersion=1.0`;
      const retried = await other.api.inject({
        method: 'POST',
        url: target,
        headers: { ...signRequest('POST', target, harness.key, new Date(harness.clock.now())), 'content-type': 'application/json', 'idempotency-key': 'key-replica' },
        payload: JSON.stringify({ Files: [`http://${domain}/a.png`] }),
      });
      expect(retried.statusCode, retried.body).toBe(202);
      expect(retried.body).toBe(first.text);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(await purgeIds()).toEqual([first.body.AsyncInfo.TaskTrackId]);
    } finally {
      await other.api.close();
      await store.close();
    }
  });
});
