/**
 * The last two rows of CONTRACT §2: a key's scope (PermissionDenied 403) and its rate or the
 * subscription's daily quotas (RequestThrottled 429 with Retry-After). A refused request
 * leaves nothing behind.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SigningKey } from '../../src/signing/index.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectError } from './route-test-kit.js';

const DOMAIN = 'scopes.example.com';
const origin = { Addresses: ['origin.example.com'] };

interface Call {
  readonly method: string;
  readonly path: (endpointId: string) => string;
  readonly body?: unknown;
}

const SETTING_CHANGES: Record<string, Call> = {
  'create an endpoint': { method: 'POST', path: () => '/endpoints', body: { CustomDomain: 'new.example.com', Origin: origin } },
  'update an endpoint': { method: 'PUT', path: (e) => `/endpoints/${e}`, body: { EndpointSettings: { Origin: origin }, UpdateFlag: 'Origin' } },
  'delete an endpoint': { method: 'DELETE', path: (e) => `/endpoints/${e}` },
  'disable an endpoint': { method: 'POST', path: (e) => `/endpoints/${e}/disable` },
  'enable an endpoint': { method: 'POST', path: (e) => `/endpoints/${e}/enable` },
  'change cache rules': { method: 'PUT', path: (e) => `/endpoints/${e}/cacherules`, body: { Rules: [{ Type: 'Suffix', Items: ['.jpg'], TTL: 60 }] } },
  'change access control': { method: 'PUT', path: (e) => `/endpoints/${e}/accesscontrol`, body: { ForbiddenIps: ['10.0.0.1'] } },
  'bind a certificate': { method: 'POST', path: () => '/https/bindings', body: { CertificateId: '46fecf3c-e874-49aa-891d-0d4dc93213e0', EndpointId: '46fecf3c-e874-49aa-891d-0d4dc93213e0' } },
};

const CONTENT_CHANGES: Record<string, Call> = {
  purge: { method: 'POST', path: (e) => `/endpoints/${e}/purges`, body: { Files: [`http://${DOMAIN}/a.jpg`] } },
  preload: { method: 'POST', path: (e) => `/endpoints/${e}/preloads`, body: { Files: [`http://${DOMAIN}/a.jpg`] } },
};

const READS: Record<string, Call> = {
  'list endpoints': { method: 'GET', path: () => '/endpoints' },
  'read an endpoint': { method: 'GET', path: (e) => `/endpoints/${e}` },
  'read cache rules': { method: 'GET', path: (e) => `/endpoints/${e}/cacherules` },
  'read access control': { method: 'GET', path: (e) => `/endpoints/${e}/accesscontrol` },
};

describe('key scopes', () => {
  let harness: Harness;
  let endpointId: string;
  beforeAll(async () => {
    harness = await startHarness();
  });
  beforeEach(async () => {
    await harness.reset();
    endpointId = await harness.createEndpoint(DOMAIN);
  });
  afterAll(() => harness.close());

  const call = (key: SigningKey, { method, path, body }: Call) => harness.sub(method, path(endpointId), { key, body });

  describe('a read key', () => {
    it.each(Object.entries(READS))('may %s', async (_name, read) => {
      const key = await harness.createKey({ scope: 'read' });
      expect((await call(key, read)).status).toBe(200);
    });

    it.each(Object.entries({ ...SETTING_CHANGES, ...CONTENT_CHANGES }))('may not %s: PermissionDenied 403', async (_name, change) => {
      const key = await harness.createKey({ scope: 'read' });
      const response = await call(key, change);
      expectError(response, 403, 'PermissionDenied', key.keyId, /scope "read"/);
    });

    it('changes nothing when refused', async () => {
      const key = await harness.createKey({ scope: 'read' });
      expectError(await call(key, SETTING_CHANGES['delete an endpoint']!), 403, 'PermissionDenied');
      expectError(await call(key, SETTING_CHANGES['create an endpoint']!), 403, 'PermissionDenied');
      const endpoints = (await harness.sub('GET', '/endpoints')).body as Array<{ EndpointID: string; Status: { LifetimeStatus: string } }>;
      expect(endpoints.map((e) => [e.EndpointID, e.Status.LifetimeStatus])).toEqual([[endpointId, 'Normal']]);
    });
  });

  describe('a content key', () => {
    it.each(Object.entries(CONTENT_CHANGES))('may %s: 202', async (_name, change) => {
      const key = await harness.createKey({ scope: 'content' });
      const response = await call(key, change);
      expect(response.status).toBe(202);
      expect(response.body.AsyncInfo.TaskTrackId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each(Object.entries(READS))('may %s', async (_name, read) => {
      const key = await harness.createKey({ scope: 'content' });
      expect((await call(key, read)).status).toBe(200);
    });

    it.each(Object.entries(SETTING_CHANGES))('may not %s: PermissionDenied 403', async (_name, change) => {
      const key = await harness.createKey({ scope: 'content' });
      const response = await call(key, change);
      expectError(response, 403, 'PermissionDenied', key.keyId, /scope "content"/, /changing settings/);
    });
  });

  it('a full key may change settings', async () => {
    const key = await harness.createKey({ scope: 'full' });
    expect((await call(key, SETTING_CHANGES['change cache rules']!)).status).toBe(202);
  });
});

describe('rate per key', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  beforeEach(() => harness.reset());
  afterAll(() => harness.close());

  it('throttles a key over its ratePerMinute with Retry-After in seconds, then lets it through', async () => {
    const key = await harness.createKey({ ratePerMinute: 2 });
    expect((await harness.sub('GET', '/endpoints', { key })).status).toBe(200);
    expect((await harness.sub('GET', '/endpoints', { key })).status).toBe(200);

    const throttled = await harness.sub('GET', '/endpoints', { key });
    expectError(throttled, 429, 'RequestThrottled', /2 requests a minute/, /Retry after 30 seconds/);
    expect(throttled.headers['retry-after']).toBe('30');

    harness.clock.advance(30_000);
    expect((await harness.sub('GET', '/endpoints', { key })).status).toBe(200);
    expectError(await harness.sub('GET', '/endpoints', { key }), 429, 'RequestThrottled');
  });

  it('limits each key on its own, and leaves keys without a rate alone', async () => {
    const limited = await harness.createKey({ ratePerMinute: 1 });
    const sibling = await harness.createKey({ ratePerMinute: 1 });
    expect((await harness.sub('GET', '/endpoints', { key: limited })).status).toBe(200);
    expectError(await harness.sub('GET', '/endpoints', { key: limited }), 429, 'RequestThrottled');
    expect((await harness.sub('GET', '/endpoints', { key: sibling })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await harness.sub('GET', '/endpoints')).status).toBe(200);
  });

  it('does not count requests refused by the signature', async () => {
    const key = await harness.createKey({ ratePerMinute: 1 });
    const forged = { keyId: key.keyId, keyValue: 'not-the-key-value-at-all-0000000000000' };
    expectError(await harness.sub('GET', '/endpoints', { key: forged }), 401, 'WrongSignature');
    expect((await harness.sub('GET', '/endpoints', { key })).status).toBe(200);
  });
});

describe('daily quotas of a subscription', () => {
  const QUOTAS = { filePurges: 3, directoryPurges: 2, preloads: 2 };
  let harness: Harness;
  let endpointId: string;
  beforeEach(async () => {
    harness = await startHarness({ settings: { quotas: QUOTAS } });
    endpointId = await harness.createEndpoint(DOMAIN);
    // No operation runs from here on, so the unfinished count is exactly what was accepted.
    await harness.plane.engine.stop(1_000);
  });
  afterEach(async () => {
    await harness.close();
  });

  const files = (n: number, prefix = 'f') => Array.from({ length: n }, (_, i) => `http://${DOMAIN}/${prefix}${i}.jpg`);
  const dirs = (n: number) => Array.from({ length: n }, (_, i) => `http://${DOMAIN}/d${i}/`);
  const purge = (body: unknown) => harness.sub('POST', `/endpoints/${endpointId}/purges`, { body });
  const preload = (body: unknown) => harness.sub('POST', `/endpoints/${endpointId}/preloads`, { body });
  const used = (what: 'filePurges' | 'directoryPurges' | 'preloads') =>
    harness.store.quotas.used(harness.subscriptionId, '2026-11-22', what);
  const SECONDS_TO_MIDNIGHT = 16 * 3600; // the TestClock starts at 08:00:00Z

  it('refuses file purges over the quota with Retry-After until UTC midnight, storing nothing', async () => {
    expect((await purge({ Files: files(2) })).status).toBe(202);
    const before = await harness.store.operations.countUnfinished();

    const refused = await purge({ Files: files(2, 'g') });
    expectError(refused, 429, 'RequestThrottled', /3 file purges/, /2 used today, 2 requested/);
    expect(refused.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT));
    expect(await used('filePurges')).toBe(2);
    expect(await harness.store.operations.countUnfinished()).toBe(before);

    expect((await purge({ Files: files(1, 'h') })).status).toBe(202);
    expect(await used('filePurges')).toBe(3);
    expectError(await purge({ Files: files(1, 'i') }), 429, 'RequestThrottled');
  });

  it('refuses a whole purge when its directories are over the quota, counting none of its files', async () => {
    const refused = await purge({ Files: files(1), Directories: dirs(3) });
    expectError(refused, 429, 'RequestThrottled', /2 directory purges/);
    expect(await used('filePurges')).toBe(0);
    expect(await used('directoryPurges')).toBe(0);
    expect(await harness.store.operations.countUnfinished()).toBe(0);

    expect((await purge({ Directories: dirs(2) })).status).toBe(202);
    expectError(await purge({ Directories: dirs(1) }), 429, 'RequestThrottled', /2 used today, 1 requested/);
  });

  it('refuses preloads over the quota', async () => {
    expect((await preload({ Files: files(2) })).status).toBe(202);
    const refused = await preload({ Files: files(1, 'p') });
    expectError(refused, 429, 'RequestThrottled', /2 preloads/);
    expect(refused.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT));
    expect(await used('preloads')).toBe(2);
    expect(await harness.store.operations.countUnfinished()).toBe(1);
  });

  it('counts Retry-After to the next UTC midnight and starts afresh then', async () => {
    expect((await preload({ Files: files(2) })).status).toBe(202);
    harness.clock.set('2026-11-22T23:59:30.000Z');
    const refused = await preload({ Files: files(1, 'p') });
    expectError(refused, 429, 'RequestThrottled');
    expect(refused.headers['retry-after']).toBe('30');

    harness.clock.set('2026-11-23T00:00:00.000Z');
    expect((await preload({ Files: files(2, 'q') })).status).toBe(202);
  });
});
