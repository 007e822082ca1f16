import type { Kysely } from 'kysely';
import type { Database, SubscriptionsTable } from '../schema.js';
import type { DialectName } from '../dialect.js';
import { announceCredentials } from '../notifications.js';
import type { CredentialWrites } from '../store.js';

export interface Subscription {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

export class SubscriptionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly writes: CredentialWrites,
  ) {}

  async insert(subscription: Subscription): Promise<void> {
    this.writes.count++;
    await this.db
      .insertInto('subscriptions')
      .values({ id: subscription.id, name: subscription.name, created_at: subscription.createdAt })
      .execute();
    await announceCredentials(this.db, this.dialect);
  }

  async get(id: string): Promise<Subscription | undefined> {
    const row = await this.db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSubscription(row);
  }

  async list(): Promise<Subscription[]> {
    const rows = await this.db.selectFrom('subscriptions').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toSubscription);
  }
}

function toSubscription(row: SubscriptionsTable): Subscription {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
