/** Both store kinds, for suites that run once per store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Store, type StoreLocation } from '../../src/store/store.js';
import { createTestDatabase } from './postgres.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

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

export async function openTestStore(kind: StoreKind, masterKey?: string): Promise<{ store: Store; location: StoreLocation; cleanup(): Promise<void> }> {
  const where = await newStoreLocation(kind);
  const store = await Store.open(where.location, new SecretBox(masterKey));
  return {
    store,
    location: where.location,
    async cleanup() {
      await store.close();
      await where.cleanup();
    },
  };
}
