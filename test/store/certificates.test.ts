import { describe, expect, test } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Store } from '../../src/store/store.js';
import { certificate, givenSubscription, rawQuery, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

describe.each(STORE_KINDS)('certificates on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('every field round-trips through insert and get', async () => {
    const { store } = ctx();
    const cert = certificate(await givenSubscription(store), { dnsNames: ['a.example.cn', '*.b.example.cn', 'xn--fiqs8s.cn'] });
    await store.certificates.insert(cert);
    expect(await store.certificates.get(cert.id)).toEqual(cert);
    expect(await store.certificates.get('missing')).toBeUndefined();
  });

  test('listBySubscription: that subscription only, by upload time then id', async () => {
    const { store } = ctx();
    const subId = await givenSubscription(store);
    const otherId = await givenSubscription(store);
    const certs = [
      certificate(subId, { id: 'c-late', createdAt: T0 + 1 }),
      certificate(subId, { id: 'c-2', createdAt: T0 }),
      certificate(subId, { id: 'c-1', createdAt: T0 }),
      certificate(otherId, { id: 'c-0', createdAt: T0 }),
    ];
    for (const c of certs) await store.certificates.insert(c);
    expect(await store.certificates.listBySubscription(subId)).toEqual([certs[2], certs[1], certs[0]]);
    expect(await store.certificates.listBySubscription(otherId)).toEqual([certs[3]]);
    expect(await store.certificates.listBySubscription('nobody')).toEqual([]);
  });

  test('without a master key the private key is stored marked plain', async () => {
    const { store, location } = ctx();
    const cert = certificate(await givenSubscription(store));
    await store.certificates.insert(cert);
    const rows = await rawQuery<{ private_key: string }>(location, 'SELECT private_key FROM certificates WHERE id = $1', [cert.id]);
    expect(rows).toEqual([{ private_key: `plain:${cert.privateKeyPem}` }]);
  });
});

describe.each(STORE_KINDS)('certificates on %s with a master key', (kind) => {
  const ctx = useFreshStore(kind, 'certificate master key');

  test('the private key is sealed at rest, the public certificate is not', async () => {
    const { store, location } = ctx();
    const cert = certificate(await givenSubscription(store));
    await store.certificates.insert(cert);

    const rows = await rawQuery<{ private_key: string; certificate_pem: string }>(
      location,
      'SELECT private_key, certificate_pem FROM certificates WHERE id = $1',
      [cert.id],
    );
    expect(rows).toHaveLength(1);
    const secretLine = cert.privateKeyPem.split('\n')[1]!;
    expect(rows[0]!.private_key).toMatch(/^v1:/);
    expect(rows[0]!.private_key).not.toContain('PRIVATE KEY');
    expect(rows[0]!.private_key).not.toContain(secretLine);
    expect(rows[0]!.certificate_pem).toBe(cert.certificatePem);
    expect(await store.certificates.get(cert.id)).toEqual(cert);
  });

  test('another master key cannot read the private key and says why', async () => {
    const { store, location } = ctx();
    const cert = certificate(await givenSubscription(store));
    await store.certificates.insert(cert);
    const wrong = await Store.open(location, new SecretBox('a different key'));
    try {
      await expect(wrong.certificates.get(cert.id)).rejects.toThrow(/MOONCDN_MASTER_KEY is not the key it was stored with/);
      await expect(wrong.certificates.listBySubscription(cert.subscriptionId)).rejects.toThrow(/does not decrypt/);
    } finally {
      await wrong.close();
    }
  });
});
