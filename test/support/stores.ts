/** Both store kinds, for suites that run once per store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Store, type StoreLocation } from '../../src/store/store.js';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase } from './postgres.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

/**
 * The store of suites that run on one store at a time (the route and engine suites): SQLite
 * unless MOONCDN_TEST_STORE says postgres. vitest.config.ts runs those suites once for each.
 */
export const TEST_STORE_KIND: StoreKind = testStoreKind(process.env.MOONCDN_TEST_STORE);

function testStoreKind(value: string | undefined): StoreKind {
  if (value === undefined || value === '') return 'sqlite';
  if (!(STORE_KINDS as readonly string[]).includes(value)) throw new Error(`MOONCDN_TEST_STORE "${value}" must be sqlite or postgres.`);
  return value as StoreKind;
}

export interface TestStoreLocation {
  readonly location: StoreLocation;
  cleanup(): Promise<void>;
}

/** A new, empty location of the given kind: a temp SQLite file or a fresh PostgreSQL database. */
export async function newStoreLocation(kind: StoreKind): Promise<TestStoreLocation> {
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    return { location: { kind: 'postgres', connectionString: db.url }, cleanup: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-test-'));
  return {
    location: { kind: 'sqlite', file: join(dir, 'mooncdn.db') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every table the store keeps rows in (not the migrations'). */
const TABLES = ['webhook_deliveries', 'webhooks', 'idempotency_keys', 'operation_edges', 'operation_items', 'operations', 'edges', 'traffic_reports', 'traffic', 'quota_usage', 'endpoints', 'certificates', 'api_keys', 'subscriptions'];

/**
 * Deletes every row of the store at `location`, on a connection of its own (see rawExec).
 * DELETE, not TRUNCATE: on tables this small it is several times faster on PostgreSQL (TRUNCATE
 * makes new files); a new SQLite connection does not enforce foreign keys unless asked, so the
 * order does not matter there.
 */
export async function wipeStore(location: StoreLocation): Promise<void> {
  const text = TABLES.map((table) => `DELETE FROM ${table};`).join('\n');
  for (let attempt = 1; ; attempt++) {
    try {
      return await rawExec(location, text);
    } catch (error) {
      // A background writer of the server under test (the webhook deliverer, traffic) can still
      // take row locks in another order; PostgreSQL then cancels one side (40P01): wipe again.
      if ((error as { code?: string }).code !== '40P01' || attempt === 3) throw error;
    }
  }
}

/**
 * Runs SQL that returns no rows straight on the store's database, on a connection of its own
 * (not the store's). On PostgreSQL that connection is kept for the next call on the same
 * database: a new one (a backend started, its catalog caches filled) made each harness reset
 * cost 45-85 ms, most of a route test's time there.
 */
export async function rawExec(location: StoreLocation, text: string): Promise<void> {
  if (location.kind === 'sqlite') {
    const db = new BetterSqlite3(location.file);
    try {
      db.exec(text);
    } finally {
      db.close();
    }
    return;
  }
  const client = await keptClient(location.connectionString);
  await client.query(text);
}

/**
 * rawExec's connections, by connection string. One the server ends (its database dropped, its
 * backends terminated by a fault test) is forgotten, and the next call connects again.
 */
const kept = new Map<string, Promise<pg.Client>>();

function keptClient(connectionString: string): Promise<pg.Client> {
  const existing = kept.get(connectionString);
  if (existing) return existing;
  const client = new pg.Client({ connectionString });
  const connected = client.connect().then(() => client);
  const forget = () => {
    if (kept.get(connectionString) === connected) kept.delete(connectionString);
  };
  // Listened to, or an ended connection's error (DROP DATABASE ... WITH (FORCE)) would be thrown
  // out of the event loop.
  client.on('error', forget);
  client.on('end', forget);
  connected.catch(forget);
  kept.set(connectionString, connected);
  return connected;
}

/** Closes rawExec's kept connections (before the pool's databases are dropped, when a file ends). */
async function closeKeptClients(): Promise<void> {
  const clients = [...kept.values()];
  kept.clear();
  await Promise.all(clients.map((connected) => connected.then((client) => client.end()).catch(() => undefined)));
}

/**
 * PostgreSQL databases a test file has finished with, emptied, for its next store: making one
 * (CREATE DATABASE and the migrations) costs a quarter to a whole second on a busy machine,
 * emptying one a few milliseconds. test/setup-files.ts drops them when the file ends.
 */
const pooled: TestStoreLocation[] = [];

/**
 * A store on an empty location of the given kind, migrated. `cleanup` closes it; a PostgreSQL
 * database is emptied and kept for the file's next store rather than dropped.
 */
export async function openTestStore(kind: StoreKind, masterKey?: string): Promise<{ store: Store; location: StoreLocation; cleanup(): Promise<void> }> {
  const where = (kind === 'postgres' ? pooled.pop() : undefined) ?? (await newStoreLocation(kind));
  let store: Store;
  try {
    store = await Store.open(where.location, new SecretBox(masterKey));
  } catch (error) {
    await where.cleanup();
    throw error;
  }
  return {
    store,
    location: where.location,
    async cleanup() {
      await store.close();
      if (where.location.kind !== 'postgres') return where.cleanup();
      await wipeStore(where.location);
      pooled.push(where);
    },
  };
}

/** Drops the databases the pool holds; test/setup-files.ts calls it when each file ends. */
async function dropPooledStores(): Promise<void> {
  await closeKeptClients();
  while (pooled.length > 0) await pooled.pop()!.cleanup();
}
// Found there through a global, so that files that never open a store do not load this module.
(globalThis as { dropPooledStores?: () => Promise<void> }).dropPooledStores = dropPooledStores;
