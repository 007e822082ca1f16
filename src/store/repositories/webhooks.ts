/** Webhooks and their deliveries (extension; domain/webhook.ts). */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../domain/secret-box.js';
import type { DeliveryStatus, Webhook, WebhookDelivery } from '../../domain/webhook.js';
import type { DialectTraits } from '../dialect.js';
import type { Database, WebhookDeliveriesTable } from '../schema.js';

/** A delivery due, with where it goes. */
export interface DueDelivery {
  readonly delivery: WebhookDelivery;
  /** Undefined when the webhook was removed since. */
  readonly webhook: Webhook | undefined;
}

export class WebhookRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectTraits,
    private readonly secrets: SecretBox,
  ) {}

  /** Registers the webhook, or changes its URL and secret. */
  async put(webhook: Webhook): Promise<void> {
    await this.db
      .insertInto('webhooks')
      .values({ subscription_id: webhook.subscriptionId, name: webhook.name, url: webhook.url, secret: this.secrets.seal(webhook.secret), created_at: webhook.createdAt })
      .onConflict((oc) => oc.columns(['subscription_id', 'name']).doUpdateSet({ url: webhook.url, secret: this.secrets.seal(webhook.secret) }))
      .execute();
  }

  async get(subscriptionId: string, name: string): Promise<Webhook | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('subscription_id', '=', subscriptionId).where('name', '=', name).executeTakeFirst();
    return row && { subscriptionId: row.subscription_id, name: row.name, url: row.url, secret: this.secrets.open(row.secret), createdAt: row.created_at };
  }

  async list(subscriptionId: string): Promise<Webhook[]> {
    const rows = await this.db.selectFrom('webhooks').selectAll().where('subscription_id', '=', subscriptionId).orderBy('name').execute();
    return rows.map((row) => ({ subscriptionId: row.subscription_id, name: row.name, url: row.url, secret: this.secrets.open(row.secret), createdAt: row.created_at }));
  }

  /** False when there was none. Its deliveries stay readable; those pending fail at their next attempt. */
  async delete(subscriptionId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('subscription_id', '=', subscriptionId).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * One delivery of `body` per webhook of the subscription, due now. Run in the transaction
   * that ends the operation: the deliveries exist if and only if the end does.
   */
  async enqueue(subscriptionId: string, operationId: string, body: string, now: number): Promise<number> {
    const hooks = await this.db.selectFrom('webhooks').select('name').where('subscription_id', '=', subscriptionId).execute();
    if (hooks.length === 0) return 0;
    await this.db
      .insertInto('webhook_deliveries')
      .values(
        hooks.map((hook) => ({
          id: randomUUID(),
          subscription_id: subscriptionId,
          webhook_name: hook.name,
          operation_id: operationId,
          body,
          status: 'Pending',
          attempts: 0,
          created_at: now,
          next_attempt_at: now,
          delivered_at: null,
          last_status_code: null,
          last_error: null,
          lease_owner: null,
          lease_until: null,
        })),
      )
      .execute();
    return hooks.length;
  }

  /** Takes up to `limit` pending deliveries that are due and free, until `leaseUntil`. Run in a transaction. */
  async claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<DueDelivery[]> {
    let due = this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'Pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit);
    if (this.dialect.skipLocked) due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((row) => row.id);
    if (ids.length === 0) return [];
    await this.db.updateTable('webhook_deliveries').set({ lease_owner: owner, lease_until: leaseUntil }).where('id', 'in', ids).execute();
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', 'in', ids).execute();
    return Promise.all(rows.map(async (row) => ({ delivery: toDelivery(row), webhook: await this.get(row.subscription_id, row.webhook_name) })));
  }

  /** The earliest time a pending delivery may be claimed (due, and its lease, if any, lapsed), if any. */
  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) =>
        eb.fn
          .min(eb.case().when(eb.and([eb('lease_until', 'is not', null), eb('lease_until', '>=', eb.ref('next_attempt_at'))])).then(eb('lease_until', '+', 1)).else(eb.ref('next_attempt_at')).end())
          .as('at'),
      )
      .where('status', '=', 'Pending')
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** Records an attempt `owner` made: Delivered, Pending again until `nextAt`, or Failed for good. */
  async recordAttempt(
    id: string,
    owner: string,
    outcome: { status: DeliveryStatus; statusCode: number | null; error: string | null; at: number; nextAt: number | null },
  ): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: outcome.status,
        attempts: eb('attempts', '+', 1),
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        delivered_at: outcome.status === 'Delivered' ? outcome.at : null,
        next_attempt_at: outcome.nextAt,
        lease_owner: null,
        lease_until: null,
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** A webhook's deliveries, newest first. */
  async listDeliveries(subscriptionId: string, name: string, limit = 100): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .where('webhook_name', '=', name)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    webhookName: row.webhook_name,
    operationId: row.operation_id,
    body: row.body,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
  };
}
