/**
 * The credentials a server starts with: those named by MOONCDN_SUBSCRIPTION_ID, _KEY_ID and
 * _KEY_VALUE (created or reset to that value), or on a first start with none, a development
 * subscription and key that are printed once.
 */
import { randomUUID } from 'node:crypto';
import { newKeyValue } from '../domain/api-key.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';

export interface BootstrapResult {
  readonly subscriptionId: string;
  readonly keyId: string;
  /** Set only when a development key was created now: it is shown once. */
  readonly newKeyValue: string | undefined;
}

export async function bootstrapCredentials(
  store: Store,
  clock: Clock,
  given: { subscriptionId: string; keyId: string; keyValue: string } | undefined,
): Promise<BootstrapResult | undefined> {
  const now = clock.now();
  if (given) {
    await store.transaction(async (tx) => {
      if (!(await tx.subscriptions.get(given.subscriptionId))) {
        await tx.subscriptions.insert({ id: given.subscriptionId, name: 'bootstrap', createdAt: now });
      }
      const existing = await tx.apiKeys.get(given.keyId);
      if (existing && existing.subscriptionId !== given.subscriptionId) {
        throw new Error(`MOONCDN_KEY_ID "${given.keyId}" already belongs to subscription ${existing.subscriptionId}, not ${given.subscriptionId}.`);
      }
      if (existing) await tx.apiKeys.resetValue(given.keyId, given.keyValue);
      else {
        await tx.apiKeys.insert({
          id: given.keyId,
          subscriptionId: given.subscriptionId,
          value: given.keyValue,
          scope: 'full',
          expiresAt: null,
          ratePerMinute: null,
          revokedAt: null,
          createdAt: now,
        });
      }
    });
    return { subscriptionId: given.subscriptionId, keyId: given.keyId, newKeyValue: undefined };
  }

  return store.transaction(async (tx) => {
    if ((await tx.subscriptions.list()).length > 0) return undefined;
    const subscriptionId = randomUUID();
    const keyId = randomUUID();
    const value = newKeyValue();
    await tx.subscriptions.insert({ id: subscriptionId, name: 'development', createdAt: now });
    await tx.apiKeys.insert({
      id: keyId,
      subscriptionId,
      value,
      scope: 'full',
      expiresAt: null,
      ratePerMinute: null,
      revokedAt: null,
      createdAt: now,
    });
    return { subscriptionId, keyId, newKeyValue: value };
  });
}
