/**
 * The fleet of the scaled shape: each edge's last heartbeat and the lease it was granted, each
 * operation's outcome per edge, and the traffic reports already written (so a report delivered
 * twice by NATS is counted once).
 */
import type { Kysely } from 'kysely';
import type { DialectTraits } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectTraits): Promise<void> {
  const big = dialect.bigintType;
  await db.schema
    .createTable('edges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('applied_seq', big, (c) => c.notNull())
    .addColumn('log_seq', big, (c) => c.notNull())
    .addColumn('first_seen', big, (c) => c.notNull())
    .addColumn('last_heartbeat', big, (c) => c.notNull())
    .addColumn('lease_until', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('operation_edges')
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('edge_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addPrimaryKeyConstraint('operation_edges_pk', ['operation_id', 'edge_id'])
    .execute();

  await db.schema
    .createTable('traffic_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('traffic_reports_by_time').on('traffic_reports').column('received_at').execute();
}
