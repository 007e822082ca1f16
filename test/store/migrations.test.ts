import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Store } from '../../src/store/store.js';
import { apiKey, givenSubscription, rawExec, rawQuery, STORE_KINDS, tableExists, useFreshStore } from './fixtures.js';
import { newStoreLocation, wipeStore } from '../support/stores.js';

describe.each(STORE_KINDS)('opening and migrating on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('wipeStore (the route tests\' reset) leaves every table the migrations made empty', async () => {
    const { store, location } = ctx();
    const subscriptionId = await givenSubscription(store);
    await store.apiKeys.insert(apiKey(subscriptionId));
    await wipeStore(location);
    const tables =
      kind === 'sqlite'
        ? await rawQuery<{ name: string }>(location, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'kysely_%' AND name NOT LIKE 'sqlite_%'")
        : await rawQuery<{ name: string }>(location, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%'");
    expect(tables.length).toBeGreaterThanOrEqual(8);
    for (const { name } of tables) expect(await rawQuery(location, `SELECT 1 FROM ${name} LIMIT 1`), name).toEqual([]);
  });

  test('opening the same location again keeps the data and runs no migration twice', async () => {
    const { store, location } = ctx();
    const key = apiKey(await givenSubscription(store));
    await store.apiKeys.insert(key);

    const second = await Store.open(location, new SecretBox(undefined));
    try {
      expect(await second.apiKeys.get(key.id)).toEqual(key);
      await second.subscriptions.insert({ id: 'from-second', name: 'second', createdAt: 1 });
    } finally {
      await second.close();
    }
    const third = await Store.open(location, new SecretBox(undefined));
    await third.close();

    expect((await store.subscriptions.get('from-second'))?.name).toBe('second');
    const migrations = await rawQuery<{ name: string }>(location, 'SELECT name FROM kysely_migration ORDER BY name');
    expect(migrations.map((m) => m.name)).toEqual(['001-initial', '002-operation-history', '003-idempotency-keys', '004-webhooks', '005-fleet', '006-edge-features']);
  });

  test('a migration that fails part-way leaves nothing behind, and the next open completes it', async () => {
    const where = await newStoreLocation(kind);
    try {
      // The last table of 001-initial is already there: the migration fails on it, after
      // creating every other table.
      await rawExec(where.location, 'CREATE TABLE quota_usage (x INTEGER)');
      await expect(Store.open(where.location, new SecretBox(undefined))).rejects.toThrow(
        /^Cannot open the store \(.*\): migration 001-initial failed: .*quota_usage.* already exists/,
      );
      for (const table of ['subscriptions', 'api_keys', 'endpoints', 'operations', 'traffic']) {
        expect(await tableExists(where.location, table), table).toBe(false);
      }

      await rawExec(where.location, 'DROP TABLE quota_usage');
      const store = await Store.open(where.location, new SecretBox(undefined));
      try {
        expect(await store.quotas.add('s', '2026-11-22', 'preloads', 2)).toBe(2);
        expect(await store.subscriptions.list()).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await where.cleanup();
    }
  });

  test('opening an up-to-date store takes no write lock: it does not wait for a running transaction', async () => {
    const { store, location } = ctx();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const writer = store.transaction(async (tx) => {
      await tx.subscriptions.insert({ id: 'in-flight', name: 'n', createdAt: 1 });
      holding();
      await gate;
    });
    await held;
    const started = Date.now();
    try {
      const second = await Store.open(location, new SecretBox(undefined));
      await second.close();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      release();
      await writer;
    }
    expect(await store.subscriptions.get('in-flight')).toBeDefined();
  });

  test('ping answers, and a closed store refuses work', async () => {
    const { location } = ctx();
    const extra = await Store.open(location, new SecretBox(undefined));
    await expect(extra.ping()).resolves.toBeUndefined();
    await extra.close();
    await expect(extra.subscriptions.list()).rejects.toThrow();
  });
});

// PostgreSQL only: better-sqlite3 is synchronous, so in one process a second SQLite Store
// waiting for the first one's lock would block the event loop the first needs to finish.
// Across processes (the embedded shape's server and admin CLI) BEGIN IMMEDIATE orders them.
describe('opening on postgres', () => {
  test('two stores opening one new location at once both migrate it cleanly', async () => {
    const where = await newStoreLocation('postgres');
    try {
      const opened = await Promise.all([Store.open(where.location, new SecretBox(undefined)), Store.open(where.location, new SecretBox(undefined))]);
      try {
        await opened[0].subscriptions.insert({ id: 's', name: 'n', createdAt: 1 });
        expect(await opened[1].subscriptions.get('s')).toEqual({ id: 's', name: 'n', createdAt: 1 });
      } finally {
        for (const s of opened) await s.close();
      }
      const migrations = await rawQuery<{ name: string }>(where.location, 'SELECT name FROM kysely_migration ORDER BY name');
      expect(migrations).toEqual([{ name: '001-initial' }, { name: '002-operation-history' }, { name: '003-idempotency-keys' }, { name: '004-webhooks' }, { name: '005-fleet' }, { name: '006-edge-features' }]);
    } finally {
      await where.cleanup();
    }
  });
});

describe('a location that is not a usable store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-bad-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('PostgreSQL on a closed port: "Cannot open the store", naming the URL without its password', async () => {
    const error = await Store.open({ kind: 'postgres', connectionString: 'postgres://mooncdn:s3cret-pw@127.0.0.1:1/mooncdn' }, new SecretBox(undefined)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/^Cannot open the store \(PostgreSQL postgres:\/\/mooncdn:\*\*\*@127\.0\.0\.1:1\/mooncdn\): .*ECONNREFUSED/);
    expect(error!.message).not.toContain('s3cret-pw');
  });

  test('PostgreSQL database that does not exist', async () => {
    await expect(
      Store.open({ kind: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:5432/mooncdn_no_such_database' }, new SecretBox(undefined)),
    ).rejects.toThrow(/^Cannot open the store \(PostgreSQL .*\): database "mooncdn_no_such_database" does not exist/);
  });

  test('SQLite file that is not a database', async () => {
    const file = join(dir, 'junk.db');
    writeFileSync(file, 'not a database, only text '.repeat(200));
    await expect(Store.open({ kind: 'sqlite', file }, new SecretBox(undefined))).rejects.toThrow(
      `Cannot open the store (SQLite ${file}): file is not a database`,
    );
  });

  test('SQLite path under a regular file', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const file = join(blocker, 'data', 'mooncdn.db');
    await expect(Store.open({ kind: 'sqlite', file }, new SecretBox(undefined))).rejects.toThrow(
      new RegExp(`^Cannot open the store \\(SQLite ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): ENOTDIR`),
    );
  });
});
