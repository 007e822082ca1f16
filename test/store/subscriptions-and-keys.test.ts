import { describe, expect, test } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { isUniqueViolation } from '../../src/store/dialect.js';
import { Store } from '../../src/store/store.js';
import { apiKey, givenSubscription, rawQuery, STORE_KINDS, subscription, T0, useFreshStore } from './fixtures.js';

describe.each(STORE_KINDS)('subscriptions on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('insert then get returns the subscription; an unknown id gives undefined', async () => {
    const { store } = ctx();
    const sub = subscription({ name: 'Contoso 中国' });
    await store.subscriptions.insert(sub);
    expect(await store.subscriptions.get(sub.id)).toEqual(sub);
    expect(await store.subscriptions.get('no-such-subscription')).toBeUndefined();
  });

  test('list orders by creation time, then id', async () => {
    const { store } = ctx();
    const late = subscription({ id: 'a-late', createdAt: T0 + 2000 });
    const earlyB = subscription({ id: 'b-early', createdAt: T0 });
    const earlyA = subscription({ id: 'a-early', createdAt: T0 });
    for (const s of [late, earlyB, earlyA]) await store.subscriptions.insert(s);
    expect((await store.subscriptions.list()).map((s) => s.id)).toEqual(['a-early', 'b-early', 'a-late']);
  });

  test('a second subscription with the same id is a unique violation', async () => {
    const { store } = ctx();
    const sub = subscription();
    await store.subscriptions.insert(sub);
    const error = await store.subscriptions.insert({ ...sub, name: 'again' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isUniqueViolation(error)).toBe(true);
    expect(await store.subscriptions.list()).toEqual([sub]);
  });
});

describe.each(STORE_KINDS)('API keys on %s without a master key', (kind) => {
  const ctx = useFreshStore(kind);

  test('every field round-trips', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const full = apiKey(subId);
    const limited = apiKey(subId, { scope: 'read', expiresAt: T0 + 3_600_000, ratePerMinute: 120, revokedAt: T0 + 5, value: 'v+/=é' });
    await store.apiKeys.insert(full);
    await store.apiKeys.insert(limited);
    expect(await store.apiKeys.get(full.id)).toEqual(full);
    expect(await store.apiKeys.get(limited.id)).toEqual(limited);
    expect(await store.apiKeys.get('missing')).toBeUndefined();
  });

  test('listBySubscription gives only that subscription, by creation time then id', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const otherId = await givenSubscription(store);
    const keys = [
      apiKey(subId, { id: 'k-3', createdAt: T0 + 10 }),
      apiKey(subId, { id: 'k-2', createdAt: T0 }),
      apiKey(subId, { id: 'k-1', createdAt: T0 }),
      apiKey(otherId, { id: 'k-0', createdAt: T0 }),
    ];
    for (const key of keys) await store.apiKeys.insert(key);
    const listed = await store.apiKeys.listBySubscription(subId);
    expect(listed.map((k) => k.id)).toEqual(['k-1', 'k-2', 'k-3']);
    expect(listed[0]).toEqual(keys[2]);
    expect(await store.apiKeys.listBySubscription('nobody')).toEqual([]);
  });

  test('a key needs an existing subscription', async () => {
    const { store } = ctx();
    await expect(store.apiKeys.insert(apiKey('no-such-subscription'))).rejects.toThrow();
  });

  test('without a master key the value is stored marked plain', async () => {
    const { store, location } = ctx();
    const key = apiKey(await givenSubscription(store));
    await store.apiKeys.insert(key);
    const rows = await rawQuery<{ secret: string }>(location, 'SELECT secret FROM api_keys WHERE id = $1', [key.id]);
    expect(rows).toEqual([{ secret: `plain:${key.value}` }]);
  });

  test('revoke answers true and sets the time, is idempotent, and answers false for an unknown key', async () => {
    const { store } = ctx();
    const key = apiKey(await givenSubscription(store));
    const other = apiKey(key.subscriptionId);
    await store.apiKeys.insert(key);
    await store.apiKeys.insert(other);

    expect(await store.apiKeys.revoke(key.id, T0 + 100)).toBe(true);
    expect((await store.apiKeys.get(key.id))?.revokedAt).toBe(T0 + 100);
    // Again: still true, and the first revocation time stays.
    expect(await store.apiKeys.revoke(key.id, T0 + 999)).toBe(true);
    expect((await store.apiKeys.get(key.id))?.revokedAt).toBe(T0 + 100);

    expect(await store.apiKeys.revoke('no-such-key', T0)).toBe(false);
    expect((await store.apiKeys.get(other.id))?.revokedAt).toBeNull();
  });

  test('resetValue replaces the value and clears revocation, expiry and scope limits', async () => {
    const { store } = ctx();
    const key = apiKey(await givenSubscription(store), { scope: 'content', expiresAt: T0 + 1, revokedAt: T0 + 2, ratePerMinute: 60 });
    const other = apiKey(key.subscriptionId, { scope: 'read' });
    await store.apiKeys.insert(key);
    await store.apiKeys.insert(other);

    await store.apiKeys.resetValue(key.id, 'a-brand-new-value-of-enough-length-000');
    expect(await store.apiKeys.get(key.id)).toEqual({
      ...key,
      value: 'a-brand-new-value-of-enough-length-000',
      scope: 'full',
      expiresAt: null,
      revokedAt: null,
    });
    expect(await store.apiKeys.get(other.id)).toEqual(other);
  });
});

