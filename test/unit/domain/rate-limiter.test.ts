import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/domain/rate-limiter.js';

const T0 = Date.parse('2026-11-22T08:00:00.000Z');

describe('RateLimiter', () => {
  it('allows a burst of the per-minute rate, then says how many seconds to wait', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 3; i++) expect(limiter.take('key', 3, T0)).toBe(0);
    expect(limiter.take('key', 3, T0)).toBe(20);
    expect(limiter.take('key', 3, T0)).toBe(20);
  });

  it('refills over time, one token per 60/rate seconds', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 3; i++) limiter.take('key', 3, T0);
    expect(limiter.take('key', 3, T0 + 10_000)).toBe(10);
    expect(limiter.take('key', 3, T0 + 19_999)).toBe(1);
    expect(limiter.take('key', 3, T0 + 20_000)).toBe(0);
    expect(limiter.take('key', 3, T0 + 20_000)).toBe(20);
  });

  it('does not count refused requests against the key', () => {
    const limiter = new RateLimiter();
    limiter.take('key', 1, T0);
    for (let i = 0; i < 10; i++) expect(limiter.take('key', 1, T0 + i * 1000)).toBeGreaterThan(0);
    expect(limiter.take('key', 1, T0 + 60_000)).toBe(0);
  });

  it('never refills beyond one burst', () => {
    const limiter = new RateLimiter();
    limiter.take('key', 2, T0);
    const later = T0 + 3_600_000;
    expect(limiter.take('key', 2, later)).toBe(0);
    expect(limiter.take('key', 2, later)).toBe(0);
    expect(limiter.take('key', 2, later)).toBe(30);
  });

  it('asks for at least one second, rounding up', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 600; i++) expect(limiter.take('key', 600, T0)).toBe(0);
    expect(limiter.take('key', 600, T0)).toBe(1);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('a', 1, T0)).toBe(0);
    expect(limiter.take('a', 1, T0)).toBe(60);
    expect(limiter.take('b', 1, T0)).toBe(0);
  });
});

describe('RateLimiter when the clock steps back', () => {
  it('neither drains the bucket nor stops refilling', () => {
    const limiter = new RateLimiter();
    const back = T0 - 3_600_000;
    expect(limiter.take('key', 2, T0)).toBe(0);
    expect(limiter.take('key', 2, back)).toBe(0);
    expect(limiter.take('key', 2, back)).toBe(30);
    expect(limiter.take('key', 2, back + 30_000)).toBe(0);
  });
});
