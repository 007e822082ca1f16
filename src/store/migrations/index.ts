/** The migrations in order, run by Kysely's Migrator at every start. */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectTraits } from '../dialect.js';
import * as initial from './001-initial.js';
import * as operationHistory from './002-operation-history.js';
import * as idempotencyKeys from './003-idempotency-keys.js';
import * as webhooks from './004-webhooks.js';
import * as fleet from './005-fleet.js';
import * as edgeFeatures from './006-edge-features.js';

export function migrationProvider(dialect: DialectTraits): MigrationProvider {
  const wrap = (m: { up(db: Kysely<unknown>, d: DialectTraits): Promise<void> }): Migration => ({
    up: (db) => m.up(db, dialect),
  });
  return {
    getMigrations: async () => ({
      '001-initial': wrap(initial),
      '002-operation-history': wrap(operationHistory),
      '003-idempotency-keys': wrap(idempotencyKeys),
      '004-webhooks': wrap(webhooks),
      '005-fleet': wrap(fleet),
      '006-edge-features': wrap(edgeFeatures),
    }),
  };
}
