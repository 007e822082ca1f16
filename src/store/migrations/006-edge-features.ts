/**
 * What each edge says it can do (fleet/nats/protocol.ts, EDGE_FEATURES), from its heartbeats:
 * workers read it with the leases, so a purge an edge cannot carry out fails naming that edge
 * instead of counting its ACK. Null for edges older than features (and rows written before).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('edges').addColumn('features', 'text').execute();
}
