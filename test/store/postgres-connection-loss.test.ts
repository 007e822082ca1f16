/**
 * PostgreSQL transactions cut off by a lost connection (store.ts, postgres.ts): run again when
 * nothing was applied, never run again when the COMMIT went through, and StoreUnavailableError
 * when the database cannot be reached. Real faults: backends terminated, and a proxy that loses
 * the connection as COMMIT is sent or as it is answered.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Store, type Repositories } from '../../src/store/store.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { PgProxy } from '../support/pg-proxy.js';
import { allowConnections, databaseName, terminateBackends } from '../support/postgres-faults.js';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { subscription } from './fixtures.js';

let proxy: PgProxy;
let database: TestDatabase;
let store: Store;
beforeAll(async () => {
  proxy = await PgProxy.start(ADMIN_URL);
});
afterAll(() => proxy?.close());
beforeEach(async () => {
  database = await createTestDatabase();
  store = await Store.open({ kind: 'postgres', connectionString: proxy.url(database.url) }, new SecretBox(undefined));
});
afterEach(async () => {
  proxy.fault = undefined;
  await allowConnections(databaseName(database.url), true);
  await store.close();
  await database.drop();
});

/** A transaction that inserts a subscription, counting how often it runs; `during` runs inside, after the insert. */
function insertOnce(during: (run: number, tx: Repositories) => Promise<void> = async () => undefined) {
  const sub = subscription();
  let runs = 0;
  const result = store.transaction(async (tx) => {
    runs++;
    await tx.subscriptions.insert(sub);
    await during(runs, tx);
    return 'done';
  });
  return { sub, result, runs: () => runs };
}

describe('a PostgreSQL transaction whose connection is lost', () => {
  test('before COMMIT: runs again on another connection and commits once', async () => {
    const attempt = insertOnce(async (run, tx) => {
      if (run !== 1) return;
      await terminateBackends(databaseName(database.url));
      // The transaction's next query fails once its backend has gone.
      for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) await tx.subscriptions.list();
    });
    await expect(attempt.result).resolves.toBe('done');
    expect(attempt.runs()).toBe(2);
    expect((await store.subscriptions.list()).map((s) => s.id)).toEqual([attempt.sub.id]);
  });

  test('as COMMIT is sent (it never arrives): PostgreSQL says it aborted, so it runs again and commits once', async () => {
    proxy.fault = 'lose-commit';
    const attempt = insertOnce();
    await expect(attempt.result).resolves.toBe('done');
    expect(proxy.fault).toBeUndefined();
    expect(attempt.runs()).toBe(2);
    expect((await store.subscriptions.list()).map((s) => s.id)).toEqual([attempt.sub.id]);
  });

  test('as COMMIT is answered (it went through): PostgreSQL says it committed, so it is not run again', async () => {
    proxy.fault = 'lose-commit-answer';
    const attempt = insertOnce();
    await expect(attempt.result).resolves.toBe('done');
    expect(proxy.fault).toBeUndefined();
    expect(attempt.runs()).toBe(1);
    expect((await store.subscriptions.list()).map((s) => s.id)).toEqual([attempt.sub.id]);
  });

  test('while the database refuses connections: StoreUnavailableError; it works again when they are allowed', async () => {
    await allowConnections(databaseName(database.url), false);
    const refused = await insertOnce().result.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect((refused as StoreUnavailableError).outcomeUnknown).toBe(false);
    await expect(store.ping()).rejects.toThrow();

    await allowConnections(databaseName(database.url), true);
    await expect(insertOnce().result).resolves.toBe('done');
  });
});
