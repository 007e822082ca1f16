import { describe, expect, test } from 'vitest';
import type { OperationRecord } from '../../src/domain/operation.js';
import type { Store } from '../../src/store/store.js';
import { givenSubscription, operation, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

const LEASE = 30_000;

/** A claim as the engine makes it: in a transaction, the lease running from `now`. */
function claim(store: Store, owner: string, now: number, limit = 100): Promise<OperationRecord[]> {
  return store.transaction((tx) => tx.operations.claim(owner, now, now + LEASE, limit));
}

const ids = (ops: readonly OperationRecord[]) => ops.map((o) => o.id);

describe.each(STORE_KINDS)('claiming operations on %s', (kind) => {
  const ctx = useFreshStore(kind);

  /** Inserts operations (endpoint ids given in acceptance order) and returns them. */
  async function accept(store: Store, endpoints: readonly string[], overrides: Partial<OperationRecord> = {}): Promise<OperationRecord[]> {
    const subId = await givenSubscription(store);
    const ops: OperationRecord[] = [];
    for (const endpointId of endpoints) {
      const op = operation(subId, endpointId, overrides);
      await store.operations.insert(op);
      ops.push(op);
    }
    return ops;
  }

  test('claims the oldest unfinished operation of each endpoint, in acceptance order', async () => {
    const { store } = ctx();
    const [a1, b1, a2, c1, b2] = await accept(store, ['A', 'B', 'A', 'C', 'B']);

    const first = await claim(store, 'w1', T0);
    expect(ids(first)).toEqual([a1!.id, b1!.id, c1!.id]);
    for (const op of first) expect(op).toMatchObject({ status: 'Processing', attempts: 1 });
    expect(await store.operations.get(a2!.id)).toMatchObject({ status: 'NotSet', attempts: 0 });

    // The heads are leased: nothing more until one finishes.
    expect(await claim(store, 'w2', T0 + 1)).toEqual([]);
    expect(await store.operations.finish(a1!.id, 'w1', 'Succeeded', null, T0 + 2)).toBe(true);
    expect(ids(await claim(store, 'w2', T0 + 3))).toEqual([a2!.id]);
    expect(await store.operations.finish(b1!.id, 'w1', 'Failed', 'it broke', T0 + 4)).toBe(true);
    expect(ids(await claim(store, 'w2', T0 + 5)), 'a failed operation does not block its endpoint').toEqual([b2!.id]);
  });

  test('acceptance order is insertion order, not Start time', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const first = operation(subId, 'A', { startedAt: T0 + 1000 });
    const second = operation(subId, 'A', { startedAt: T0 });
    await store.operations.insert(first);
    await store.operations.insert(second);
    expect(ids(await claim(store, 'w', T0 + 2000))).toEqual([first.id]);
  });

  test('finished operations neither block nor get claimed', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const done = operation(subId, 'A', { status: 'Succeeded', endedAt: T0 });
    const failed = operation(subId, 'A', { status: 'Failed', endedAt: T0, message: 'x' });
    const pending = operation(subId, 'A');
    for (const op of [done, failed, pending]) await store.operations.insert(op);
    expect(ids(await claim(store, 'w', T0))).toEqual([pending.id]);
  });

  test('respects the limit, oldest first', async () => {
    const { store } = ctx();
    const ops = await accept(store, ['A', 'B', 'C', 'D', 'E']);
    expect(ids(await claim(store, 'w', T0, 2))).toEqual(ids(ops.slice(0, 2)));
    expect(ids(await claim(store, 'w', T0, 2))).toEqual(ids(ops.slice(2, 4)));
    expect(ids(await claim(store, 'w', T0, 2))).toEqual(ids(ops.slice(4)));
    expect(await claim(store, 'w', T0, 2)).toEqual([]);
  });

  test('a live lease holds through its last millisecond; a lapsed one is claimed again with one more attempt', async () => {
    const { store } = ctx();
    const [op] = await accept(store, ['A']);
    await claim(store, 'w1', T0);

    expect(await claim(store, 'w2', T0 + LEASE - 1)).toEqual([]);
    expect(await claim(store, 'w2', T0 + LEASE)).toEqual([]);
    const again = await claim(store, 'w2', T0 + LEASE + 1);
    expect(again).toEqual([{ ...op, status: 'Processing', attempts: 2 }]);

    // The first owner lost it: it can neither renew nor finish.
    expect(await store.operations.renewLease(op!.id, 'w1', T0 + 10 * LEASE)).toBe(false);
    expect(await store.operations.finish(op!.id, 'w1', 'Succeeded', null, T0 + LEASE + 2)).toBe(false);
    expect(await store.operations.get(op!.id)).toMatchObject({ status: 'Processing', endedAt: null });
    expect(await store.operations.finish(op!.id, 'w2', 'Succeeded', null, T0 + LEASE + 3)).toBe(true);
  });

  test('renewLease extends the lease of its owner only', async () => {
    const { store } = ctx();
    const [op] = await accept(store, ['A']);
    await claim(store, 'w1', T0);
    expect(await store.operations.renewLease(op!.id, 'w2', T0 + 5 * LEASE)).toBe(false);
    expect(await store.operations.renewLease(op!.id, 'w1', T0 + 3 * LEASE)).toBe(true);
    expect(await claim(store, 'w2', T0 + 2 * LEASE)).toEqual([]);
    expect(ids(await claim(store, 'w2', T0 + 3 * LEASE + 1))).toEqual([op!.id]);
    expect(await store.operations.renewLease('missing', 'w2', T0)).toBe(false);
  });

  test('finish works once, for the lease owner, and records status, message and End', async () => {
    const { store } = ctx();
    const [op, never] = await accept(store, ['A', 'B']);
    await claim(store, 'w1', T0, 1);

    expect(await store.operations.finish(op!.id, 'intruder', 'Succeeded', null, T0 + 1)).toBe(false);
    expect(await store.operations.get(op!.id)).toMatchObject({ status: 'Processing', endedAt: null, message: null });

    expect(await store.operations.finish(op!.id, 'w1', 'Failed', 'edge "e2" did not acknowledge', T0 + 2)).toBe(true);
    expect(await store.operations.get(op!.id)).toEqual({
      ...op,
      status: 'Failed',
      message: 'edge "e2" did not acknowledge',
      endedAt: T0 + 2,
      attempts: 1,
    });

    expect(await store.operations.finish(op!.id, 'w1', 'Succeeded', null, T0 + 3)).toBe(false);
    expect(await store.operations.get(op!.id)).toMatchObject({ status: 'Failed', endedAt: T0 + 2 });
    expect(await store.operations.renewLease(op!.id, 'w1', T0 + LEASE)).toBe(false);

    // An operation nobody claimed cannot be finished.
    expect(await store.operations.finish(never!.id, 'w1', 'Succeeded', null, T0)).toBe(false);
    expect(await store.operations.get(never!.id)).toMatchObject({ status: 'NotSet' });
    // A finished operation is never claimed again, even long after.
    expect(ids(await claim(store, 'w9', T0 + 100 * LEASE))).toEqual([never!.id]);
  });

  test('retryLater gives the operation up until retryAt, still blocking its endpoint', async () => {
    const { store } = ctx();
    const [a1, a2, b1] = await accept(store, ['A', 'A', 'B']);
    expect(ids(await claim(store, 'w1', T0, 1))).toEqual([a1!.id]);
    const retryAt = T0 + 5000;

    await store.operations.retryLater(a1!.id, 'intruder', T0 + 1);
    await store.operations.retryLater(a1!.id, 'w1', retryAt);
    expect(await store.operations.finish(a1!.id, 'w1', 'Succeeded', null, T0 + 2), 'the old owner gave it up').toBe(false);

    expect(ids(await claim(store, 'w2', T0 + 10)), 'only the other endpoint').toEqual([b1!.id]);
    expect(await claim(store, 'w2', retryAt - 1)).toEqual([]);
    const retried = await claim(store, 'w2', retryAt + 1);
    expect(retried).toEqual([{ ...a1, status: 'Processing', attempts: 2 }]);
    expect(await store.operations.get(a2!.id)).toMatchObject({ status: 'NotSet', attempts: 0 });
  });

  test('releaseLeases(owner) frees only that owner\'s leases', async () => {
    const { store } = ctx();
    const [a, b, c] = await accept(store, ['A', 'B', 'C']);
    await claim(store, 'w1', T0, 1);
    await claim(store, 'w2', T0, 1);
    await claim(store, 'w1', T0, 1);

    expect(await store.operations.releaseLeases('w1')).toBe(2);
    expect(await store.operations.releaseLeases('w1')).toBe(0);
    expect(await store.operations.releaseLeases('nobody')).toBe(0);
    const taken = await claim(store, 'w3', T0 + 1);
    expect(ids(taken)).toEqual([a!.id, c!.id]);
    expect(taken.map((o) => o.attempts)).toEqual([2, 2]);
    expect(await store.operations.get(b!.id)).toMatchObject({ status: 'Processing', attempts: 1 });
    expect(await store.operations.finish(b!.id, 'w2', 'Succeeded', null, T0 + 2)).toBe(true);
  });

  test('releaseLeases() frees every unfinished operation, retry delays included, and counts them', async () => {
    const { store } = ctx();
    const [a, b, c, d] = await accept(store, ['A', 'B', 'C', 'D']);
    const subId = a!.subscriptionId;
    const done = operation(subId, 'E', { status: 'Succeeded', endedAt: T0 });
    await store.operations.insert(done);
    await claim(store, 'w1', T0, 1);
    await claim(store, 'w2', T0, 2);
    await store.operations.retryLater(c!.id, 'w2', T0 + 100 * LEASE);

    // a (w1), b (w2), c (waiting to retry) and d (never claimed) are unfinished.
    expect(await store.operations.releaseLeases()).toBe(4);
    const taken = await claim(store, 'w3', T0 + 1);
    expect(ids(taken)).toEqual(ids([a!, b!, c!, d!]));
    expect(taken.map((o) => o.attempts)).toEqual([2, 2, 2, 1]);
    expect(await store.operations.get(done.id)).toEqual(done);
  });

  test('a claim that rolls back leaves the operation as it was', async () => {
    const { store } = ctx();
    const [op] = await accept(store, ['A']);
    await expect(
      store.transaction(async (tx) => {
        expect(await tx.operations.claim('w1', T0, T0 + LEASE, 10)).toHaveLength(1);
        throw new Error('worker died');
      }),
    ).rejects.toThrow('worker died');
    expect(await store.operations.get(op!.id)).toEqual(op);
    expect(ids(await claim(store, 'w2', T0))).toEqual([op!.id]);
  });

  test('claimFollowing claims the purges behind a head up to the next setting change, up to a limit', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const types = ['Purge', 'Purge', 'Purge', 'UpdateEndpoint', 'Purge'] as const;
    const ops = types.map((type) => operation(subId, 'A', { type }));
    const other = operation(subId, 'B', { type: 'Purge' });
    for (const op of [...ops.slice(0, 2), other, ...ops.slice(2)]) await store.operations.insert(op);

    const [head] = await claim(store, 'w', T0, 1);
    expect(head!.id).toBe(ops[0]!.id);
    const limited = await store.transaction((tx) => tx.operations.claimFollowing(head!, 'w', T0, T0 + LEASE, 1));
    expect(ids(limited)).toEqual([ops[1]!.id]);
    const rest = await store.transaction((tx) => tx.operations.claimFollowing(head!, 'w', T0, T0 + LEASE, 10));
    // ops[1] is leased now and not taken again; purges commute, so ops[2] may still join. The
    // update stops a run.
    expect(ids(rest)).toEqual([ops[2]!.id]);
    expect(await store.operations.get(ops[4]!.id)).toMatchObject({ status: 'NotSet' });

    const [head2] = await claim(store, 'w2', T0 + LEASE + 1, 1);
    expect(head2!.id).toBe(ops[0]!.id);
    const run = await store.transaction((tx) => tx.operations.claimFollowing(head2!, 'w2', T0 + LEASE + 1, T0 + 2 * LEASE, 10));
    expect(ids(run), 'the lapsed followers; not the update, not the purge after it, not B').toEqual([ops[1]!.id, ops[2]!.id]);
    for (const op of run) expect(op).toMatchObject({ status: 'Processing', attempts: 2 });
    expect(await store.operations.get(ops[3]!.id)).toMatchObject({ status: 'NotSet' });
    expect(await store.operations.get(other.id)).toMatchObject({ status: 'NotSet' });
  });
});
