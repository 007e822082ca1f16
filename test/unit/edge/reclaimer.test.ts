/** The reclaimer asks for a full collection once enough cached bytes were let go, at most once a second. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Reclaimer } from '../../../src/edge/cache/reclaimer.js';

const original = (globalThis as { gc?: () => void }).gc;
afterEach(() => {
  (globalThis as { gc?: () => void }).gc = original;
  vi.useRealTimers();
});

describe('Reclaimer', () => {
  it('collects after the threshold is let go, then not again within the interval', () => {
    vi.useFakeTimers();
    const gc = vi.fn();
    (globalThis as { gc?: () => void }).gc = gc;
    const reclaimer = new Reclaimer(100, 1_000);
    reclaimer.release(60);
    vi.advanceTimersByTime(10);
    expect(gc).not.toHaveBeenCalled();
    reclaimer.release(50);
    vi.advanceTimersByTime(0);
    expect(gc).toHaveBeenCalledTimes(1);

    reclaimer.release(500);
    vi.advanceTimersByTime(999);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('does nothing when node runs without --expose-gc', () => {
    vi.useFakeTimers();
    (globalThis as { gc?: () => void }).gc = undefined;
    const reclaimer = new Reclaimer(10);
    expect(() => {
      reclaimer.release(1_000);
      vi.advanceTimersByTime(5_000);
    }).not.toThrow();
    expect(vi.getTimerCount()).toBe(0);
  });
});
