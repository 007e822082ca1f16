/**
 * Webhooks (extension): the URLs a subscription registered, and one delivery per webhook per
 * ended operation, written in the transaction that ends it and retried until delivered or a
 * day has passed.
 */
import type { Kysely } from 'kysely';
import type { DialectTraits } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectTraits): Promise<void> {
  const big = dialect.bigintType;
  await db.schema
    .createTable('webhooks')
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    /** Sealed by SecretBox. */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('webhooks_pk', ['subscription_id', 'name'])
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('webhook_name', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('next_attempt_at', big)
    .addColumn('delivered_at', big)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', big)
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_by_webhook').on('webhook_deliveries').columns(['subscription_id', 'webhook_name', 'created_at']).execute();
}
