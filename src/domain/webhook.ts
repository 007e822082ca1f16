/**
 * Webhooks (extension): a subscription registers URLs with a secret; when one of its operations
 * ends, mooncdn POSTs the Operation to each, signed Stripe-style, and retries with backoff for a
 * day. Pure rules: registration checks and the retry schedule (the signature is in
 * signing/webhook-signature.ts, shared with receivers).
 */
import { Errors } from '../contract/errors.js';

/** How long a delivery is retried before it is given up as Failed. */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60_000;

/** The longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = 60 * 60_000;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const MIN_SECRET = 16;
const MAX_SECRET = 256;

export interface WebhookRegistration {
  readonly url: string;
  readonly secret: string;
}

export interface Webhook extends WebhookRegistration {
  readonly subscriptionId: string;
  readonly name: string;
  readonly createdAt: number;
}

export type DeliveryStatus = 'Pending' | 'Delivered' | 'Failed';

export interface WebhookDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly webhookName: string;
  readonly operationId: string;
  /** The JSON body sent on every attempt: the Operation as it ended. */
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAttemptAt: number | null;
  readonly deliveredAt: number | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
}

export function checkWebhookName(name: string): string {
  if (!NAME.test(name)) throw Errors.parameterInvalid(`Webhook name "${name.slice(0, 70)}" must be 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit.`);
  return name;
}

export function parseWebhookRegistration(input: { Url: string; Secret: string }): WebhookRegistration {
  let url: URL;
  try {
    url = new URL(input.Url);
  } catch {
    throw Errors.parameterInvalid(`Url "${input.Url.slice(0, 200)}" is not an absolute URL; write it as https://host/path.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw Errors.parameterInvalid(`Url must use http or https, not ${url.protocol.slice(0, -1)}.`);
  if (url.username || url.password) throw Errors.parameterInvalid('Url must not contain user information; authenticate deliveries with the Mooncdn-Signature header.');
  if (input.Url.length > 2048) throw Errors.parameterInvalid('Url is longer than 2048 characters.');
  if (input.Secret.length < MIN_SECRET || input.Secret.length > MAX_SECRET || !/^[\x21-\x7e]+$/.test(input.Secret)) {
    throw Errors.parameterInvalid(`Secret must be ${MIN_SECRET} to ${MAX_SECRET} printable ASCII characters without spaces (e.g. 32 random hex digits).`);
  }
  return { url: url.toString(), secret: input.Secret };
}

/**
 * When to try again after `attempts` failed attempts: `baseMs` doubled each time, at most an
 * hour; undefined once that would fall after the delivery window (the delivery has failed).
 */
export function nextAttemptAt(createdAt: number, now: number, attempts: number, baseMs: number): number | undefined {
  const next = now + Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  return next > createdAt + DELIVERY_WINDOW_MS ? undefined : next;
}
