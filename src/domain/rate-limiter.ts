/**
 * A token bucket per API key: `ratePerMinute` requests a minute, in bursts of up to that many.
 * Kept in memory, so with several API processes each enforces the rate on its own share.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  /** Takes one token; returns 0 when allowed, otherwise the seconds until a token is free. */
  take(keyId: string, ratePerMinute: number, now: number): number {
    const perMs = ratePerMinute / 60_000;
    const bucket = this.buckets.get(keyId) ?? { tokens: ratePerMinute, updatedAt: now };
    // A clock stepped back (NTP) refills nothing, and must not drain the bucket either.
    bucket.tokens = Math.min(ratePerMinute, bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    this.buckets.set(keyId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}
