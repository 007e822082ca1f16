/**
 * After the signature: the subscription in the path must exist (checked only now, so an
 * unsigned caller learns nothing), the key must belong to it, its scope must allow the route,
 * and it must be within its rate.
 */
import { Errors } from '../../contract/errors.js';
import { scopeAllows, type ApiKey, type Permission } from '../../domain/api-key.js';
import type { RateLimiter } from '../../domain/rate-limiter.js';
import { Uuid } from '../../contract/schemas/common.js';

const SUBSCRIPTION_ID = new RegExp(Uuid.pattern!);

const ACTIONS: Record<Permission, string> = {
  read: 'reading',
  content: 'purging or preloading content',
  manage: 'changing settings',
};

export async function checkAccess(
  key: ApiKey,
  subscriptionId: string,
  permission: Permission,
  subscriptionExists: (id: string) => Promise<boolean>,
  rateLimiter: RateLimiter,
  now: number,
): Promise<void> {
  // Subscription ids are UUIDs: anything else cannot exist, and is not looked up (PostgreSQL
  // cannot even take text with a NUL, which "%00" in the path gives).
  if (!SUBSCRIPTION_ID.test(subscriptionId) || !(await subscriptionExists(subscriptionId))) throw Errors.subscriptionNotFound(subscriptionId);
  if (key.subscriptionId !== subscriptionId) throw Errors.credentialInvalid(key.id, subscriptionId);
  if (!scopeAllows(key.scope, permission)) throw Errors.permissionDenied(key.id, key.scope, ACTIONS[permission]);
  if (key.ratePerMinute !== null) {
    const retryAfter = rateLimiter.take(key.id, key.ratePerMinute, now);
    if (retryAfter > 0) throw Errors.requestThrottled(retryAfter, `API key "${key.id}" is limited to ${key.ratePerMinute} requests a minute.`);
  }
}
