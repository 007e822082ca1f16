/** Runs in every test file: the PostgreSQL databases kept for reuse go when the file ends. */
import { afterAll } from 'vitest';
import { dropPooledStores } from './support/stores.js';

afterAll(dropPooledStores);
