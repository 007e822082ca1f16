import { describe, expect, test } from 'vitest';
import type { AccessControlPolicy } from '../../src/domain/access-control.js';
import type { CachePolicyRules } from '../../src/domain/cache-policy.js';
import { isUniqueViolation } from '../../src/store/dialect.js';
import { certificate, endpoint, givenSubscription, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

const CACHE_POLICY: CachePolicyRules = {
  rules: [
    { type: 'Suffix', items: ['.jpg', '.png'], ttlSeconds: 3600 },
    { type: 'Dir', items: ['/static/'], ttlSeconds: 0 },
  ],
  ignoreCacheControl: true,
  ignoreQueryString: false,
  ignoreCookie: true,
};

const ACCESS_CONTROL: AccessControlPolicy = {
  forbiddenIps: ['192.0.2.1', '2001:db8::/32'],
  refererControl: { enabled: true, pathPatterns: ['/images/*'], referers: ['*.example.cn'], type: 'AllowList' },
};

describe.each(STORE_KINDS)('endpoints on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('every field round-trips through insert and get', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const cert = certificate(subId);
    await store.certificates.insert(cert);
    const plain = endpoint(subId);
    const rich = endpoint(subId, {
      host: 'origin.example.com:8443',
      icp: '京ICP备00000000号',
      originAddresses: ['[2001:db8::1]:443', 'b.example.com'],
      serviceType: 'VOD',
      enabled: false,
      lifetimeStatus: 'Disabling',
      timeLastUpdated: T0 + 77,
      cachePolicy: CACHE_POLICY,
      accessControl: ACCESS_CONTROL,
      certificateId: cert.id,
      createdAt: T0 + 1,
    });
    await store.endpoints.insert(plain);
    await store.endpoints.insert(rich);
    expect(await store.endpoints.get(plain.id)).toEqual(plain);
    expect(await store.endpoints.get(rich.id)).toEqual(rich);
    expect(await store.endpoints.get('missing')).toBeUndefined();
  });

  test('listBySubscription: live endpoints of that subscription, by creation time then id', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const otherId = await givenSubscription(store);
    const late = endpoint(subId, { id: 'e-a', createdAt: T0 + 5 });
    const tieB = endpoint(subId, { id: 'e-c', createdAt: T0 });
    const tieA = endpoint(subId, { id: 'e-b', createdAt: T0 });
    const deleted = endpoint(subId, { id: 'e-0', createdAt: T0 });
    const foreign = endpoint(otherId, { id: 'e-f', createdAt: T0 });
    for (const e of [late, tieB, tieA, deleted, foreign]) await store.endpoints.insert(e);
    await store.endpoints.update(deleted.id, { deletedAt: T0 + 9, lifetimeStatus: 'Deleted' });

    expect((await store.endpoints.listBySubscription(subId)).map((e) => e.id)).toEqual(['e-b', 'e-c', 'e-a']);
    expect(await store.endpoints.listBySubscription(otherId)).toEqual([foreign]);
    expect(
      (await store.endpoints.listAllBySubscription(subId)).map((e) => e.id),
      'deleted endpoints included, same order',
    ).toEqual(['e-0', 'e-b', 'e-c', 'e-a']);
  });

  test('listLive: every live endpoint of every subscription, by creation time then id', async () => {
    const { store } = ctx();
    const s1 = await givenSubscription(store);
    const s2 = await givenSubscription(store);
    const e1 = endpoint(s1, { id: 'live-2', createdAt: T0 });
    const e2 = endpoint(s2, { id: 'live-1', createdAt: T0 });
    const e3 = endpoint(s2, { id: 'live-0', createdAt: T0 + 1 });
    const gone = endpoint(s1, { id: 'gone', createdAt: T0 - 1 });
    for (const e of [e1, e2, e3, gone]) await store.endpoints.insert(e);
    await store.endpoints.update(gone.id, { deletedAt: T0 + 2 });

    expect(await store.endpoints.listLive()).toEqual([e2, e1, e3]);
  });

  test('findLiveByDomain finds the live endpoint only', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const live = endpoint(subId, { customDomain: 'live.example.cn' });
    const gone = endpoint(subId, { customDomain: 'gone.example.cn' });
    await store.endpoints.insert(live);
    await store.endpoints.insert(gone);
    await store.endpoints.update(gone.id, { deletedAt: T0 + 1 });

    expect(await store.endpoints.findLiveByDomain('live.example.cn')).toEqual(live);
    expect(await store.endpoints.findLiveByDomain('gone.example.cn')).toBeUndefined();
    expect(await store.endpoints.findLiveByDomain('other.example.cn')).toBeUndefined();
    // A deleted endpoint is still readable by id.
    expect((await store.endpoints.get(gone.id))?.id).toBe(gone.id);
  });

  test('update changes each field it is given and nothing else', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const cert = certificate(subId);
    await store.certificates.insert(cert);
    const original = endpoint(subId);
    const bystander = endpoint(subId);
    await store.endpoints.insert(original);
    await store.endpoints.insert(bystander);
    const read = async () => (await store.endpoints.get(original.id))!;

    await store.endpoints.update(original.id, {
      settings: { customDomain: original.customDomain, host: 'new-host.example.com', icp: 'ICP-2', originAddresses: ['1.2.3.4'], serviceType: 'Download' },
    });
    let expected = { ...original, host: 'new-host.example.com', icp: 'ICP-2', originAddresses: ['1.2.3.4'], serviceType: 'Download' as const };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { enabled: false });
    expected = { ...expected, enabled: false };
    expect(await read()).toEqual(expected);
    await store.endpoints.update(original.id, { enabled: true });
    expected = { ...expected, enabled: true };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { lifetimeStatus: 'Normal' });
    expected = { ...expected, lifetimeStatus: 'Normal' };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { timeLastUpdated: T0 + 12345 });
    expected = { ...expected, timeLastUpdated: T0 + 12345 };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { cachePolicy: CACHE_POLICY });
    expected = { ...expected, cachePolicy: CACHE_POLICY };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { accessControl: ACCESS_CONTROL });
    expected = { ...expected, accessControl: ACCESS_CONTROL };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { certificateId: cert.id });
    expected = { ...expected, certificateId: cert.id };
    expect(await read()).toEqual(expected);
    await store.endpoints.update(original.id, { certificateId: null });
    expected = { ...expected, certificateId: null };
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, {});
    expect(await read()).toEqual(expected);

    await store.endpoints.update(original.id, { deletedAt: T0 + 99, lifetimeStatus: 'Deleted' });
    expect(await read()).toEqual({ ...expected, lifetimeStatus: 'Deleted' });
    expect(await store.endpoints.listLive()).toEqual([bystander]);

    expect(await store.endpoints.get(bystander.id)).toEqual(bystander);
  });

  test('update with settings keeps the CustomDomain: a domain never changes', async () => {
    const { store } = ctx();
    const original = endpoint(await givenSubscription(store), { customDomain: 'fixed.example.cn' });
    await store.endpoints.insert(original);
    await store.endpoints.update(original.id, {
      settings: { customDomain: 'moved.example.cn', host: 'h', icp: '', originAddresses: ['o.example.com'], serviceType: 'Web' },
    });
    expect((await store.endpoints.get(original.id))?.customDomain).toBe('fixed.example.cn');
    expect(await store.endpoints.findLiveByDomain('moved.example.cn')).toBeUndefined();
  });

  test('one live endpoint per CustomDomain: a second insert is a unique violation', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const otherSub = await givenSubscription(store);
    const first = endpoint(subId, { customDomain: 'taken.example.cn' });
    await store.endpoints.insert(first);

    const error = await store.endpoints.insert(endpoint(otherSub, { customDomain: 'taken.example.cn' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isUniqueViolation(error)).toBe(true);
    expect(await store.endpoints.listLive()).toEqual([first]);
  });

  test('a deleted endpoint frees its domain, as often as it is deleted', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const generations = [endpoint(subId, { customDomain: 'reuse.example.cn' }), endpoint(subId, { customDomain: 'reuse.example.cn' }), endpoint(subId, { customDomain: 'reuse.example.cn' })];
    for (const [i, e] of generations.entries()) {
      await store.endpoints.insert(e);
      expect((await store.endpoints.findLiveByDomain('reuse.example.cn'))?.id).toBe(e.id);
      if (i < generations.length - 1) await store.endpoints.update(e.id, { deletedAt: T0 + i });
    }
    expect((await store.endpoints.listAllBySubscription(subId)).map((e) => e.id).sort()).toEqual(generations.map((e) => e.id).sort());
    // Still only one live one.
    const error = await store.endpoints.insert(endpoint(subId, { customDomain: 'reuse.example.cn' })).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  test('two transactions creating one domain at once: exactly one wins, the other is a unique violation', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const contenders = Array.from({ length: 6 }, () => endpoint(subId, { customDomain: 'race.example.cn' }));
    const results = await Promise.allSettled(
      contenders.map((e) =>
        store.transaction(async (tx) => {
          await tx.endpoints.insert(e);
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(5);
    for (const r of lost) expect(isUniqueViolation(r.reason)).toBe(true);
    expect(await store.endpoints.listLive()).toHaveLength(1);
  });

  test('isUniqueViolation is false for other errors', async () => {
    const { store } = ctx();
    const error = await store.endpoints.insert(endpoint('no-such-subscription')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isUniqueViolation(error)).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
