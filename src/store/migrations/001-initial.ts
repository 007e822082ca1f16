/** The first schema. Migrations are code and run at start; never edit one that has shipped. */
import { sql, type Kysely } from 'kysely';
import type { DialectTraits } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectTraits): Promise<void> {
  const big = dialect.bigintType;

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('expires_at', big)
    .addColumn('rate_per_minute', 'integer')
    .addColumn('revoked_at', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_subscription').on('api_keys').column('subscription_id').execute();

  await db.schema
    .createTable('endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('custom_domain', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('icp', 'text', (c) => c.notNull())
    .addColumn('origin_addresses', 'text', (c) => c.notNull())
    .addColumn('service_type', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('lifetime_status', 'text', (c) => c.notNull())
    .addColumn('time_last_updated', big, (c) => c.notNull())
    .addColumn('cache_policy', 'text', (c) => c.notNull())
    .addColumn('access_control', 'text', (c) => c.notNull())
    .addColumn('certificate_id', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('deleted_at', big)
    .execute();
  await db.schema.createIndex('endpoints_subscription').on('endpoints').column('subscription_id').execute();
  // One live endpoint per domain; a deleted endpoint frees its domain.
  await db.schema
    .createIndex('endpoints_live_domain')
    .on('endpoints')
    .column('custom_domain')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('operations')
    .addColumn('seq', dialect.serialType, (c) => (dialect.name === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('started_at', big, (c) => c.notNull())
    .addColumn('ended_at', big)
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', big)
    .execute();
  // The worker's claim looks only at unfinished operations, in order per endpoint.
  await db.schema
    .createIndex('operations_pending')
    .on('operations')
    .columns(['endpoint_id', 'seq'])
    .where(sql.ref('status'), 'in', sql`('NotSet', 'Processing')`)
    .execute();

  await db.schema
    .createTable('operation_items')
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addPrimaryKeyConstraint('operation_items_pk', ['operation_id', 'position'])
    .execute();

  await db.schema
    .createTable('certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('thumbprint', 'text', (c) => c.notNull())
    .addColumn('dns_names', 'text', (c) => c.notNull())
    .addColumn('not_before', big, (c) => c.notNull())
    .addColumn('not_after', big, (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('certificates_subscription').on('certificates').column('subscription_id').execute();

  await db.schema
    .createTable('traffic')
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('bucket_start', big, (c) => c.notNull())
    .addColumn('cdn_bytes', big, (c) => c.notNull())
    .addColumn('origin_bytes', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('traffic_pk', ['endpoint_id', 'bucket_start'])
    .execute();

  await db.schema
    .createTable('quota_usage')
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('quota_usage_pk', ['subscription_id', 'day', 'kind'])
    .execute();
}