describe.each(STORE_KINDS)('API keys on %s with a master key', (kind) => {
  const ctx = useFreshStore(kind, 'the master key');

  test('the secret column holds neither the value nor any part of it, and reads back', async () => {
    const { store, location } = ctx();
    const subId = await givenSubscription(store);
    const a = apiKey(subId, { value: 'same-value-in-two-keys-0123456789abcdef' });
    const b = apiKey(subId, { value: a.value });
    await store.apiKeys.insert(a);
    await store.apiKeys.insert(b);

    const rows = await rawQuery<{ id: string; secret: string }>(location, 'SELECT id, secret FROM api_keys ORDER BY id');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(a.value);
      expect(row.secret).not.toContain('same-value');
      expect(Buffer.from(row.secret.slice(3), 'base64').toString('latin1')).not.toContain('same-value');
    }
    // A fresh IV per seal: equal values do not give equal ciphertexts.
    expect(rows[0]!.secret).not.toBe(rows[1]!.secret);
    expect(await store.apiKeys.get(a.id)).toEqual(a);
    expect(await store.apiKeys.listBySubscription(subId)).toHaveLength(2);
  });

  test('resetValue seals the new value too', async () => {
    const { store, location } = ctx();
    const key = apiKey(await givenSubscription(store));
    await store.apiKeys.insert(key);
    await store.apiKeys.resetValue(key.id, 'replacement-value-0123456789abcdefghij');
    const rows = await rawQuery<{ secret: string }>(location, 'SELECT secret FROM api_keys WHERE id = $1', [key.id]);
    expect(rows[0]!.secret).toMatch(/^v1:/);
    expect(rows[0]!.secret).not.toContain('replacement-value');
    expect((await store.apiKeys.get(key.id))?.value).toBe('replacement-value-0123456789abcdefghij');
  });

  test('a store opened with another master key, or none, refuses to read the keys with a clear error', async () => {
    const { store, location } = ctx();
    const key = apiKey(await givenSubscription(store));
    await store.apiKeys.insert(key);

    const wrong = await Store.open(location, new SecretBox('another master key'));
    try {
      await expect(wrong.apiKeys.get(key.id)).rejects.toThrow(
        'A stored secret does not decrypt; MOONCDN_MASTER_KEY is not the key it was stored with.',
      );
      await expect(wrong.apiKeys.listBySubscription(key.subscriptionId)).rejects.toThrow(/MOONCDN_MASTER_KEY is not the key/);
    } finally {
      await wrong.close();
    }

    const none = await Store.open(location, new SecretBox(undefined));
    try {
      await expect(none.apiKeys.get(key.id)).rejects.toThrow(
        'A stored secret is encrypted; set MOONCDN_MASTER_KEY to the master key it was stored with.',
      );
    } finally {
      await none.close();
    }

    // The right key still reads it.
    expect(await store.apiKeys.get(key.id)).toEqual(key);
  });

  test('keys stored before a master key was configured still read after', async () => {
    const { store, location } = ctx();
    const subId = await givenSubscription(store);
    const plain = await Store.open(location, new SecretBox(undefined));
    const old = apiKey(subId);
    try {
      await plain.apiKeys.insert(old);
    } finally {
      await plain.close();
    }
    expect(await store.apiKeys.get(old.id)).toEqual(old);
  });
});
