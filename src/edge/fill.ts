/**
 * One origin fetch that fills the cache for a key, shared by every request that misses on that
 * key while it runs (and by preloads): one origin request however many clients wait. Readers
 * are called synchronously as the head and each chunk arrive, so none misses a chunk.
 *
 * A reader that joins after the start gets the chunks so far replayed, which is possible only
 * while the body is being kept for the cache. A response that will not be cached is not shared:
 * such a reader is told to fetch for itself (its own cookies, its own answer). A reader that
 * joined before the head and may not share it (the reader's `shares` says so) is let go then,
 * with `notShared`, and fetches for itself too.
 *
 * A fill runs only while someone wants it: a reader that takes the body, a preload whose body
 * is kept (its operation waits for it in the cache), or a HEAD reader while the body is kept for the cache (so a HEAD
 * miss still fills the cache, within the fill budget). When none is left the fill is abandoned:
 * `signal` aborts, which stops the origin fetch, and nothing is stored. What it keeps counts
 * against the fill budget (fill-budget.ts).
 */
import type { Body, HeaderMap } from './cache/cache-store.js';
import type { SlabWriter } from './cache/slab-body.js';
import type { FillBudget } from './fill-budget.js';

/** Where a kept body goes: the cache's pool (cache-store.ts bodyWriter), or undefined for a buffer of its own. */
export type BodyWriterFor = (declaredLength?: number) => SlabWriter | undefined;

export interface FillHead {
  readonly status: number;
  /** The origin's headers for the client that started the fill. */
  readonly headers: HeaderMap;
  /** What is stored and what other readers get (no Set-Cookie). */
  readonly sharedHeaders: HeaderMap;
  /** Seconds the response may be served from the cache; 0 when it will not be stored. */
  readonly ttlSeconds: number;
  /** Why it is or is not cached. */
  readonly reason: string;
  /**
   * Stored, and of a kind its hits may send compressed: its identity answers carry
   * Vary: Accept-Encoding from the miss on, as its hits do (compression.ts).
   */
  readonly compressible?: boolean;
}

export interface FillReader {
  /** False for a HEAD request: it takes the head only. */
  readonly wantsBody: boolean;
  /**
   * Whether this reader may be given the response (undefined: always, as for the reader that
   * started the fill). One that may not is let go, and told so by `notShared`.
   */
  shares?(head: FillHead): boolean;
  /** This reader was let go when the head came: it gets nothing more from the fill. */
  notShared?(): void;
  head(head: FillHead): void;
  data(chunk: Buffer): void;
  end(): void;
  error(error: Error): void;
  /** Undefined when the reader can take more now; else resolves once it can, or has gone. */
  backlog(): Promise<void> | undefined;
}

export class Fill {
  head: FillHead | undefined;
  /**
   * The body so far, while it is kept: in the cache's slab pool (most bodies), else (a declared
   * length too large for memory, on its way to the disk tier) in one buffer of that length, or
   * as chunks.
   */
  private writer: SlabWriter | undefined;
  private whole: Buffer | undefined;
  private filled = 0;
  private readonly kept: Buffer[] = [];
  private keeping = true;
  /** Bytes held against the fill budget. */
  private holding = 0;
  /** Why the body is not kept for the cache, once it is not. */
  notKeptBecause: 'too-large' | 'fill-budget' | undefined;
  private readonly abandonment = new AbortController();
  private readonly readers = new Set<FillReader>();
  private readonly settled: Promise<void>;
  private resolveSettled!: () => void;
  done = false;
  error: Error | undefined;
  /** Whether the completed body went into the cache. */
  stored = false;

  constructor(
    readonly key: string,
    private readonly budget: FillBudget,
    private readonly writerFor: BodyWriterFor,
    /**
     * A preload's fill: its operation is an implicit reader, so it goes on while it keeps the
     * body. Also set later for a fill a range client took its part of (`goOnForTheCache`).
     */
    private forTheCache = false,
  ) {
    this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
  }

  /** Aborts when the fill is abandoned: no one is left who wants it. */
  get signal(): AbortSignal {
    return this.abandonment.signal;
  }

  get abandoned(): boolean {
    return this.abandonment.signal.aborted;
  }

  /**
   * The body kept (all of it, once `keepingAll` and done), handed over to be put in the cache,
   * which takes it whether it stores it or not; called once.
   */
  takeBody(): Body {
    if (this.writer) {
      const body = this.writer.seal();
      this.writer = undefined;
      return body;
    }
    if (this.whole) return this.filled === this.whole.length ? this.whole : this.whole.subarray(0, this.filled);
    return this.kept.length === 1 ? this.kept[0]! : Buffer.concat(this.kept);
  }

  get keepingAll(): boolean {
    return this.keeping;
  }

  /** Readers waiting on or streaming from this fill now. */
  get readerCount(): number {
    return this.readers.size;
  }

  /**
   * Attaches a reader. The first reader attaches before anything arrives; a later one gets what
   * came so far. Returns false (and attaches nothing) when a later reader cannot be served from
   * this fill: the response will not be cached, or its body is no longer kept.
   */
  attach(reader: FillReader, first: boolean): boolean {
    if (this.abandoned) return false;
    if (!first && this.head && (this.head.ttlSeconds === 0 || !this.keeping || reader.shares?.(this.head) === false)) return false;
    if (this.error) {
      reader.error(this.error);
      return true;
    }
    if (this.head) {
      reader.head(this.head);
      // Copied: the reader writes it out later, and the fill's chunks may be discarded meanwhile.
      if (this.writer) {
        if (this.writer.length > 0) reader.data(this.writer.copy());
      } else if (this.whole) {
        if (this.filled > 0) reader.data(this.whole.subarray(0, this.filled));
      } else {
        for (const chunk of this.kept) reader.data(chunk);
      }
      if (this.done) {
        reader.end();
        return true;
      }
    }
    this.readers.add(reader);
    return true;
  }

