/**
 * A body in the slab pool (slab-pool.ts): runs of adjacent chunks, and a view of each run
 * trimmed to the body's bytes, made once, so a hit writes those views and copies nothing.
 *
 * Its chunks must not be reused while anything may still read them: a socket write holds views
 * of them until it completes, and a disk tier write until it is written. So a body counts
 * references: the store holds one while the object is stored; whoever reads it outside a
 * synchronous call (a response being sent, a file being written) takes one with `acquire` and
 * gives it back with `release` once the bytes are out (for a response, on its 'close', which
 * comes only after the socket's writes have ended or been cancelled). The chunks go back to the
 * pool when the last reference is released.
 */
import type { SlabPool } from './slab-pool.js';

export class SlabBody {
  private refs = 1;
  /** Let go by its owner while others still read it (counted in the pool's outBytes). */
  private out = false;

  constructor(
    private readonly pool: SlabPool,
    /** First chunk id and chunk count of each run, flat: [first, count, first, count, ...]. */
    private readonly runs: readonly number[],
    /** The bytes, one view per run. */
    readonly views: readonly Buffer[],
    readonly length: number,
  ) {}

  /** Bytes of chunks it takes in the pool. */
  get chunkBytes(): number {
    let chunks = 0;
    for (let i = 1; i < this.runs.length; i += 2) chunks += this.runs[i]!;
    return chunks * this.pool.chunkBytes;
  }

  /** Whether its chunks are still its own (not all references released). */
  get live(): boolean {
    return this.refs > 0;
  }

  acquire(): void {
    if (this.refs === 0) throw new Error('a released slab body was read');
    this.refs++;
  }

  /** Gives back a reference; the last one frees the chunks. */
  readonly release = (): void => {
    if (this.refs === 0) throw new Error('a slab body was released once too often');
    if (--this.refs > 0) return;
    if (this.out) this.pool.outBytes -= this.chunkBytes;
    freeRuns(this.pool, this.runs);
  };

  /**
   * The owner's release (the store evicting it): when readers still hold it, its chunks count
   * as out (SlabPool.outBytes) until the last of them is done.
   */
  drop(): void {
    if (this.refs > 1 && !this.out) {
      this.out = true;
      this.pool.outBytes += this.chunkBytes;
    }
    this.release();
  }

  /** Views of bytes `start` (inclusive) to `end` (exclusive). */
  range(start: number, end: number): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    for (const view of this.views) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + view.length);
      if (from < to) out.push(from === at && to === at + view.length ? view : view.subarray(from - at, to - at));
      at += view.length;
      if (at >= end) break;
    }
    return out;
  }

  /** A copy of the bytes, in memory of its own (for what outlives a synchronous call without a reference). */
  toBuffer(): Buffer {
    return this.views.length === 1 ? Buffer.from(this.views[0]!) : Buffer.concat(this.views as Buffer[], this.length);
  }

  toString(encoding: BufferEncoding = 'utf8'): string {
    return this.toBuffer().toString(encoding);
  }
}

/** A body being written into the pool, chunk by chunk, as a fill brings it. */
export class SlabWriter {
  private readonly runs: number[] = [];
  private last = -1;
  /** Bytes written into the last chunk. */
  private inLast = 0;
  private written = 0;
  private done = false;

  constructor(private readonly pool: SlabPool) {}

  get length(): number {
    return this.written;
  }

  /** Copies `bytes` in; false when the pool has no room left (what was written stays until `discard`). */
  write(bytes: Buffer): boolean {
    return this.take(bytes.length, bytes);
  }

  /**
   * Takes room for `length` more bytes without writing them (whoever seals it fills the views:
   * a read from a file); false when the pool has no room left.
   */
  reserve(length: number): boolean {
    return this.take(length, undefined);
  }

  private take(length: number, bytes: Buffer | undefined): boolean {
    const { pool } = this;
    let at = 0;
    while (at < length) {
      if (this.last < 0 || this.inLast === pool.chunkBytes) {
        const id = pool.allocate();
        if (id === undefined) return false;
        if (this.last >= 0 && pool.follows(this.last, id)) this.runs[this.runs.length - 1]!++;
        else this.runs.push(id, 1);
        this.last = id;
        this.inLast = 0;
      }
      const n = Math.min(pool.chunkBytes - this.inLast, length - at);
      bytes?.copy(pool.slabOf(this.last), pool.offsetOf(this.last) + this.inLast, at, at + n);
      this.inLast += n;
      at += n;
      this.written += n;
    }
    return true;
  }

  /** The bytes so far, copied (a reader joining a fill gets these; the chunks may yet be discarded). */
  copy(): Buffer {
    return Buffer.concat(this.views(), this.written);
  }

  /** The body written: its chunks are now the body's (one reference, the caller's). */
  seal(): SlabBody {
    this.finish();
    return new SlabBody(this.pool, this.runs, this.views(), this.written);
  }

  /** Gives the chunks back: the fill will not be stored. */
  discard(): void {
    this.finish();
    freeRuns(this.pool, this.runs);
  }

  private finish(): void {
    if (this.done) throw new Error('a slab writer was sealed or discarded twice');
    this.done = true;
  }

  private views(): Buffer[] {
    const { pool } = this;
    const views: Buffer[] = [];
    let left = this.written;
    for (let i = 0; i < this.runs.length; i += 2) {
      const first = this.runs[i]!;
      const start = pool.offsetOf(first);
      const bytes = Math.min(left, this.runs[i + 1]! * pool.chunkBytes);
      views.push(pool.slabOf(first).subarray(start, start + bytes));
      left -= bytes;
    }
    return views;
  }
}

/** Copies `bytes` into the pool; undefined when it has no room. */
export function slabBodyOf(pool: SlabPool, bytes: Buffer): SlabBody | undefined {
  const writer = new SlabWriter(pool);
  if (writer.write(bytes)) return writer.seal();
  writer.discard();
  return undefined;
}

/** Pushed last to first, so that the next body pops them in order (adjacent again). */
function freeRuns(pool: SlabPool, runs: readonly number[]): void {
  for (let i = runs.length - 2; i >= 0; i -= 2) {
    const first = runs[i]!;
    for (let id = first + runs[i + 1]! - 1; id >= first; id--) pool.release(id);
  }
}
