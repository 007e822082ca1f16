import { type Kysely, type Selectable } from 'kysely';
import type { ContentKind } from '../../domain/content-url.js';
import type {
  ItemStatus,
  OperationItem,
  OperationPayload,
  OperationRecord,
  OperationStatus,
  OperationType,
} from '../../domain/operation.js';
import type { DialectTraits } from '../dialect.js';
import { CompiledLookup } from '../compiled-lookup.js';
import type { Database, OperationItemsTable, OperationsTable } from '../schema.js';

const byId = new CompiledLookup<Selectable<OperationsTable>>((db, id) => db.selectFrom('operations').selectAll().where('id', '=', id));

const UNFINISHED: OperationStatus[] = ['NotSet', 'Processing'];

export class OperationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectTraits,
  ) {}

  async insert(operation: OperationRecord, items: readonly OperationItem[] = []): Promise<void> {
    await this.db
      .insertInto('operations')
      .values({
        id: operation.id,
        subscription_id: operation.subscriptionId,
        endpoint_id: operation.endpointId,
        type: operation.type,
        status: operation.status,
        message: operation.message,
        started_at: operation.startedAt,
        ended_at: operation.endedAt,
        payload: JSON.stringify(operation.payload),
        attempts: operation.attempts,
        lease_owner: null,
        lease_until: null,
      })
      .execute();
    // Chunked so a large request stays under SQLite's bound-parameter limit.
    for (let i = 0; i < items.length; i += 100) {
      await this.db
        .insertInto('operation_items')
        .values(
          items.slice(i, i + 100).map((item) => ({
            operation_id: item.operationId,
            position: item.position,
            kind: item.kind,
            url: item.url,
            path: item.path,
            query: item.query,
            status: item.status,
            message: item.message,
          })),
        )
        .execute();
    }
  }

  async get(id: string): Promise<OperationRecord | undefined> {
    const row = await byId.first(this.db, this.dialect.name, id);
    return row && toOperation(row);
  }

  async listItems(operationId: string): Promise<OperationItem[]> {
    const rows = await this.db
      .selectFrom('operation_items')
      .selectAll()
      .where('operation_id', '=', operationId)
      .orderBy('position')
      .execute();
    return rows.map(toItem);
  }

  async setItemStatus(operationId: string, positions: readonly number[], status: ItemStatus, message: string | null = null): Promise<void> {
    if (positions.length === 0) return;
    await this.db
      .updateTable('operation_items')
      .set({ status, message })
      .where('operation_id', '=', operationId)
      .where('position', 'in', positions)
      .execute();
  }

  /** Gives every item of the operation the same final status (a purge ends all its URLs at once). */
  async settleItems(operationId: string, status: ItemStatus, message: string | null = null): Promise<void> {
    await this.db.updateTable('operation_items').set({ status, message }).where('operation_id', '=', operationId).execute();
  }

  /**
   * Claims up to `limit` runnable operations for `owner` until `leaseUntil`: the oldest
   * unfinished operation of each endpoint whose lease is free or lapsed (an operation left
   * Processing by a crashed worker is claimed again). Run inside a transaction.
   */
  async claim(owner: string, now: number, leaseUntil: number, limit: number): Promise<OperationRecord[]> {
    // Each endpoint's head (its oldest unfinished operation) in one walk of the pending index:
    // probing "is there an earlier one?" per operation made a claim cost grow with the backlog.
    const heads = this.db
      .selectFrom('operations')
      .select((eb) => ['endpoint_id', eb.fn.min('seq').as('head')])
      .where('status', 'in', UNFINISHED)
      .groupBy('endpoint_id');
    let query = this.db
      .selectFrom('operations as o')
      .innerJoin(heads.as('h'), (join) => join.onRef('o.seq', '=', 'h.head'))
      .select('o.id')
      .where((eb) => eb.or([eb('o.lease_until', 'is', null), eb('o.lease_until', '<', now)]))
      .orderBy('o.seq')
      .limit(limit);
    if (this.dialect.skipLocked) query = query.forUpdate(['o']).skipLocked();
    const ids = (await query.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    await this.db
      .updateTable('operations')
      .set((eb) => ({
        status: 'Processing',
        lease_owner: owner,
        lease_until: leaseUntil,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', 'in', ids)
      .execute();
    const rows = await this.db.selectFrom('operations').selectAll().where('id', 'in', ids).orderBy('seq').execute();
    return rows.map(toOperation);
  }

  /**
   * Claims, with `head`, the operations of the same type that directly follow it on its
   * endpoint (up to `max`, stopping at the first of another type), so the engine can run them as
   * one. A follower left Processing under a lapsed lease (its worker died) is claimed again.
   * Run inside the transaction that claimed `head`.
   */
  async claimFollowing(head: OperationRecord, owner: string, now: number, leaseUntil: number, max: number): Promise<OperationRecord[]> {
    const rows = await this.db
      .selectFrom('operations')
      .selectAll()
      .where('endpoint_id', '=', head.endpointId)
      .where('status', 'in', UNFINISHED)
      .where('seq', '>', (eb) => eb.selectFrom('operations').select('seq').where('id', '=', head.id))
      .orderBy('seq')
      .limit(max)
      .execute();
    const run: string[] = [];
    for (const row of rows) {
      const leased = row.lease_until !== null && row.lease_until >= now;
      if (row.type !== head.type || leased) break;
      run.push(row.id);
    }
    if (run.length === 0) return [];
    await this.db
      .updateTable('operations')
      .set((eb) => ({ status: 'Processing', lease_owner: owner, lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', run)
      .execute();
    const claimed = await this.db.selectFrom('operations').selectAll().where('id', 'in', run).orderBy('seq').execute();
    return claimed.map(toOperation);
  }

  /** Extends the lease; false when `owner` no longer holds it. */
  async renewLease(id: string, owner: string, leaseUntil: number): Promise<boolean> {
    const result = await this.db
      .updateTable('operations')
      .set({ lease_until: leaseUntil })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'Processing')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Ends an operation `owner` holds; false (and nothing written) when it lost the lease. */
  async finish(id: string, owner: string, status: 'Succeeded' | 'Failed', message: string | null, endedAt: number): Promise<boolean> {
    const result = await this.db
      .updateTable('operations')
      .set({ status, message, ended_at: endedAt, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'Processing')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Gives the operation up until `retryAt`, when any worker may claim it again. */
  async retryLater(id: string, owner: string, retryAt: number): Promise<void> {
    await this.db
      .updateTable('operations')
      .set({ lease_owner: null, lease_until: retryAt })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'Processing')
      .execute();
  }

  /**
   * Frees the leases of unfinished operations (of one owner, or all), so they are claimed at
   * once instead of after the lease lapses: on a clean stop, and at the start of the embedded
   * shape, whose one process is the only worker.
   */
  async releaseLeases(owner?: string): Promise<number> {
    let query = this.db.updateTable('operations').set({ lease_owner: null, lease_until: null }).where('status', 'in', UNFINISHED);
    if (owner !== undefined) query = query.where('lease_owner', '=', owner);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async countUnfinished(): Promise<number> {
    const row = await this.db
      .selectFrom('operations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', UNFINISHED)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toOperation(row: Selectable<OperationsTable>): OperationRecord {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    endpointId: row.endpoint_id,
    type: row.type as OperationType,
    status: row.status as OperationStatus,
    message: row.message,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    payload: JSON.parse(row.payload) as OperationPayload,
    attempts: row.attempts,
  };
}

function toItem(row: OperationItemsTable): OperationItem {
  return {
    operationId: row.operation_id,
    position: row.position,
    kind: row.kind as ContentKind,
    url: row.url,
    path: row.path,
    query: row.query,
    status: row.status as ItemStatus,
    message: row.message,
  };
}
