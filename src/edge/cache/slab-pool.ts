/**
 * The memory the cache keeps bodies in: slabs (large ArrayBuffers, SLAB_BYTES each) carved into
 * fixed-size chunks, with a free list. A body is a list of chunks (slab-body.ts). Freed chunks
 * are reused by the next fill at once: no garbage collection is needed to get the memory back
 * and malloc never sees bodies, so it cannot fragment (Traffic Server keeps its RAM cache in
 * freelist-allocated blocks of a few sizes for the same reason; memcached carves slabs too).
 *
 * Slabs are grown on demand, up to `maxBytes`, and kept: an idle edge holds none, a full one
 * holds its budget. (A fresh slab is untouched zeroed memory, so it costs resident memory only as
 * chunks are written.) The free list is a stack: a body's chunks are pushed last to first, so the
 * next body pops them in order and they stay adjacent; adjacent chunks are sent as one view.
 */

/** Bytes of a chunk: a body wastes less than one at its end. */
export const CHUNK_BYTES = 4096;

/** Bytes of a slab: a growth step. */
export const SLAB_BYTES = 1 << 20;

export class SlabPool {
  private readonly slabs: Buffer[] = [];
  private readonly chunksPerSlab: number;
  /** Chunk ids (slab * chunksPerSlab + index) free to take, taken from the top. */
  private readonly free: Int32Array;
  private freeCount = 0;
  /** Chunks in slabs made so far. */
  private madeChunks = 0;
  private readonly maxChunks: number;

  /** Bytes in chunks of bodies their owner let go while readers still hold them (slab-body.ts drop). */
  outBytes = 0;

  /**
   * Asked for room when every chunk is taken and no slab may be added: it lets go of something
   * (the cache evicts) and says whether it did; while it does, it is asked again.
   */
  reclaim: () => boolean = () => false;

  /** Whether the owner wants room made (`reclaim`) before a chunk is taken: over its budget. */
  wantsRoom: () => boolean = () => false;

  constructor(
    maxBytes: number,
    readonly chunkBytes: number = CHUNK_BYTES,
    slabBytes: number = SLAB_BYTES,
  ) {
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) throw new Error(`chunkBytes must be a positive integer, not ${chunkBytes}`);
    this.maxChunks = Math.floor(maxBytes / chunkBytes);
    this.chunksPerSlab = Math.max(1, Math.min(this.maxChunks, Math.floor(slabBytes / chunkBytes)));
    this.free = new Int32Array(this.maxChunks);
  }

  /** Bytes in chunks taken (by stored bodies, fills, and bodies still being sent). */
  get usedBytes(): number {
    return (this.madeChunks - this.freeCount) * this.chunkBytes;
  }

  /** Bytes of slabs made: what the pool holds from the system. */
  get slabBytes(): number {
    return this.madeChunks * this.chunkBytes;
  }

  /** Bytes of bookkeeping: the free list. */
  get overheadBytes(): number {
    return this.free.byteLength;
  }

  get capacityBytes(): number {
    return this.maxChunks * this.chunkBytes;
  }

  /** A free chunk's id, or undefined when none is free even after `reclaim`. */
  allocate(): number | undefined {
    while (this.wantsRoom() && this.reclaim());
    for (;;) {
      if (this.freeCount > 0) return this.free[--this.freeCount];
      if (this.madeChunks < this.maxChunks) {
        this.grow();
        continue;
      }
      if (!this.reclaim()) return undefined;
    }
  }

  /** Gives the chunk back; the next `allocate` may return it. */
  release(id: number): void {
    this.free[this.freeCount++] = id;
  }

  /** The slab holding chunk `id`. */
  slabOf(id: number): Buffer {
    return this.slabs[Math.floor(id / this.chunksPerSlab)]!;
  }

  /** Where chunk `id` starts in its slab. */
  offsetOf(id: number): number {
    return (id % this.chunksPerSlab) * this.chunkBytes;
  }

  /** Whether chunk `next` follows chunk `id` in the same slab (so one view can span both). */
  follows(id: number, next: number): boolean {
    return next === id + 1 && next % this.chunksPerSlab !== 0;
  }

  private grow(): void {
    const chunks = Math.min(this.chunksPerSlab, this.maxChunks - this.madeChunks);
    const first = this.slabs.length * this.chunksPerSlab;
    // Not from Buffer's pool, and not zero-filled by us: the system's fresh pages are.
    this.slabs.push(Buffer.allocUnsafeSlow(chunks * this.chunkBytes));
    // Pushed last first, so that the slab is handed out in order.
    for (let i = chunks - 1; i >= 0; i--) this.free[this.freeCount++] = first + i;
    this.madeChunks += chunks;
  }
}
