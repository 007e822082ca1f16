/**
 * Per-subscription daily quotas like the real service's (2,000 file purges, 500 directory
 * purges, 2,000 preloads a day by default). A day is a UTC calendar day. A cache tag in a purge
 * (extension) counts as a directory purge: like a directory, it may cover any number of objects.
 */
import { Errors } from '../contract/errors.js';

export const QUOTA_KINDS = ['filePurges', 'directoryPurges', 'preloads'] as const;
export type QuotaKind = (typeof QUOTA_KINDS)[number];
export type QuotaLimits = Readonly<Record<QuotaKind, number>>;

export const DEFAULT_QUOTAS: QuotaLimits = { filePurges: 2000, directoryPurges: 500, preloads: 2000 };

const DAY_MS = 86_400_000;

const LABELS: Record<QuotaKind, string> = {
  filePurges: 'file purges',
  directoryPurges: 'directory purges',
  preloads: 'preloads',
};

/** The UTC day an instant falls in, as `yyyy-MM-dd`. */
export function quotaDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Throws RequestThrottled, with Retry-After until UTC midnight, when `totalWithRequest` (the
 * day's count including this request's `requested`) is over the limit.
 */
export function checkQuota(kind: QuotaKind, totalWithRequest: number, requested: number, limit: number, now: number): void {
  if (requested === 0 || totalWithRequest <= limit) return;
  const usedToday = totalWithRequest - requested;
  const retryAfter = Math.max(1, Math.ceil((DAY_MS - (now % DAY_MS)) / 1000));
  throw Errors.requestThrottled(
    retryAfter,
    `The subscription's daily quota of ${limit} ${LABELS[kind]} would be exceeded (${usedToday} used today, ${requested} requested).`,
  );
}
