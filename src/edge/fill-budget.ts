/**
 * The bytes that fills in progress hold for the cache, against a budget of their own
 * (`--edge-fill-bytes`). The cache's budget bounds what is stored; this one bounds what is on
 * its way there, which without it grows with the number of concurrent misses (150 fills of
 * 8 MB objects held 1.2 GB under a 64 MiB cache).
 *
 * The rule: a fill keeps its body only while it can hold it within the budget. A declared
 * Content-Length is held in full from the head (the body goes into one buffer of that size); a
 * body without one is held chunk by chunk. A fill that cannot hold what comes next stops
 * keeping: it lets go of what it held and streams on to its readers uncached, paced by the
 * slowest of them, like an object over the maximum size.
 */
export class FillBudget {
  private heldBytes = 0;

  constructor(readonly limit: number) {}

  /** Bytes held by fills in progress now. */
  get held(): number {
    return this.heldBytes;
  }

  /** Holds `bytes` if they fit; false (holding nothing) if they would exceed the budget. */
  tryHold(bytes: number): boolean {
    if (this.heldBytes + bytes > this.limit) return false;
    this.heldBytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.heldBytes -= bytes;
  }
}
