import { describe, expect, it } from 'vitest';
import { checkQuota, DEFAULT_QUOTAS, quotaDay } from '../../../src/domain/quota.js';
import { expectApiError } from '../expect-api-error.js';

const t = (iso: string) => Date.parse(iso);

describe('quotaDay', () => {
  it('is the UTC calendar day', () => {
    expect(quotaDay(t('2026-11-22T00:00:00.000Z'))).toBe('2026-11-22');
    expect(quotaDay(t('2026-11-22T23:59:59.999Z'))).toBe('2026-11-22');
    expect(quotaDay(t('2026-11-23T07:59:59+08:00'))).toBe('2026-11-22');
  });
});

describe('checkQuota', () => {
  const now = t('2026-11-22T08:00:00.000Z');

  it('has the real service\'s daily defaults', () => {
    expect(DEFAULT_QUOTAS).toEqual({ filePurges: 2000, directoryPurges: 500, preloads: 2000 });
  });

  it('allows up to the limit', () => {
    expect(() => checkQuota('filePurges', 1999, 1, 2000, now)).not.toThrow();
    expect(() => checkQuota('filePurges', 2000, 100, 2000, now)).not.toThrow();
  });

  it('refuses a request that would go over, saying what was used and requested', () => {
    const error = expectApiError(
      () => checkQuota('directoryPurges', 503, 5, 500, now),
      'RequestThrottled',
      429,
      'daily quota of 500 directory purges',
      '498 used today, 5 requested',
      'Retry after 57600 seconds',
    );
    expect(error.headers).toEqual({ 'retry-after': '57600' });
  });

  it.each([
    ['2026-11-22T00:00:00.000Z', 86400],
    ['2026-11-22T12:00:00.000Z', 43200],
    ['2026-11-22T23:59:00.000Z', 60],
    ['2026-11-22T23:59:59.001Z', 1],
    ['2026-11-22T23:59:59.999Z', 1],
  ])('at %s says to retry after %i seconds, at the next UTC midnight', (iso, seconds) => {
    const error = expectApiError(() => checkQuota('preloads', 2001, 1, 2000, t(iso)), 'RequestThrottled', 429, 'preloads');
    expect(error.headers['retry-after']).toBe(String(seconds));
  });

  it('never refuses a request that uses none of this quota', () => {
    expect(() => checkQuota('filePurges', 5000, 0, 2000, now)).not.toThrow();
  });

  it('refuses any use of a quota of zero', () => {
    expectApiError(() => checkQuota('filePurges', 1, 1, 0, now), 'RequestThrottled', 429, 'daily quota of 0 file purges');
  });
});