  /**
   * Goes on into the cache without readers, while the body is kept (within the fill budget):
   * for a range client that had its part, so that its next ranges are hits.
   */
  goOnForTheCache(): void {
    this.forTheCache = true;
  }

  detach(reader: FillReader): void {
    this.readers.delete(reader);
    this.abandonIfUnwanted();
  }

  /** Whether anyone still wants the fill to go on. */
  private get wanted(): boolean {
    // A preload's operation wants the body in the cache; one that will not be stored is over.
    if (this.forTheCache && this.keeping) return true;
    for (const reader of this.readers) if (reader.wantsBody || this.keeping) return true;
    return false;
  }

  private abandonIfUnwanted(): void {
    if (this.done || this.abandoned || this.wanted) return;
    this.abandonment.abort(new Error('every client of this fill has gone'));
  }

  /**
   * The origin has answered. A body to keep whose length the origin declared is copied into one
   * buffer of that length as it arrives: its chunks are free at once and nothing is copied twice.
   */
  setHead(head: FillHead, keep: boolean, declaredLength?: number): void {
    this.head = head;
    this.keeping = keep;
    const declared = declaredLength !== undefined && Number.isSafeInteger(declaredLength) && declaredLength >= 0 ? declaredLength : undefined;
    if (keep && declared !== undefined && declared > 0 && !this.hold(declared)) this.keeping = false;
    else if (keep) {
      this.writer = this.writerFor(declared);
      if (!this.writer && declared !== undefined && declared > 0) this.whole = Buffer.allocUnsafeSlow(declared);
    }
    if (keep && !this.keeping) this.notKeptBecause = 'fill-budget';
    for (const reader of this.readers) {
      if (reader.shares?.(head) === false) {
        this.readers.delete(reader);
        reader.notShared?.();
      } else reader.head(head);
    }
    this.abandonIfUnwanted();
  }

  push(chunk: Buffer): void {
    if (this.keeping) this.keep(chunk);
    for (const reader of this.readers) reader.data(chunk);
  }

  /**
   * Resolves when every reader can take more. A body that is not kept for the cache is paced by
   * its slowest reader this way, so a slow client never makes the edge hold more of it than a
   * socket buffer. (A kept body is held whole anyway, bounded by the maximum object size.)
   */
  async roomForMore(): Promise<void> {
    const waits = [...this.readers].map((reader) => reader.backlog()).filter((wait) => wait !== undefined);
    if (waits.length > 0) await Promise.all(waits);
  }

  private keep(chunk: Buffer): void {
    if (this.writer) {
      // Held: the declared length from the head, or what came so far; more is held as it comes.
      const more = this.writer.length + chunk.length - this.holding;
      if (more > 0 && !this.hold(more)) return this.stopKeeping('fill-budget');
      // The pool full of bodies being sent or written, which eviction cannot free.
      if (!this.writer.write(chunk)) this.stopKeeping('fill-budget');
      return;
    }
    if (this.whole && this.filled + chunk.length <= this.whole.length) {
      chunk.copy(this.whole, this.filled);
      this.filled += chunk.length;
      return;
    }
    if (this.whole) {
      // More than the origin declared: keep what came so far as the first chunk and go on in chunks.
      this.kept.push(Buffer.from(this.whole.subarray(0, this.filled)));
      this.whole = undefined;
      this.releaseHeld();
      this.hold(this.filled);
    }
    if (!this.hold(chunk.length)) return this.stopKeeping('fill-budget');
    this.kept.push(chunk);
  }

  /** Holds `bytes` against the fill budget if they fit. */
  private hold(bytes: number): boolean {
    if (!this.budget.tryHold(bytes)) return false;
    this.holding += bytes;
    return true;
  }

  private releaseHeld(): void {
    this.budget.release(this.holding);
    this.holding = 0;
  }

  /** The body will not be stored after all (too large, or over the fill budget); readers still get every chunk. */
  stopKeeping(because: 'too-large' | 'fill-budget'): void {
    this.keeping = false;
    this.notKeptBecause = because;
    this.dropBody();
    this.abandonIfUnwanted();
  }

  /** Lets go of the body kept: its chunks back to the pool, its bytes off the fill budget. */
  private dropBody(): void {
    this.writer?.discard();
    this.writer = undefined;
    this.kept.length = 0;
    this.whole = undefined;
    this.releaseHeld();
  }

  finish(stored: boolean): void {
    this.done = true;
    this.stored = stored;
    // Stored or not, the body is no longer the fill's: the cache accounts for what it keeps.
    this.dropBody();
    for (const reader of this.readers) reader.end();
    this.readers.clear();
    this.resolveSettled();
  }

  fail(error: Error): void {
    this.error = error;
    this.done = true;
    this.dropBody();
    for (const reader of this.readers) reader.error(error);
    this.readers.clear();
    this.resolveSettled();
  }

  /** Resolves when the fill has ended, whether it stored, failed or neither. */
  whenSettled(): Promise<void> {
    return this.settled;
  }
}
