/**
 * Indexes for the history routes: newest first per subscription and per endpoint, walked by
 * seq (keyset pagination), so a page costs the same at the start of the history as deep in it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('operations_by_subscription').on('operations').columns(['subscription_id', 'seq']).execute();
  await db.schema.createIndex('operations_by_endpoint').on('operations').columns(['endpoint_id', 'seq']).execute();
}
