/**
 * Idempotency keys (extension): the first request with a key claims it; its answer is kept for
 * a day and given again to the same request with the same key. See domain/idempotency.ts.
 */
import type { Kysely } from 'kysely';
import type { IdempotencyClaim, StoredAnswer } from '../../domain/idempotency.js';
import type { Database } from '../schema.js';

export class IdempotencyKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Claims the key for a request with this fingerprint until `lockedUntil`, or says why not: the
   * key answered already (the answer), is held by a request still running, or was used with
   * another request. A row older than `expiredBefore`, or a claim that lapsed (its process died
   * before answering), is taken over. One insert decides between concurrent requests, on both stores.
   */
  async claim(subscriptionId: string, key: string, fingerprint: string, now: number, lockedUntil: number, expiredBefore: number): Promise<IdempotencyClaim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({ subscription_id: subscriptionId, key, fingerprint, created_at: now, locked_until: lockedUntil, status: null, headers: null, body: null })
        .onConflict((oc) => oc.columns(['subscription_id', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { kind: 'claimed' };
      const row = await this.db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!row) continue; // deleted meanwhile: insert again
      const lapsed = row.status === null && row.locked_until !== null && row.locked_until < now;
      if (row.created_at < expiredBefore || lapsed) {
        // Only the row as read: of two requests taking it over, one deletes it, and one insert wins.
        await this.db
          .deleteFrom('idempotency_keys')
          .where('subscription_id', '=', subscriptionId)
          .where('key', '=', key)
          .where('created_at', '=', row.created_at)
          .where('fingerprint', '=', row.fingerprint)
          .execute();
        continue;
      }
      if (row.fingerprint !== fingerprint) return { kind: 'otherRequest' };
      if (row.status === null) return { kind: 'inFlight' };
      return { kind: 'answered', answer: { status: row.status, headers: JSON.parse(row.headers ?? '{}') as Record<string, string>, body: row.body ?? '' } };
    }
    return { kind: 'inFlight' };
  }

  /** Keeps the answer of the request that claimed the key. */
  async answer(subscriptionId: string, key: string, fingerprint: string, answer: StoredAnswer): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status: answer.status, headers: JSON.stringify(answer.headers), body: answer.body, locked_until: null })
      .where('subscription_id', '=', subscriptionId)
      .where('key', '=', key)
      .where('fingerprint', '=', fingerprint)
      .where('status', 'is', null)
      .execute();
  }

  /** Gives the key up (the request failed: a retry runs it again). */
  async release(subscriptionId: string, key: string, fingerprint: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('subscription_id', '=', subscriptionId)
      .where('key', '=', key)
      .where('fingerprint', '=', fingerprint)
      .where('status', 'is', null)
      .execute();
  }

  /** Deletes the keys created before `before`; returns how many. */
  async deleteOlderThan(before: number): Promise<number> {
    const result = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
