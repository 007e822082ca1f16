/**
 * Cached bodies live long enough to reach V8's old generation, which only a full collection
 * frees, and V8 runs those rarely; so evicted bodies pile up far beyond the cache budget. The
 * reclaimer asks for a full collection once enough bytes have been let go, at most once a
 * second. It needs node's --expose-gc (the mooncdn command's first line sets it); without it,
 * it does nothing.
 */

export class Reclaimer {
  private released = 0;
  private lastCollection = 0;
  private scheduled = false;
  private readonly collect = (globalThis as { gc?: () => void }).gc;

  constructor(
    /** Bytes let go that make a collection worth it. */
    private readonly thresholdBytes: number,
    private readonly minIntervalMs = 1_000,
  ) {}

  readonly release = (bytes: number): void => {
    this.released += bytes;
    if (!this.collect || this.scheduled || this.released < this.thresholdBytes) return;
    const wait = Math.max(0, this.lastCollection + this.minIntervalMs - Date.now());
    this.scheduled = true;
    // Not in the middle of the request that evicted: after it, when the loop is free.
    setTimeout(() => {
      this.scheduled = false;
      this.released = 0;
      this.lastCollection = Date.now();
      this.collect!();
    }, wait).unref();
  };
}
