/**
 * Shared by the store conformance suite: a fresh store per test on each kind, and builders of
 * domain records with distinct ids and sensible defaults.
 */
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ApiKey } from '../../src/domain/api-key.js';
import { DEFAULT_ACCESS_CONTROL } from '../../src/domain/access-control.js';
import { DEFAULT_CACHE_POLICY } from '../../src/domain/cache-policy.js';
import type { StoredCertificate } from '../../src/domain/certificate.js';
import type { Endpoint } from '../../src/domain/endpoint.js';
import type { ItemStatus, OperationItem, OperationRecord } from '../../src/domain/operation.js';
import type { Subscription } from '../../src/store/repositories/subscriptions.js';
import type { Store, StoreLocation } from '../../src/store/store.js';
import { openTestStore, rawExec, wipeStore, type StoreKind } from '../support/stores.js';

export { STORE_KINDS, type StoreKind } from '../support/stores.js';

export const T0 = Date.parse('2026-11-22T08:00:00.000Z');

export interface StoreContext {
  readonly store: Store;
  readonly location: StoreLocation;
}

/**
 * An empty store of `kind` for each test of the enclosing describe: opened once (a PostgreSQL
 * database costs 0.4 s to make) and emptied before each test (wipeStore). When the store cannot
 * be opened (PostgreSQL down) the hook throws: tests fail.
 */
export function useFreshStore(kind: StoreKind, masterKey?: string): () => StoreContext {
  let current: (StoreContext & { cleanup(): Promise<void> }) | undefined;
  beforeAll(async () => {
    current = await openTestStore(kind, masterKey);
  });
  beforeEach(async () => {
    if (current) await wipeStore(current.location);
  });
  afterAll(async () => {
    const done = current;
    current = undefined;
    await done?.cleanup();
  });
  return () => {
    if (!current) throw new Error('the store is not open (beforeAll failed)');
    return current;
  };
}

export function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return { id: randomUUID(), name: 'subscription', createdAt: T0, ...overrides };
}

export function apiKey(subscriptionId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: randomUUID(),
    subscriptionId,
    value: `value-${randomUUID()}`,
    scope: 'full',
    expiresAt: null,
    ratePerMinute: null,
    revokedAt: null,
    createdAt: T0,
    ...overrides,
  };
}

let domainCounter = 0;

export function endpoint(subscriptionId: string, overrides: Partial<Endpoint> = {}): Endpoint {
  domainCounter += 1;
  return {
    id: randomUUID(),
    subscriptionId,
    customDomain: `cdn${domainCounter}.example.cn`,
    host: 'origin.example.com',
    icp: 'ICP-1',
    originAddresses: ['origin.example.com', '10.0.0.1:8080'],
    serviceType: 'Web',
    enabled: true,
    lifetimeStatus: 'Creating',
    timeLastUpdated: T0,
    cachePolicy: DEFAULT_CACHE_POLICY,
    accessControl: DEFAULT_ACCESS_CONTROL,
    certificateId: null,
    createdAt: T0,
    ...overrides,
  };
}

export function operation(subscriptionId: string, endpointId: string, overrides: Partial<OperationRecord> = {}): OperationRecord {
  return {
    id: randomUUID(),
    subscriptionId,
    endpointId,
    type: 'UpdateEndpoint',
    status: 'NotSet',
    message: null,
    startedAt: T0,
    endedAt: null,
    payload: {},
    attempts: 0,
    ...overrides,
  };
}

export function items(operationId: string, count: number, status: ItemStatus = 'Running'): OperationItem[] {
  return Array.from({ length: count }, (_, position) => ({
    operationId,
    position,
    kind: position % 2 === 0 ? 'file' : 'directory',
    url: `https://cdn.example.cn/p/${position}?q=${position}`,
    path: `/p/${position}`,
    query: `q=${position}`,
    status,
    message: null,
  }));
}

export function certificate(subscriptionId: string, overrides: Partial<StoredCertificate> = {}): StoredCertificate {
  return {
    id: randomUUID(),
    subscriptionId,
    name: 'cert',
    subject: 'CN=cdn.example.cn',
    issuer: 'CN=Test CA',
    thumbprint: 'AB:CD:EF',
    dnsNames: ['cdn.example.cn', '*.cdn.example.cn'],
    notBefore: T0 - 86_400_000,
    notAfter: T0 + 90 * 86_400_000,
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${randomUUID()}\n-----END PRIVATE KEY-----\n`,
    createdAt: T0,
    ...overrides,
  };
}

/** Inserts a subscription and returns its id. */
export async function givenSubscription(store: Store, overrides: Partial<Subscription> = {}): Promise<string> {
  const sub = subscription(overrides);
  await store.subscriptions.insert(sub);
  return sub.id;
}

/** Runs one read-only SQL query straight on the store's database, bypassing the repositories. */
export async function rawQuery<Row>(location: StoreLocation, text: string, params: readonly unknown[] = []): Promise<Row[]> {
  if (location.kind === 'sqlite') {
    const db = new BetterSqlite3(location.file, { readonly: true });
    try {
      // Queries are written with PostgreSQL's $1, $2...; better-sqlite3 takes ? in order.
      const ordered: unknown[] = [];
      const sqliteText = text.replace(/\$(\d+)/g, (_, n: string) => {
        ordered.push(params[Number(n) - 1]);
        return '?';
      });
      return db.prepare(sqliteText).all(...ordered) as Row[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location.connectionString });
  await client.connect();
  try {
    return (await client.query(text, [...params])).rows as Row[];
  } finally {
    await client.end();
  }
}

export { rawExec };

/** Whether the store's database has a table of that name. */
export async function tableExists(location: StoreLocation, table: string): Promise<boolean> {
  const rows =
    location.kind === 'sqlite'
      ? await rawQuery(location, `SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1`, [table])
      : await rawQuery(location, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = $1`, [table]);
  return rows.length > 0;
}
