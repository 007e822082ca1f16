import type { Kysely } from 'kysely';
import type { QuotaKind } from '../../domain/quota.js';
import type { Database } from '../schema.js';

export class QuotaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async used(subscriptionId: string, day: string, kind: QuotaKind): Promise<number> {
    const row = await this.db
      .selectFrom('quota_usage')
      .select('used')
      .where('subscription_id', '=', subscriptionId)
      .where('day', '=', day)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row?.used ?? 0;
  }

  /**
   * Adds `amount` to the day's count and returns the new total. Run in the transaction that
   * accepts the request and check the total after adding: the row lock the upsert takes makes
   * concurrent requests count one after another, and a refusal rolls the addition back.
   */
  async add(subscriptionId: string, day: string, kind: QuotaKind, amount: number): Promise<number> {
    const row = await this.db
      .insertInto('quota_usage')
      .values({ subscription_id: subscriptionId, day, kind, used: amount })
      .onConflict((oc) =>
        oc.columns(['subscription_id', 'day', 'kind']).doUpdateSet((eb) => ({ used: eb('quota_usage.used', '+', amount) })),
      )
      .returning('used')
      .executeTakeFirstOrThrow();
    return Number(row.used);
  }
}
