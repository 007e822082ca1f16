/** Runs in every test file: the PostgreSQL databases kept for reuse (support/stores.ts) go when the file ends. */
import { afterAll } from 'vitest';

afterAll(async () => {
  await (globalThis as { dropPooledStores?: () => Promise<void> }).dropPooledStores?.();
});
