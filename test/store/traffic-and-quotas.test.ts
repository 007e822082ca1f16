import { describe, expect, test } from 'vitest';
import { givenSubscription, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

const BUCKET = 5 * 60_000;
const DAY = '2026-11-22';

describe.each(STORE_KINDS)('traffic on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('add creates buckets, and adding to an existing bucket sums both counters', async () => {
    const { store } = ctx();
    await store.traffic.add([{ endpointId: 'e1', bucketStart: T0, cdnBytes: 100, originBytes: 10 }]);
    await store.traffic.add([
      { endpointId: 'e1', bucketStart: T0, cdnBytes: 50, originBytes: 0 },
      { endpointId: 'e1', bucketStart: T0 + BUCKET, cdnBytes: 7, originBytes: 3 },
      // The same bucket twice in one call.
      { endpointId: 'e1', bucketStart: T0, cdnBytes: 1, originBytes: 1 },
    ]);
    expect(await store.traffic.list(['e1'], T0, T0 + 2 * BUCKET)).toEqual([
      { endpointId: 'e1', bucketStart: T0, cdnBytes: 151, originBytes: 11 },
      { endpointId: 'e1', bucketStart: T0 + BUCKET, cdnBytes: 7, originBytes: 3 },
    ]);
    await store.traffic.add([]);
    expect(await store.traffic.list(['e1'], T0, T0 + 2 * BUCKET)).toHaveLength(2);
  });

  test('byte counts beyond 32 bits add up exactly', async () => {
    const { store } = ctx();
    const big = 5 * 2 ** 40; // 5 TiB
    await store.traffic.add([{ endpointId: 'e1', bucketStart: T0, cdnBytes: big, originBytes: 2 ** 33 }]);
    await store.traffic.add([{ endpointId: 'e1', bucketStart: T0, cdnBytes: big + 1, originBytes: 1 }]);
    expect(await store.traffic.list(['e1'], T0, T0 + BUCKET)).toEqual([
      { endpointId: 'e1', bucketStart: T0, cdnBytes: 2 * big + 1, originBytes: 2 ** 33 + 1 },
    ]);
  });

  test('list keeps only the given endpoints and buckets in [from, to), by bucket then endpoint', async () => {
    const { store } = ctx();
    const sample = (endpointId: string, bucket: number, bytes: number) => ({ endpointId, bucketStart: T0 + bucket * BUCKET, cdnBytes: bytes, originBytes: bytes / 2 });
    await store.traffic.add([
      sample('e2', 0, 20),
      sample('e1', 0, 10),
      sample('e3', 0, 30),
      sample('e1', 1, 12),
      sample('e1', -1, 8),
      sample('e2', 2, 22),
      sample('e1', 3, 14),
    ]);

    expect(await store.traffic.list(['e1', 'e2'], T0, T0 + 3 * BUCKET)).toEqual([sample('e1', 0, 10), sample('e2', 0, 20), sample('e1', 1, 12), sample('e2', 2, 22)]);
    // `to` is exclusive, `from` inclusive.
    expect(await store.traffic.list(['e1'], T0 - BUCKET, T0 + 3 * BUCKET)).toEqual([sample('e1', -1, 8), sample('e1', 0, 10), sample('e1', 1, 12)]);
    expect(await store.traffic.list(['e1'], T0 + 1, T0 + BUCKET)).toEqual([]);
    expect(await store.traffic.list(['e3'], T0, T0 + 1)).toEqual([sample('e3', 0, 30)]);
    expect(await store.traffic.list(['unknown'], 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(await store.traffic.list([], 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});

describe.each(STORE_KINDS)('quotas on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('add returns the running total, kept apart per subscription, day and kind', async () => {
    const { store } = ctx();
    const s1 = await givenSubscription(store);
    const s2 = await givenSubscription(store);
    expect(await store.quotas.used(s1, DAY, 'filePurges')).toBe(0);
    expect(await store.quotas.add(s1, DAY, 'filePurges', 3)).toBe(3);
    expect(await store.quotas.add(s1, DAY, 'filePurges', 4)).toBe(7);
    expect(await store.quotas.add(s1, DAY, 'directoryPurges', 1)).toBe(1);
    expect(await store.quotas.add(s1, '2026-11-23', 'filePurges', 5)).toBe(5);
    expect(await store.quotas.add(s2, DAY, 'filePurges', 2)).toBe(2);
    expect(await store.quotas.add(s1, DAY, 'filePurges', 0)).toBe(7);

    expect(await store.quotas.used(s1, DAY, 'filePurges')).toBe(7);
    expect(await store.quotas.used(s1, DAY, 'directoryPurges')).toBe(1);
    expect(await store.quotas.used(s1, DAY, 'preloads')).toBe(0);
    expect(await store.quotas.used(s1, '2026-11-23', 'filePurges')).toBe(5);
    expect(await store.quotas.used(s2, DAY, 'filePurges')).toBe(2);
  });

  test('concurrent adds in separate transactions sum exactly, each seeing the total up to its own', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const amounts = Array.from({ length: 40 }, (_, i) => i + 1);
    const totals = await Promise.all(amounts.map((amount) => store.transaction((tx) => tx.quotas.add(subId, DAY, 'preloads', amount))));

    const sum = amounts.reduce((a, b) => a + b, 0);
    expect(await store.quotas.used(subId, DAY, 'preloads')).toBe(sum);
    // In commit order every total is the previous one plus its own amount.
    const byTotal = amounts.map((amount, i) => ({ amount, total: totals[i]! })).sort((a, b) => a.total - b.total);
    let previous = 0;
    for (const { amount, total } of byTotal) {
      expect(total).toBe(previous + amount);
      previous = total;
    }
    expect(previous).toBe(sum);
  });

  test('check-after-add under concurrency admits exactly the limit; refusals roll back', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const limit = 10;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 25 }, () =>
        store.transaction(async (tx) => {
          const total = await tx.quotas.add(subId, DAY, 'directoryPurges', 1);
          if (total > limit) throw new Error('quota exceeded');
          return total;
        }),
      ),
    );
    const admitted = outcomes.filter((o): o is PromiseFulfilledResult<number> => o.status === 'fulfilled').map((o) => o.value);
    expect(admitted.sort((a, b) => a - b)).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(25 - limit);
    expect(await store.quotas.used(subId, DAY, 'directoryPurges')).toBe(limit);
  });
});
