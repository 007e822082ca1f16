import { describe, expect, test } from 'vitest';
import { givenSubscription, items, operation, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

describe.each(STORE_KINDS)('operations and their items on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('insert then get returns the operation with its payload', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const op = operation(subId, 'endpoint-1', {
      type: 'UpdateCacheRules',
      payload: { before: 'Running', rules: [{ type: 'Suffix', items: ['.js'], ttlSeconds: 60 }], flag: true, n: 1.5, none: null, 中文: '值' },
      startedAt: T0 + 3,
    });
    const done = operation(subId, 'endpoint-1', { status: 'Failed', message: 'edge e1 did not answer', endedAt: T0 + 9, attempts: 3 });
    await store.operations.insert(op);
    await store.operations.insert(done);
    expect(await store.operations.get(op.id)).toEqual(op);
    expect(await store.operations.get(done.id)).toEqual(done);
    expect(await store.operations.get('missing')).toBeUndefined();
  });

  test('an operation id is unique', async () => {
    const { store } = ctx();
    const op = operation(await givenSubscription(store), 'e');
    await store.operations.insert(op);
    await expect(store.operations.insert({ ...op, endpointId: 'other' })).rejects.toThrow();
    expect((await store.operations.get(op.id))?.endpointId).toBe('e');
  });

  test('more than a hundred items are all stored, and listItems gives them by position', async () => {
    const { store } = ctx();
    const op = operation(await givenSubscription(store), 'e', { type: 'Purge' });
    const all = items(op.id, 257);
    // Given out of order: the list is still by position.
    const shuffled = [...all.slice(200), ...all.slice(0, 200).reverse()];
    await store.operations.insert(op, shuffled);
    expect(await store.operations.listItems(op.id)).toEqual(all);
  });

  test('exactly a hundred, and a thousand, items', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const hundred = operation(subId, 'e', { type: 'Preload' });
    const thousand = operation(subId, 'e', { type: 'Purge' });
    await store.operations.insert(hundred, items(hundred.id, 100, 'Waiting'));
    await store.operations.insert(thousand, items(thousand.id, 1000));
    expect(await store.operations.listItems(hundred.id)).toEqual(items(hundred.id, 100, 'Waiting'));
    const listed = await store.operations.listItems(thousand.id);
    expect(listed).toHaveLength(1000);
    expect(listed.map((i) => i.position)).toEqual([...Array(1000).keys()]);
  });

  test('listItems gives only that operation, and nothing for an operation without items', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const a = operation(subId, 'e');
    const b = operation(subId, 'e');
    const bare = operation(subId, 'e');
    await store.operations.insert(a, items(a.id, 3));
    await store.operations.insert(b, items(b.id, 2));
    await store.operations.insert(bare);
    expect(await store.operations.listItems(a.id)).toEqual(items(a.id, 3));
    expect(await store.operations.listItems(b.id)).toEqual(items(b.id, 2));
    expect(await store.operations.listItems(bare.id)).toEqual([]);
  });

  test('settleItems gives every item of one operation the same status and message, and no other operation\'s', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const op = operation(subId, 'e', { type: 'Purge' });
    const other = operation(subId, 'e', { type: 'Purge' });
    await store.operations.insert(op, items(op.id, 150));
    await store.operations.insert(other, items(other.id, 3));

    await store.operations.settleItems(op.id, 'Failed', 'edge "x": down');
    for (const item of await store.operations.listItems(op.id)) expect(item).toMatchObject({ status: 'Failed', message: 'edge "x": down' });
    for (const item of await store.operations.listItems(other.id)) expect(item).toMatchObject({ status: 'Running', message: null });
    await store.operations.settleItems(op.id, 'Succeed');
    for (const item of await store.operations.listItems(op.id)) expect(item).toMatchObject({ status: 'Succeed', message: null });
  });

  test('setItemStatus sets status and message of the given positions only', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const op = operation(subId, 'e', { type: 'Preload' });
    const other = operation(subId, 'e', { type: 'Preload' });
    await store.operations.insert(op, items(op.id, 150, 'Waiting'));
    await store.operations.insert(other, items(other.id, 5, 'Waiting'));

    await store.operations.setItemStatus(op.id, [0, 2, 149], 'Failed', 'origin answered 404');
    await store.operations.setItemStatus(op.id, [1], 'Running');
    await store.operations.setItemStatus(op.id, [], 'Succeed');

    const listed = await store.operations.listItems(op.id);
    const byPosition = (p: number) => listed[p]!;
    expect(byPosition(0)).toMatchObject({ status: 'Failed', message: 'origin answered 404' });
    expect(byPosition(2)).toMatchObject({ status: 'Failed', message: 'origin answered 404' });
    expect(byPosition(149)).toMatchObject({ status: 'Failed', message: 'origin answered 404' });
    expect(byPosition(1)).toMatchObject({ status: 'Running', message: null });
    const untouched = listed.filter((i) => ![0, 1, 2, 149].includes(i.position));
    expect(untouched).toHaveLength(146);
    for (const item of untouched) expect(item).toMatchObject({ status: 'Waiting', message: null });
    expect(await store.operations.listItems(other.id)).toEqual(items(other.id, 5, 'Waiting'));

    // A later status without a message clears the old message.
    await store.operations.setItemStatus(op.id, [0], 'Succeed');
    expect((await store.operations.listItems(op.id))[0]).toMatchObject({ status: 'Succeed', message: null });
  });

  test('countUnfinished counts NotSet and Processing, not Succeeded or Failed', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    expect(await store.operations.countUnfinished()).toBe(0);
    await store.operations.insert(operation(subId, 'a'));
    await store.operations.insert(operation(subId, 'a'));
    await store.operations.insert(operation(subId, 'b', { status: 'Succeeded', endedAt: T0 }));
    await store.operations.insert(operation(subId, 'c', { status: 'Failed', endedAt: T0, message: 'no' }));
    expect(await store.operations.countUnfinished()).toBe(2);

    const [claimed] = await store.transaction((tx) => tx.operations.claim('w', T0, T0 + 1000, 10));
    expect(claimed?.status).toBe('Processing');
    expect(await store.operations.countUnfinished()).toBe(2);
    expect(await store.operations.finish(claimed!.id, 'w', 'Succeeded', null, T0 + 1)).toBe(true);
    expect(await store.operations.countUnfinished()).toBe(1);
  });
});
