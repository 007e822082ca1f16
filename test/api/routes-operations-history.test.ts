/**
 * The history routes (extension): GET /operations of a subscription and of an endpoint, newest
 * first, filtered, paged with a continuation token that stays right while operations arrive.
 * Ended operations are written to the store directly (as the traffic tests write traffic), so
 * the engine leaves them alone and a test can make 120 of them at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperationStatus, OperationType } from '../../src/domain/operation.js';
import { startHarness, type Harness } from '../support/api-harness.js';

let harness: Harness;
let endpointId: string;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(async () => {
  await harness.reset();
  endpointId = await harness.createEndpoint();
});

/** An ended operation accepted `minutes` after the clock's start; returns its id. */
async function addOperation(
  minutes: number,
  options: { type?: OperationType; status?: OperationStatus; endpoint?: string; subscriptionId?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const startedAt = Date.parse('2026-11-22T08:00:00Z') + minutes * 60_000;
  await harness.store.operations.insert({
    id,
    subscriptionId: options.subscriptionId ?? harness.subscriptionId,
    endpointId: options.endpoint ?? endpointId,
    type: options.type ?? 'Purge',
    status: options.status ?? 'Succeeded',
    message: null,
    startedAt,
    endedAt: startedAt + 1000,
    payload: {},
    attempts: 1,
  });
  return id;
}

const ids = (body: { Operations: Array<{ Id: string }> }) => body.Operations.map((o) => o.Id);

async function list(path: string) {
  const response = await harness.sub('GET', path);
  expect(response.status, response.text).toBe(200);
  return response.body as { Operations: Array<{ Id: string; Type: string; Status: string; Start: string }>; ContinuationToken: string | null };
}

describe('newest first', () => {
  it('lists the endpoint\'s and the subscription\'s operations, newest first, as Operation', async () => {
    const create = (await list(`/endpoints/${endpointId}/operations`)).Operations[0]!.Id;
    const otherEndpoint = await harness.createEndpoint();
    const a = await addOperation(1);
    const b = await addOperation(2, { type: 'Preload' });
    const c = await addOperation(3, { endpoint: otherEndpoint });

    const own = await list(`/endpoints/${endpointId}/operations`);
    expect(ids(own)).toEqual([b, a, create]);
    expect(own.ContinuationToken).toBeNull();
    expect(own.Operations[0]).toEqual({
      Id: b, Type: 'Preload', Status: 'Succeeded', Message: null,
      Start: '2026-11-22T08:02:00.000Z', End: '2026-11-22T08:02:01.000Z', EndpointId: endpointId, SubscriptionId: harness.subscriptionId,
    });
    const all = ids(await list('/operations'));
    expect(all.slice(0, 3)).toEqual([c, b, a]);
    expect(all).toHaveLength(5); // and the two CreateEndpoint operations
  });
});

describe('filters', () => {
  it('by status, type and the time the operation was accepted', async () => {
    const failed = await addOperation(1, { status: 'Failed' });
    const preload = await addOperation(2, { type: 'Preload' });
    const late = await addOperation(30);
    expect(ids(await list(`/endpoints/${endpointId}/operations?status=Failed`))).toEqual([failed]);
    expect(ids(await list(`/operations?type=Preload`))).toEqual([preload]);
    expect(ids(await list(`/operations?type=Purge&status=Succeeded`))).toEqual([late]);
    expect(ids(await list(`/endpoints/${endpointId}/operations?startTime=2026-11-22T08:01:00Z&endTime=2026-11-22T08:02:00Z`))).toEqual([preload, failed]);
    expect(ids(await list(`/operations?startTime=2026-11-22T08:10:00Z`))).toEqual([late]);
  });

  it.each([
    ['status=Done', 'status'],
    ['type=Purges', 'type'],
    ['startTime=yesterday', 'startTime'],
    ['endTime=2026-02-30T00:00:00Z', 'endTime'],
    ['startTime=2026-11-22T09:00:00Z&endTime=2026-11-22T08:00:00Z', 'after'],
  ])('refuses %s', async (params, named) => {
    const response = await harness.sub('GET', `/operations?${params}`);
    expect(response.status).toBe(400);
    expect(response.text).toContain('ParameterInvalid');
    expect(response.text).toContain(named);
  });
});

describe('paging', () => {
  /** 119 operations besides the endpoint's CreateEndpoint: 120 in all, newest first. */
  async function hundredTwenty(): Promise<string[]> {
    const added: string[] = [];
    for (let i = 1; i < 120; i++) added.push(await addOperation(i));
    return ids(await list(`/endpoints/${endpointId}/operations?top=500`));
  }

  async function page(token: string | null) {
    return list(`/endpoints/${endpointId}/operations?top=50${token === null ? '' : `&continuationToken=${token}`}`);
  }

  it('120 operations in pages of 50 are 50, 50 and 20, each once, in order', async () => {
    const all = await hundredTwenty();
    expect(all).toHaveLength(120);
    const first = await page(null);
    const second = await page(first.ContinuationToken);
    const third = await page(second.ContinuationToken);
    expect([first, second, third].map((p) => p.Operations.length)).toEqual([50, 50, 20]);
    expect(third.ContinuationToken).toBeNull();
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(all);
  });

  it('operations accepted between pages do not appear in later pages, and nothing is skipped', async () => {
    const all = await hundredTwenty();
    const first = await page(null);
    const newer = [await addOperation(200), await addOperation(201)];
    const second = await page(first.ContinuationToken);
    await addOperation(202);
    const third = await page(second.ContinuationToken);
    expect([first, second, third].map((p) => p.Operations.length)).toEqual([50, 50, 20]);
    const seen = [...ids(first), ...ids(second), ...ids(third)];
    expect(seen).toEqual(all);
    expect(seen.filter((id) => newer.includes(id))).toEqual([]);
    // A fresh listing starts with them.
    expect(ids(await page(null)).slice(1, 3)).toEqual([newer[1], newer[0]]);
  });

  it('the default page size is 50', async () => {
    await hundredTwenty();
    const first = await list('/operations');
    expect(first.Operations).toHaveLength(50);
    expect(first.ContinuationToken).not.toBeNull();
  });

  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['not a token!', 'continuationToken=not%20a%20token!'],
    ['base64 of text', `continuationToken=${b64('hello')}`],
    ['a seq that is no number', `continuationToken=${b64('{"seq":"7"}')}`],
    ['a seq of 0', `continuationToken=${b64('{"seq":0}')}`],
    ['JSON null', `continuationToken=${b64('null')}`],
    ['top=0', 'top=0'],
    ['top=501', 'top=501'],
    ['top=-1', 'top=-1'],
    ['top=ten', 'top=ten'],
  ])('refuses %s as ParameterInvalid', async (_name, params) => {
    const response = await harness.sub('GET', `/endpoints/${endpointId}/operations?${params}`);
    expect(response.status, response.text).toBe(400);
    expect(response.text).toContain('ParameterInvalid');
    expect(response.text).toMatch(/continuationToken|top/);
  });
});

describe('who may list', () => {
  it('never shows another subscription\'s operations; an unknown endpoint is EndpointNotFound', async () => {
    const mine = await addOperation(1);
    const otherSubscription = await harness.createSubscription();
    const foreignEndpoint = randomUUID();
    await addOperation(2, { subscriptionId: otherSubscription, endpoint: foreignEndpoint });
    await addOperation(3, { subscriptionId: otherSubscription, endpoint: endpointId });

    const all = ids(await list('/operations'));
    expect(all[0]).toBe(mine);
    expect(all).toHaveLength(2);
    expect(ids(await list(`/endpoints/${endpointId}/operations`))[0]).toBe(mine);

    const unknown = await harness.sub('GET', `/endpoints/${foreignEndpoint}/operations`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('EndpointNotFound');
  });

  it('a read-scope key may list both', async () => {
    const op = await addOperation(1);
    const key = await harness.createKey({ scope: 'read' });
    for (const path of ['/operations', `/endpoints/${endpointId}/operations`]) {
      const response = await harness.sub('GET', path, { key });
      expect(response.status, response.text).toBe(200);
      expect(ids(response.body)[0]).toBe(op);
    }
  });
});
