/**
 * The lanes of an endpoint's queue (domain/operation-order.ts): a purge overtakes earlier
 * preloads (and purges waiting for them) when it touches none of their URLs; everything else
 * keeps acceptance order.
 */
import { describe, expect, test } from 'vitest';
import type { ContentKind } from '../../src/domain/content-url.js';
import type { OperationRecord, OperationType } from '../../src/domain/operation.js';
import type { Store } from '../../src/store/store.js';
import { givenSubscription, operation, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

const LEASE = 30_000;

function claim(store: Store, owner: string, now = T0): Promise<OperationRecord[]> {
  return store.transaction((tx) => tx.operations.claim(owner, now, now + LEASE, 100));
}

const ids = (ops: readonly OperationRecord[]) => ops.map((o) => o.id);

describe.each(STORE_KINDS)('operation lanes on %s', (kind) => {
  const ctx = useFreshStore(kind);

  /** Accepts operations on endpoint A in this order; paths ending in "/" are directories. */
  async function accept(store: Store, ...ops: Array<[OperationType, ...string[]]>): Promise<OperationRecord[]> {
    const subId = await givenSubscription(store);
    const accepted: OperationRecord[] = [];
    for (const [type, ...paths] of ops) {
      const op = operation(subId, 'A', { type });
      const items = paths.map((path, position) => {
        const kind: ContentKind = path.endsWith('/') ? 'directory' : 'file';
        return { operationId: op.id, position, kind, url: `http://cdn.example.cn${path}`, path, query: '', status: 'Running' as const, message: null };
      });
      await store.operations.insert(op, items);
      accepted.push(op);
    }
    return accepted;
  }

  const finish = (store: Store, op: OperationRecord, owner: string) => store.operations.finish(op.id, owner, 'Succeeded', null, T0 + 1);

  test('a purge of other URLs runs beside a preload accepted before it', async () => {
    const { store } = ctx();
    const [preload, purge] = await accept(store, ['Preload', '/video/a.mp4', '/video/b.mp4'], ['Purge', '/app.js', '/img/']);
    expect(ids(await claim(store, 'w'))).toEqual([preload!.id, purge!.id]);
  });

  test.each([
    ['the same file', '/video/a.mp4'],
    ['a directory above it', '/video/'],
    ['the root directory', '/'],
  ])('a purge of %s waits for the preload accepted before it', async (_, purged) => {
    const { store } = ctx();
    const [preload, purge] = await accept(store, ['Preload', '/video/a.mp4'], ['Purge', '/other.js', purged]);
    expect(ids(await claim(store, 'w'))).toEqual([preload!.id]);
    expect(await claim(store, 'w')).toEqual([]);
    await finish(store, preload!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([purge!.id]);
  });

  test('a preload waits for every change accepted before it, purges included', async () => {
    const { store } = ctx();
    const [purge, preload] = await accept(store, ['Purge', '/x.js'], ['Preload', '/video/a.mp4']);
    expect(ids(await claim(store, 'w'))).toEqual([purge!.id]);
    await finish(store, purge!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([preload!.id]);
  });

  test('a setting change waits for the preloads accepted before it', async () => {
    const { store } = ctx();
    const [preload, change] = await accept(store, ['Preload', '/a.mp4'], ['UpdateCacheRules']);
    expect(ids(await claim(store, 'w'))).toEqual([preload!.id]);
    expect(await claim(store, 'w')).toEqual([]);
    await finish(store, preload!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([change!.id]);
  });

  test('preloads run one at a time, in order, and a purge behind several preloads checks them all', async () => {
    const { store } = ctx();
    const [first, second, purge] = await accept(store, ['Preload', '/a.mp4'], ['Preload', '/b.mp4'], ['Purge', '/b.mp4']);
    expect(ids(await claim(store, 'w'))).toEqual([first!.id]);
    await finish(store, first!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([second!.id]);
    await finish(store, second!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([purge!.id]);
  });

  test('a purge behind one that waits for a preload runs first when it touches no preload', async () => {
    const { store } = ctx();
    const [preload, waiting, free] = await accept(store, ['Preload', '/a.mp4'], ['Purge', '/a.mp4'], ['Purge', '/x.js']);
    expect(ids(await claim(store, 'w'))).toEqual([preload!.id, free!.id]);
    // One purge group at a time: the waiting one waits for the preload and for the running purge.
    await finish(store, preload!, 'w');
    expect(await claim(store, 'w')).toEqual([]);
    await finish(store, free!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([waiting!.id]);
  });

  test('nothing overtakes a setting change, and a setting change overtakes nothing', async () => {
    const { store } = ctx();
    const [preload, change, purge] = await accept(store, ['Preload', '/a.mp4'], ['UpdateEndpoint'], ['Purge', '/x.js']);
    expect(ids(await claim(store, 'w'))).toEqual([preload!.id]);
    await finish(store, preload!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([change!.id]);
    await finish(store, change!, 'w');
    expect(ids(await claim(store, 'w'))).toEqual([purge!.id]);
  });

  test('a purge group takes the purges behind its head up to the next setting change, leaving those that touch a pending preload', async () => {
    const { store } = ctx();
    const [, head, touching, free, later, change, afterChange] = await accept(
      store,
      ['Preload', '/a.mp4'],
      ['Purge', '/x.js'],
      ['Purge', '/a.mp4'],
      ['Purge', '/y.js'],
      ['Preload', '/b.mp4'],
      ['UpdateEndpoint'],
      ['Purge', '/z.js'],
    );
    const claimed = await claim(store, 'w');
    expect(ids(claimed)).toContain(head!.id);
    const followers = await store.transaction((tx) => tx.operations.claimFollowing(claimed.find((o) => o.id === head!.id)!, 'w', T0, T0 + LEASE, 10));
    expect(ids(followers)).toEqual([free!.id]);
    for (const op of [touching, later, change, afterChange]) expect((await store.operations.get(op!.id))!.status).toBe('NotSet');
  });
});
