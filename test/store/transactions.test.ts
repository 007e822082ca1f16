import { describe, expect, test } from 'vitest';
import { isUniqueViolation } from '../../src/store/dialect.js';
import { apiKey, endpoint, givenSubscription, items, operation, STORE_KINDS, subscription, T0, useFreshStore } from './fixtures.js';

describe.each(STORE_KINDS)('transactions on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('commits every write and returns what the function returns', async () => {
    const { store } = ctx();
    const sub = subscription();
    const result = await store.transaction(async (tx) => {
      await tx.subscriptions.insert(sub);
      // Reads inside the transaction see its own writes.
      expect(await tx.subscriptions.get(sub.id)).toEqual(sub);
      return 42;
    });
    expect(result).toBe(42);
    expect(await store.subscriptions.get(sub.id)).toEqual(sub);
  });

  test('an error thrown inside rolls back every write of every aggregate, and propagates as is', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const existing = endpoint(subId, { lifetimeStatus: 'Normal' });
    const existingKey = apiKey(subId);
    await store.endpoints.insert(existing);
    await store.apiKeys.insert(existingKey);

    const newSub = subscription();
    const key = apiKey(newSub.id);
    const created = endpoint(newSub.id);
    const op = operation(newSub.id, created.id, { type: 'Purge' });
    const boom = new Error('refused half-way');

    const thrown = await store
      .transaction(async (tx) => {
        await tx.subscriptions.insert(newSub);
        await tx.apiKeys.insert(key);
        await tx.apiKeys.revoke(existingKey.id, T0 + 1);
        await tx.endpoints.insert(created);
        await tx.endpoints.update(existing.id, { lifetimeStatus: 'Deleting', enabled: false });
        await tx.operations.insert(op, items(op.id, 230));
        await tx.quotas.add(newSub.id, '2026-11-22', 'filePurges', 230);
        await tx.traffic.add([{ endpointId: created.id, bucketStart: T0, cdnBytes: 1, originBytes: 2 }]);
        expect(await tx.operations.listItems(op.id)).toHaveLength(230);
        throw boom;
      })
      .catch((e: unknown) => e);

    expect(thrown).toBe(boom);
    expect(await store.subscriptions.get(newSub.id)).toBeUndefined();
    expect(await store.apiKeys.get(key.id)).toBeUndefined();
    expect(await store.apiKeys.get(existingKey.id)).toEqual(existingKey);
    expect(await store.endpoints.get(created.id)).toBeUndefined();
    expect(await store.endpoints.get(existing.id)).toEqual(existing);
    expect(await store.operations.get(op.id)).toBeUndefined();
    expect(await store.operations.listItems(op.id)).toEqual([]);
    expect(await store.operations.countUnfinished()).toBe(0);
    expect(await store.quotas.used(newSub.id, '2026-11-22', 'filePurges')).toBe(0);
    expect(await store.traffic.list([created.id], 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  test('a statement that fails part-way rolls back the earlier writes, and the store stays usable', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const op = operation(subId, 'e', { type: 'Purge' });
    // Position 150 twice: the second chunk of items fails on the primary key.
    const duplicated = [...items(op.id, 200), { ...items(op.id, 151)[150]! }];
    const before = subscription();

    const thrown = await store
      .transaction(async (tx) => {
        await tx.subscriptions.insert(before);
        await tx.operations.insert(op, duplicated);
      })
      .catch((e: unknown) => e);

    expect(isUniqueViolation(thrown)).toBe(true);
    expect(await store.subscriptions.get(before.id)).toBeUndefined();
    expect(await store.operations.get(op.id)).toBeUndefined();
    expect(await store.operations.listItems(op.id)).toEqual([]);

    const after = subscription();
    await store.transaction((tx) => tx.subscriptions.insert(after));
    expect(await store.subscriptions.get(after.id)).toEqual(after);
  });

  test('concurrent transactions are isolated: each reads back its own write of a shared row', async () => {
    const { store } = ctx();
    const ep = endpoint(await givenSubscription(store));
    await store.endpoints.insert(ep);
    // SQLite runs the transactions one after another; on PostgreSQL the row lock taken by the
    // update makes the others wait until this one commits. Either way no write slips between.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.endpoints.update(ep.id, { timeLastUpdated: T0 + 1000 + i });
          await new Promise((resolve) => setTimeout(resolve, 1));
          return (await tx.endpoints.get(ep.id))?.timeLastUpdated === T0 + 1000 + i;
        }),
      ),
    );
    expect(results).toEqual(Array(20).fill(true));
    expect((await store.endpoints.get(ep.id))?.timeLastUpdated).toBeGreaterThanOrEqual(T0 + 1000);
  });
});
