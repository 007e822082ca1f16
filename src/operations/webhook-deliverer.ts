/**
 * Delivers webhooks (extension; domain/webhook.ts): claims due deliveries under a lease, POSTs
 * each to its webhook's URL with the Mooncdn-Signature header, and records the attempt:
 * Delivered on a 2xx answer, else Pending again after a backoff, or Failed once a day has
 * passed. Deliveries are written in the transaction that ends their operation (engine.ts
 * recordEnd), so a crash loses none: a lease that lapses lets any process's deliverer try again
 * (a receiver may therefore see a delivery twice, and should key on the operation id).
 *
 * Webhook URLs are given by tenants, so connections go through the same address policy as the
 * edge's origins (--edge-origin-deny, checked on resolved addresses at connect time).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import type { Clock } from '../domain/clock.js';
import { nextAttemptAt } from '../domain/webhook.js';
import { WEBHOOK_SIGNATURE_HEADER, webhookSignatureHeader } from '../signing/webhook-signature.js';
import { guardedConnector, OriginAddressDenied } from '../edge/origin-connector.js';
import { OriginAddressPolicy, type DeniedRange } from '../edge/policy/origin-address.js';
import type { Store } from '../store/store.js';
import type { DueDelivery } from '../store/repositories/webhooks.js';

export interface DelivererOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly originDeny: readonly DeniedRange[];
  /** First retry delay, doubled each attempt up to an hour (default 1 s). */
  readonly baseDelayMs?: number;
  /** How long one attempt may take (default 10 s). */
  readonly timeoutMs?: number;
  /** The longest sleep between looks at the store (other processes' deliveries; default 5 s). */
  readonly pollMs?: number;
}

/** Deliveries attempted at once. */
const BATCH = 16;
/** Bodies of answers are not read beyond this. */
const MAX_ERROR_TEXT = 200;

export class WebhookDeliverer {
  private readonly owner = `deliverer-${randomUUID()}`;
  private readonly agent: Agent;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: DelivererOptions) {
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pollMs = options.pollMs ?? 5_000;
    const policy = new OriginAddressPolicy(options.originDeny);
    this.agent = new Agent({ connect: guardedConnector(policy, { timeout: this.timeoutMs }), headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
  }

  start(): void {
    this.stopped = false;
    this.notify();
  }

  /** Deliveries may be due now (an operation ended here). */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.notify();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.agent.close();
  }

  /** Delivers what is due, then sleeps until the next is due (or the poll). */
  private async round(): Promise<void> {
    const { store, clock, log } = this.options;
    try {
      let next = await store.webhooks.nextDue();
      // A read first: most rounds (an operation ended, no webhook) find nothing, and take no write lock.
      while (next !== undefined && next <= clock.now()) {
        const now = clock.now();
        const due = await store.transaction((tx) => tx.webhooks.claimDue(this.owner, now, now + this.timeoutMs * 2, BATCH));
        if (due.length === 0) break;
        await Promise.all(due.map((item) => this.attempt(item)));
        if (this.stopped) return;
        next = await store.webhooks.nextDue();
      }
      next = await store.webhooks.nextDue();
      const wait = next === undefined ? this.pollMs : Math.max(0, Math.min(this.pollMs, next - clock.now()));
      if (!this.stopped) this.timer = setTimeout(() => this.notify(), wait + 5).unref();
    } catch (error) {
      log.error({ err: error }, 'webhook delivery round failed; trying again later');
      if (!this.stopped) this.timer = setTimeout(() => this.notify(), this.pollMs).unref();
    }
  }

  private async attempt({ delivery, webhook }: DueDelivery): Promise<void> {
    const { store, clock, log } = this.options;
    let statusCode: number | null = null;
    let error: string | null = null;
    if (!webhook) {
      error = 'The webhook was removed.';
    } else {
      try {
        const t = Math.floor(clock.now() / 1000);
        const response = await request(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: webhookSignatureHeader(webhook.secret, t, delivery.body), 'user-agent': 'mooncdn-webhooks' },
          body: delivery.body,
          dispatcher: this.agent,
        });
        statusCode = response.statusCode;
        const text = await response.body.text();
        if (statusCode < 200 || statusCode >= 300) error = `The receiver answered ${statusCode}${text ? `: ${text.slice(0, MAX_ERROR_TEXT)}` : ''}`;
      } catch (cause) {
        const e = cause as { code?: string; message?: string };
        error = `The receiver could not be reached: ${cause instanceof OriginAddressDenied ? cause.message : (e.code ?? e.message ?? String(cause))}`;
      }
    }
    const at = clock.now();
    const delivered = error === null;
    const next = delivered || !webhook ? undefined : nextAttemptAt(delivery.createdAt, at, delivery.attempts + 1, this.baseDelayMs);
    const status = delivered ? 'Delivered' : next === undefined ? 'Failed' : 'Pending';
    if (!delivered) log.warn({ deliveryId: delivery.id, operationId: delivery.operationId, webhook: delivery.webhookName, error, status }, 'webhook delivery attempt failed');
    await store.webhooks.recordAttempt(delivery.id, this.owner, { status, statusCode, error, at, nextAt: next ?? null }).catch((cause: unknown) =>
      log.error({ err: cause, deliveryId: delivery.id }, 'recording a webhook delivery attempt failed'),
    );
  }
}
