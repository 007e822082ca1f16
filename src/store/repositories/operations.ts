import { type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type {
  ItemKind,
  ItemStatus,
  OperationItem,
  OperationPayload,
  OperationRecord,
  OperationStatus,
  OperationType,
} from '../../domain/operation.js';
import { LANE_TYPES, purgeTouches, startable as decide, type EndpointQueue, type Lane, type LaneHead } from '../../domain/operation-order.js';
import type { HistoryQuery } from '../../domain/operation-history.js';
import type { DialectTraits } from '../dialect.js';
import { CompiledLookup } from '../compiled-lookup.js';
import { announceOperation, announceOperationChanges, announceOperations } from '../notifications.js';
import type { Database, OperationItemsTable, OperationsTable } from '../schema.js';

const byId = new CompiledLookup<Selectable<OperationsTable>>((db, id) => db.selectFrom('operations').selectAll().where('id', '=', id));

const UNFINISHED: OperationStatus[] = ['NotSet', 'Processing'];

/** Purges looked through for one that may overtake the preloads an older purge waits for. */
const SEARCH_LIMIT = 100;

function seqOf(queue: EndpointQueue, id: string): number {
  return [queue.change, queue.purge, queue.fetch].find((head) => head?.id === id)!.seq;
}

export class OperationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectTraits,
    /** Told each operation whose status or items a write changed (store.ts tells watchers after commit). */
    private readonly changed: (operationId: string) => void = () => undefined,
  ) {}

  /** Watchers here (at commit) and in other processes (NOTIFY, delivered at commit) hear of the change. */
  private async announceChange(operationIds: readonly string[]): Promise<void> {
    for (const id of operationIds) this.changed(id);
    await announceOperationChanges(this.db, this.dialect.name, operationIds);
  }

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
    // Workers in every process hear of it when (and if) the transaction commits.
    await announceOperation(this.db, this.dialect.name, operation.endpointId, operation.type);
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
    await this.announceChange([operationId]);
  }

  /** Gives every item of the operation the same final status (a purge ends all its URLs at once). */
  async settleItems(operationId: string, status: ItemStatus, message: string | null = null): Promise<void> {
    await this.db.updateTable('operation_items').set({ status, message }).where('operation_id', '=', operationId).execute();
    await this.announceChange([operationId]);
  }

  /**
   * Claims up to `limit` runnable operations for `owner` until `leaseUntil`, oldest first: of
   * each endpoint, the heads of its lanes that may start (domain/operation-order.ts) and whose
   * lease is free or lapsed (an operation left Processing by a crashed worker is claimed
   * again). Run inside a transaction.
   */
  async claim(owner: string, now: number, leaseUntil: number, limit: number): Promise<OperationRecord[]> {
    const startable: Array<{ id: string; seq: number }> = [];
    for (const [endpointId, queue] of await this.queues(now)) {
      const decision = decide(queue);
      for (const id of decision.ids) startable.push({ id, seq: seqOf(queue, id) });
      if (decision.searchPurgesBefore !== undefined) {
        const purge = await this.firstPurgeFreeOfPreloads(endpointId, decision.searchPurgesBefore, now);
        if (purge) startable.push(purge);
      }
    }
    const chosen = startable.sort((a, b) => a.seq - b.seq).slice(0, limit).map((op) => op.id);
    if (chosen.length === 0) return [];
    // Several workers may have chosen the same operations: each takes those it can lock.
    let locking = this.db
      .selectFrom('operations')
      .select('id')
      .where('id', 'in', chosen)
      .where('status', 'in', UNFINISHED)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]));
    if (this.dialect.skipLocked) locking = locking.forUpdate().skipLocked();
    const ids = (await locking.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    return this.lease(ids, owner, leaseUntil);
  }

  /**
   * Claims, with the purge `head`, the purges behind it that may run with it (up to `max`):
   * accepted before the endpoint's next setting change, free, and touching no preload accepted
   * before them that has not ended. The engine runs them as one. A purge left Processing under a
   * lapsed lease (its worker died) is claimed again. Run inside the transaction that claimed `head`.
   */
  async claimFollowing(head: OperationRecord, owner: string, now: number, leaseUntil: number, max: number): Promise<OperationRecord[]> {
    const headSeq = (await this.db.selectFrom('operations').select('seq').where('id', '=', head.id).executeTakeFirstOrThrow()).seq;
    const candidates = await this.purgesBefore(head.endpointId, headSeq, await this.nextChange(head.endpointId, headSeq), now, max);
    const run = (await this.clearOfPreloads(head.endpointId, candidates)).map((candidate) => candidate.id);
    return run.length === 0 ? [] : this.lease(run, owner, leaseUntil);
  }

  /** Every endpoint with unfinished operations: the heads of its lanes. */
  private async queues(now: number): Promise<Map<string, EndpointQueue>> {
    // Each lane's head per endpoint in one walk of the pending index: probing "is there an
    // earlier one?" per operation made a claim cost grow with the backlog.
    const laneSeq = (eb: ExpressionBuilder<Database, 'operations'>, lane: Lane) => {
      const test = lane === 'change' ? eb('type', 'not in', Object.values(LANE_TYPES)) : eb('type', '=', LANE_TYPES[lane]);
      return eb.fn.min(eb.case().when(test).then(eb.ref('seq')).else(null).end());
    };
    const heads = this.db
      .selectFrom('operations')
      .select((eb) => [
        'endpoint_id',
        laneSeq(eb, 'change').as('change'),
        laneSeq(eb, 'purge').as('purge'),
        laneSeq(eb, 'fetch').as('fetch'),
        eb.fn.max(eb.case().when(eb.and([eb('type', '=', LANE_TYPES.purge), eb('lease_until', '>=', now)])).then(1).else(0).end()).as('purge_running'),
      ])
      .where('status', 'in', UNFINISHED)
      .groupBy('endpoint_id');
    const rows = await this.db
      .selectFrom('operations as o')
      .innerJoin(heads.as('h'), 'h.endpoint_id', 'o.endpoint_id')
      .select(['o.id', 'o.seq', 'o.endpoint_id', 'o.lease_until', 'h.change', 'h.purge', 'h.fetch', 'h.purge_running'])
      .where((eb) => eb.or([eb('o.seq', '=', eb.ref('h.change')), eb('o.seq', '=', eb.ref('h.purge')), eb('o.seq', '=', eb.ref('h.fetch'))]))
      .execute();
    const queues = new Map<string, { change?: LaneHead; purge?: LaneHead; fetch?: LaneHead; purgeRunning: boolean }>();
    for (const row of rows) {
      const queue = queues.get(row.endpoint_id) ?? { purgeRunning: Number(row.purge_running) === 1 };
      const head: LaneHead = { id: row.id, seq: row.seq, free: row.lease_until === null || row.lease_until < now };
      if (row.seq === row.change) queue.change = head;
      else if (row.seq === row.purge) queue.purge = head;
      else queue.fetch = head;
      queues.set(row.endpoint_id, queue);
    }
    return queues;
  }

  /** The first free purge accepted before `beforeSeq` that touches no earlier unfinished preload. */
  private async firstPurgeFreeOfPreloads(endpointId: string, beforeSeq: number, now: number): Promise<{ id: string; seq: number } | undefined> {
    return (await this.clearOfPreloads(endpointId, await this.purgesBefore(endpointId, 0, beforeSeq, now, SEARCH_LIMIT)))[0];
  }

  /** Those of the purges that touch no unfinished preload of the endpoint accepted before them. */
  private async clearOfPreloads<T extends { id: string; seq: number }>(endpointId: string, purges: readonly T[]): Promise<T[]> {
    if (purges.length === 0) return [];
    const preloads = await this.pendingPreloads(endpointId);
    if (preloads.length === 0) return [...purges];
    const items = await this.db
      .selectFrom('operation_items')
      .select(['operation_id', 'kind', 'path'])
      .where('operation_id', 'in', purges.map((purge) => purge.id))
      .execute();
    return purges.filter((purge) => {
      const earlier = preloads.filter((preload) => preload.seq < purge.seq).map((preload) => preload.path);
      const own = items.filter((item) => item.operation_id === purge.id).map((item) => ({ kind: item.kind as ItemKind, path: item.path }));
      return !purgeTouches(own, earlier);
    });
  }

  /** Free unfinished purges of an endpoint with `afterSeq` < seq < `beforeSeq`, oldest first. */
  private async purgesBefore(endpointId: string, afterSeq: number, beforeSeq: number, now: number, limit: number): Promise<Array<{ id: string; seq: number }>> {
    return this.db
      .selectFrom('operations')
      .select(['id', 'seq'])
      .where('endpoint_id', '=', endpointId)
      .where('status', 'in', UNFINISHED)
      .where('type', '=', LANE_TYPES.purge)
      .where('seq', '>', afterSeq)
      .where('seq', '<', beforeSeq)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  /** The seq of the endpoint's first unfinished setting change after `seq`, or no bound. */
  private async nextChange(endpointId: string, seq: number): Promise<number> {
    const row = await this.db
      .selectFrom('operations')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .where('endpoint_id', '=', endpointId)
      .where('status', 'in', UNFINISHED)
      .where('type', 'not in', Object.values(LANE_TYPES))
      .where('seq', '>', seq)
      .executeTakeFirst();
    return row?.seq ?? Number.MAX_SAFE_INTEGER;
  }

  /** The item paths of the endpoint's unfinished preloads, with their operation's seq. */
  private async pendingPreloads(endpointId: string): Promise<Array<{ seq: number; path: string }>> {
    return this.db
      .selectFrom('operations as o')
      .innerJoin('operation_items as i', 'i.operation_id', 'o.id')
      .select(['o.seq', 'i.path'])
      .where('o.endpoint_id', '=', endpointId)
      .where('o.type', '=', LANE_TYPES.fetch)
      .where('o.status', 'in', UNFINISHED)
      .execute();
  }

  /** Sets the operations Processing under `owner`'s lease, one more attempt each. */
  private async lease(ids: readonly string[], owner: string, leaseUntil: number): Promise<OperationRecord[]> {
    await this.db
      .updateTable('operations')
      .set((eb) => ({ status: 'Processing', lease_owner: owner, lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .execute();
    await this.announceChange(ids);
    const rows = await this.db.selectFrom('operations').selectAll().where('id', 'in', ids).orderBy('seq').execute();
    return rows.map(toOperation);
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
    const ended = Number(result.numUpdatedRows) > 0;
    if (ended) await this.announceChange([id]);
    return ended;
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
    // Another process's workers may take them now rather than at their next poll.
    if (Number(result.numUpdatedRows) > 0) await announceOperations(this.db, this.dialect.name);
    return Number(result.numUpdatedRows);
  }

  /**
   * A page of history, newest first (by seq, the acceptance order), of one subscription or one
   * endpoint. Asks for one row more than the page to know whether another page follows.
   */
  async listHistory(scope: { subscriptionId: string; endpointId?: string }, query: HistoryQuery): Promise<{ operations: OperationRecord[]; lastSeq?: number }> {
    let select = this.db.selectFrom('operations').selectAll().where('subscription_id', '=', scope.subscriptionId);
    if (scope.endpointId !== undefined) select = select.where('endpoint_id', '=', scope.endpointId);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    if (query.startTime !== undefined) select = select.where('started_at', '>=', query.startTime);
    if (query.endTime !== undefined) select = select.where('started_at', '<=', query.endTime);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    const rows = await select.orderBy('seq', 'desc').limit(query.top + 1).execute();
    const page = rows.slice(0, query.top);
    return { operations: page.map(toOperation), ...(rows.length > query.top ? { lastSeq: page[page.length - 1]!.seq } : {}) };
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
    kind: row.kind as ItemKind,
    url: row.url,
    path: row.path,
    query: row.query,
    status: row.status as ItemStatus,
    message: row.message,
  };
}
