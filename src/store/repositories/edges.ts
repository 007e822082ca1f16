/**
 * The fleet of the scaled shape as the control plane last heard it: one row per edge, written
 * by the workers that answer its heartbeats, and each operation's outcome per edge.
 *
 * Leases are timed by the database's clock, the one clock every worker shares: an edge is live
 * while `lease_until` (the database's time when its heartbeat was recorded, plus the lease) is
 * ahead of the database's time now. The edge itself stops serving from cache a lease after it
 * sent that heartbeat, which is no later (fleet/nats/edge-link.ts).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DialectName } from '../dialect.js';
import { announceOperationChanges } from '../notifications.js';
import type { Database } from '../schema.js';

export type EdgeState = 'serving' | 'syncing' | 'fenced';
export type EdgeOutcomeStatus = 'Succeeded' | 'Failed' | 'Fenced';

export interface EdgeHeartbeat {
  readonly id: string;
  readonly address: string;
  readonly state: EdgeState;
  readonly appliedSeq: number;
  readonly logSeq: number;
  /** What it says it can do (fleet/nats/protocol.ts EDGE_FEATURES); none from an older edge. */
  readonly features: readonly string[];
}

/** An edge whose lease runs now, with what it said it can do. */
export interface LiveEdge {
  readonly id: string;
  readonly features: readonly string[];
}

export interface EdgeRecord extends EdgeHeartbeat {
  readonly firstSeen: number;
  readonly lastHeartbeat: number;
  readonly leaseUntil: number;
}

export interface EdgeOutcomeRecord {
  readonly edgeId: string;
  readonly status: EdgeOutcomeStatus;
  readonly message: string | null;
}

export class EdgeRepository {
  private readonly now: RawBuilder<number>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    /** Told each operation whose edges a write changed (store.ts tells watchers after commit). */
    private readonly changed: (operationId: string) => void = () => undefined,
  ) {
    this.now =
      dialect === 'postgres'
        ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
        : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
  }

  /** Records a heartbeat and grants the edge a lease of `leaseMs` from now (the database's clock). */
  async heartbeat(beat: EdgeHeartbeat, leaseMs: number): Promise<void> {
    const leaseUntil = sql<number>`${this.now} + ${leaseMs}`;
    // Written at every heartbeat, none included: an edge downgraded in place stops counting as able.
    const features = beat.features.length > 0 ? beat.features.join(' ') : null;
    const values = { address: beat.address, state: beat.state, applied_seq: beat.appliedSeq, log_seq: beat.logSeq, features, last_heartbeat: this.now, lease_until: leaseUntil };
    await this.db
      .insertInto('edges')
      .values({ id: beat.id, first_seen: this.now, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  /** The edges whose lease runs now: those that must apply a change before it is done. */
  async live(): Promise<LiveEdge[]> {
    const rows = await this.db.selectFrom('edges').select(['id', 'features']).where('lease_until', '>', this.now).orderBy('id').execute();
    return rows.map((row) => ({ id: row.id, features: featureList(row.features) }));
  }

  /** Every edge ever heard, with the database's time now (to tell age and whether the lease runs). */
  async list(): Promise<{ now: number; edges: EdgeRecord[] }> {
    const rows = await this.db.selectFrom('edges').selectAll().select(this.now.as('now')).orderBy('id').execute();
    const now = rows[0]?.now ?? (await sql<{ now: number }>`select ${this.now} as now`.execute(this.db)).rows[0]!.now;
    return {
      now: Number(now),
      edges: rows.map((row) => ({
        id: row.id,
        address: row.address,
        state: row.state as EdgeState,
        appliedSeq: row.applied_seq,
        logSeq: row.log_seq,
        features: featureList(row.features),
        firstSeen: row.first_seen,
        lastHeartbeat: row.last_heartbeat,
        leaseUntil: row.lease_until,
      })),
    };
  }

  /** Forgets an edge taken out of service (it registers again if it comes back). */
  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('edges').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Sets one edge's outcome of these operations (a group of purges done in one call) while they
   * run, and announces it like a status change: event streams in every process show it at once.
   */
  async recordProgress(operationIds: readonly string[], outcome: EdgeOutcomeRecord): Promise<void> {
    if (operationIds.length === 0) return;
    const values = { status: outcome.status, message: outcome.message };
    await this.db
      .insertInto('operation_edges')
      .values(operationIds.map((id) => ({ operation_id: id, edge_id: outcome.edgeId, ...values })))
      .onConflict((oc) => oc.columns(['operation_id', 'edge_id']).doUpdateSet(values))
      .execute();
    for (const id of operationIds) this.changed(id);
    await announceOperationChanges(this.db, this.dialect, operationIds);
  }

  /** Sets each edge's outcome of an operation (replacing an earlier run's and its progress). */
  async recordOutcomes(operationId: string, outcomes: readonly EdgeOutcomeRecord[]): Promise<void> {
    await this.db.deleteFrom('operation_edges').where('operation_id', '=', operationId).execute();
    if (outcomes.length === 0) return;
    await this.db
      .insertInto('operation_edges')
      .values(outcomes.map((o) => ({ operation_id: operationId, edge_id: o.edgeId, status: o.status, message: o.message })))
      // A progress row written since the delete (a run this one took over) is replaced, not a key error.
      .onConflict((oc) => oc.columns(['operation_id', 'edge_id']).doUpdateSet((eb) => ({ status: eb.ref('excluded.status'), message: eb.ref('excluded.message') })))
      .execute();
  }

  async outcomesOf(operationId: string): Promise<EdgeOutcomeRecord[]> {
    const rows = await this.db.selectFrom('operation_edges').selectAll().where('operation_id', '=', operationId).orderBy('edge_id').execute();
    return rows.map((row) => ({ edgeId: row.edge_id, status: row.status as EdgeOutcomeStatus, message: row.message }));
  }
}

function featureList(column: string | null): string[] {
  return column === null ? [] : column.split(' ');
}
