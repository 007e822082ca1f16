/**
 * Idempotency keys (extension, draft-ietf-httpapi-idempotency-key-header): per subscription and
 * key, the fingerprint of the first request, and its answer once it has one. Rows older than a
 * day are deleted (idempotency.ts in the repositories).
 */
import type { Kysely } from 'kysely';
import type { DialectTraits } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectTraits): Promise<void> {
  const big = dialect.bigintType;
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    /** While the first request runs: when its claim lapses (its process died). Null once answered. */
    .addColumn('locked_until', big)
    .addColumn('status', 'integer')
    /** JSON object of the response headers replayed. */
    .addColumn('headers', 'text')
    .addColumn('body', 'text')
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['subscription_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_by_age').on('idempotency_keys').column('created_at').execute();
}
