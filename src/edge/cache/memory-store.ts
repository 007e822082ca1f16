/**
 * The in-memory cache store: least-recently-used objects are evicted to stay within a byte
 * budget; purges are generation records (purge-records.ts).
 *
 * Bodies live in the store's slab pool (slab-pool.ts), off the V8 heap: an eviction gives its
 * chunks back for the next fill at once, with no garbage collection. The budget counts what the
 * store really holds: every chunk taken from the pool (stored bodies and copies, fills in
 * progress, bodies of evicted objects still being sent or written to disk), bookkeeping per
 * object and per copy, and the purge records; each put evicts until it holds. The pool grows a
 * slab at a time, so an idle edge holds no slabs, up to the budget and some room more for
 * evicted bodies still being sent or written to disk (see the constructor).
 *
 * With a disk tier (disk-tier.ts), evicted objects and objects too large for memory are
 * written there, and a key missing in memory is looked up there; the generations and purge
 * records are this store's for both tiers (the tier keeps the records on disk as they are made),
 * and the sweep walks both.
 *
 * Records do not pile up (Varnish's ban lurker): after a purge, a sweep walks the stored
 * objects a slice at a time, dropping those a record covers; once a sweep has been through
 * them all, no stored object is covered by a record that existed when it began, and those
 * records are pruned as soon as no fill that started before them is still running (such a
 * fill's put must still be refused).
 *
 * Soft purges (extension) are records of their own (`softRecords`): an object they cover is
 * made stale (staleAt moved back to the last soft purge's time, `softAt`) when a lookup, the
 * sweep, a put or an eviction meets it, and kept. In the disk tier the file is rewritten with
 * the new staleAt (disk-tier.ts restale), and the records stay in the journal until it is, so a
 * restart never finds such an object fresh again.
 */
import { variantMatches, sameVaryFields, type RequestHeaders } from '../policy/vary.js';
import { FileBody, LRU_INTERVAL_MS, MAX_VARIANTS_PER_KEY, type CachedObject, type CacheLookup, type CacheStore, type EncodedCopy } from './cache-store.js';
import type { DiskTier } from './disk-tier.js';
import { entryId } from './entry-id.js';
import { pathKey, PurgeRecords, type PurgeRecord } from './purge-records.js';
import { SlabBody, slabBodyOf, SlabWriter } from './slab-body.js';
import { CHUNK_BYTES, SlabPool } from './slab-pool.js';

/**
 * Bookkeeping per object beyond its chunks (the object, its headers, key, path, map entries, its
 * SlabBody and views, and the header list a hit sends), counted against the budget: about
 * 1.8 KB of heap were measured per object in the store alone, so a budget of small objects
 * holds what it says (BENCHMARKS.md, "Memory").
 */
const OVERHEAD_BYTES = 2560;

/** Bookkeeping per encoded copy: its header map and map entries, about half an object's. */
const COPY_OVERHEAD_BYTES = 512;

/** Bookkeeping per purge record (its path, trie node and map entry). */
const RECORD_OVERHEAD_BYTES = 256;

/** Objects a sweep checks before it lets other work run: well under a millisecond. */
const SWEEP_SLICE = 1_000;

export interface MemoryCacheStoreOptions {
  /** Bytes of a chunk of the slab pool (CHUNK_BYTES unless given). */
  readonly chunkBytes?: number;
  /** LRU_INTERVAL_MS unless given; 0 moves an object on every hit. */
  readonly lruIntervalMs?: number;
  /** Where evicted objects and objects too large for memory go; none when undefined. */
  readonly disk?: DiskTier;
}

/**
 * A stored object (its body in the pool) and when a hit last moved it in the LRU order
 * (-Infinity: not since it was stored); `put`: the object as given, when its body was copied in.
 */
interface Entry {
  /** Replaced by its stale copy (same body) when a soft purge covers it. */
  object: CachedObject & { readonly body: SlabBody };
  readonly put: CachedObject;
  touchedAt: number;
}

/** An encoded copy kept: its body in the pool. */
type KeptCopy = EncodedCopy & { readonly body: SlabBody };

export class MemoryCacheStore implements CacheStore {
  /** Objects by entry id (entryId: the key, plus the Vary values for a variant), least recently used first. */
  private readonly objects = new Map<string, Entry>();
  /** Entry ids by path, for file purges (query and Vary variants alike). */
  private readonly variants = new Map<string, Set<string>>();
  /** Entry ids of the Vary variants of a key, least recently used first. A key without Vary has none. */
  private readonly varyVariants = new Map<string, Set<string>>();
  /** Encoded copies by the object they were made from; they go when it goes (`remove`). */
  private readonly copies = new Map<CachedObject, Map<string, KeptCopy>>();
  private readonly records = new PurgeRecords();
  /** Soft purges: what they cover is made stale, not dropped. */
  private readonly softRecords = new PurgeRecords();
  /** The time of the last soft purge: what one covers is stale from then on (epoch ms). */
  private softAt = -Infinity;
  /** Entry ids by endpoint and tag, for tag purges. */
  private readonly byTag = new Map<string, Set<string>>();
  /** Fills running, by the generation they started at. */
  private readonly fillsAt = new Map<number, number>();
  private counter = 0;
  /** Bytes of bookkeeping of the objects and copies stored (their chunks are the pool's count). */
  private overhead = 0;
  private readonly pool: SlabPool;
  /** The sweep under way: the objects left to check, and the last generation it applies. */
  private sweep: { readonly steps: Iterator<undefined>; readonly through: number } | undefined;
  /** Another sweep is due when this one ends (purges came meanwhile). */
  private sweepAgain = false;
  /** Records of this generation or older cover no stored object; pruned when no older fill runs. */
  private sweptThrough = 0;
  private prunedThrough = 0;

  private readonly lruIntervalMs: number;
  private readonly disk: DiskTier | undefined;
  /** The largest body kept in memory. */
  private readonly memoryMaxObjectBytes: number;
  /** The largest body kept, in memory or on disk. */
  readonly maxObjectBytes: number;

  constructor(
    private readonly budgetBytes: number,
    maxObjectBytes: number = Math.floor(budgetBytes / 8),
    options: MemoryCacheStoreOptions = {},
  ) {
    // Room beyond the budget for evicted bodies still out: one more of the largest object (being
    // sent to a slow client, say) and what the disk tier's writes in progress may hold. A fill
    // must not fail for them. Puts evict to the budget, so this room is used only while such
    // bodies are out.
    this.pool = new SlabPool(budgetBytes + maxObjectBytes + (options.disk?.maxWritingBytes ?? 0), options.chunkBytes ?? CHUNK_BYTES);
    // A fill that finds every chunk taken makes room as a put would: the least recently used goes.
    this.pool.reclaim = () => this.evictOldest();
    // And so does one that would take the store over its budget (fills count against it).
    this.pool.wantsRoom = () => this.bytes + this.pool.chunkBytes > this.budgetBytes;
    this.lruIntervalMs = options.lruIntervalMs ?? LRU_INTERVAL_MS;
    this.disk = options.disk;
    this.memoryMaxObjectBytes = maxObjectBytes;
    this.maxObjectBytes = Math.max(maxObjectBytes, this.disk?.maxObjectBytes ?? 0);
    if (this.disk) {
      // Generations go on from where the files and records left them; the records kept on disk
      // apply again until a sweep has been through what is stored.
      this.counter = this.disk.restoredGeneration;
      for (const record of this.disk.restoredRecords) this.keepRecord(record);
      if (this.disk.restoredRecords.length > 0) this.startSweep();
    }
  }

  /** Bytes of files in the disk tier (0 without one). */
  get diskBytes(): number {
    return this.disk?.bytes ?? 0;
  }

  /** Files of the disk tier kept open for hits (open-files.ts). */
  get diskOpenFiles(): number {
    return this.disk?.openFiles ?? 0;
  }

  /** Objects in the disk tier. */
  get diskCount(): number {
    return this.disk?.count ?? 0;
  }

  /** Waits for the disk tier's writes and deletions under way. */
  async close(): Promise<void> {
    await this.disk?.close();
  }

  /**
   * Bytes counted against the budget: chunks of stored bodies and copies and of fills in
   * progress, bookkeeping, purge records. Not the chunks of evicted bodies still being sent or
   * written to disk (`outBytes`): no eviction would free them; the pool's room beyond the
   * budget bounds them.
   */
  get bytes(): number {
    return this.pool.usedBytes - this.pool.outBytes + this.overhead + this.records.size * RECORD_OVERHEAD_BYTES;
  }

  /** Bytes of evicted bodies still being sent or written to disk. */
  get outBytes(): number {
    return this.pool.outBytes;
  }

  /** Bytes of slabs the pool holds (grown on demand, up to the budget). */
  get slabBytes(): number {
    return this.pool.slabBytes;
  }

  /**
   * A body to fill in the pool, for an object that will be kept in memory (undefined when it
   * would not be: one of a declared length too large goes to the disk tier from a buffer of its own).
   */
  bodyWriter(declaredLength?: number): SlabWriter | undefined {
    if (declaredLength !== undefined && declaredLength > this.memoryMaxObjectBytes) return undefined;
    return new SlabWriter(this.pool);
  }

  get count(): number {
    return this.objects.size;
  }

  /** Purge records kept (file records and directory trie nodes, patterns and tags; hard and soft). */
  get purgeRecords(): number {
    return this.records.size + this.softRecords.size;
  }

  generation(): number {
    return this.counter;
  }

  beginFill(): number {
    this.holdRecords(this.counter);
    return this.counter;
  }

  /** Keeps the records newer than `generation` until endFill(generation). */
  private holdRecords(generation: number): void {
    this.fillsAt.set(generation, (this.fillsAt.get(generation) ?? 0) + 1);
  }

  endFill(generation: number): void {
    const left = (this.fillsAt.get(generation) ?? 1) - 1;
    if (left > 0) this.fillsAt.set(generation, left);
    else this.fillsAt.delete(generation);
    if (this.prunedThrough < this.sweptThrough) this.prune();
  }

  get(key: string, now: number, request?: RequestHeaders): CacheLookup | undefined {
    return this.fromMemory(key, now, request) ?? (this.disk && this.fromDisk(this.disk, key, now, request));
  }

  private fromMemory(key: string, now: number, request?: RequestHeaders): CacheLookup | undefined {
    // A response without Vary is stored under its key alone: one lookup, as before variants.
    const entry = this.objects.get(key);
    if (entry) {
      if (!this.usable(key, entry, now)) return undefined;
      const { object } = entry;
      return { object, stale: object.staleAt <= now };
    }
    const ids = this.varyVariants.get(key);
    if (!ids) return undefined;
    for (const id of ids) {
      const variant = this.objects.get(id)!;
      if (request && !variantMatches(variant.object.vary, request)) continue;
      const touchedAt = variant.touchedAt;
      if (!this.usable(id, variant, now)) continue;
      if (variant.touchedAt !== touchedAt) {
        ids.delete(id);
        ids.add(id);
      }
      const { object } = variant;
      return { object, stale: object.staleAt <= now };
    }
    return undefined;
  }

  private fromDisk(disk: DiskTier, key: string, now: number, request?: RequestHeaders): CacheLookup | undefined {
    for (;;) {
      const found = disk.get(key, now, request);
      if (!found) return undefined;
      if ((found.deleteAt ?? found.staleAt) > now && !this.purgedSince(found)) {
        const object = this.softenOnDisk(disk, found);
        return { object, stale: object.staleAt <= now };
      }
      disk.remove(found);
    }
  }

  /** Drops this very object (one `get` returned): its file could not be read whole. */
  discard(object: CachedObject): void {
    if (object.body instanceof FileBody) this.disk?.remove(object);
    else {
      const entry = this.entryOf(object);
      if (entry) this.remove(entry.object);
    }
  }

  /** The entry of this very object: as `get` returned it, or as it was put. */
  private entryOf(object: CachedObject): Entry | undefined {
    const entry = this.objects.get(entryId(object));
    return entry && (entry.object === object || entry.put === object) ? entry : undefined;
  }

  /**
   * Whether a stored entry may be served, fresh or stale (stale ones stay until deleteAt or LRU
   * eviction, to be revalidated or served stale); if so it becomes the most recently used (at
   * most once per LRU interval), else it goes.
   */
  private usable(id: string, entry: Entry, now: number): boolean {
    const { object } = entry;
    if ((object.deleteAt ?? object.staleAt) <= now || this.purgedSince(object)) {
      this.remove(object);
      return false;
    }
    this.soften(entry);
    if (now - entry.touchedAt >= this.lruIntervalMs) {
      // Most recently used goes last.
      entry.touchedAt = now;
      this.objects.delete(id);
      this.objects.set(id, entry);
    }
    return true;
  }

  /**
   * Takes the body over, stored or not: a SlabBody's reference becomes the store's (released
   * when refused); a Buffer is copied into the pool.
   */
  put(object: CachedObject): boolean {
    const given = object.body;
    // Objects come from fills, with their bodies in memory; one read from disk is not put back.
    if (given instanceof FileBody) return false;
    const stored = this.store(object, given);
    if (!stored && given instanceof SlabBody && given.live) given.release();
    return stored;
  }

  private store(filled: CachedObject, given: Buffer | SlabBody): boolean {
    if (this.purgedSince(filled)) return false;
    // A fill under way when a soft purge came is stored stale: the next request revalidates it.
    const object = this.softCovers(filled) ? this.staled(filled) : filled;
    const size = given.length + overheadOf(object);
    if (given.length > this.memoryMaxObjectBytes || size > this.budgetBytes) {
      if (!this.disk?.accepts(given.length)) return false;
      // Too large for memory: straight to disk, superseding what memory held for the key.
      this.makeRoomForVariant(object);
      const existing = this.objects.get(entryId(object));
      if (existing) this.remove(existing.object);
      this.disk.removeKey(object.key);
      this.toDisk(this.disk, object);
      if (given instanceof SlabBody) given.drop();
      return true;
    }
    const id = entryId(object);
    this.makeRoomForVariant(object);
    // What the disk held for the key is older.
    this.disk?.removeKey(object.key);
    const existing = this.objects.get(id);
    if (existing) this.remove(existing.object);
    const body = given instanceof SlabBody ? given : slabBodyOf(this.pool, given);
    if (!body) return false;
    const kept = body === given ? (object as Entry['object']) : { ...object, body };
    this.objects.set(id, { object: kept, put: filled, touchedAt: -Infinity });
    const variantsKey = pathKey(object.endpointId, object.path);
    let set = this.variants.get(variantsKey);
    if (!set) this.variants.set(variantsKey, (set = new Set()));
    set.add(id);
    if (object.vary) {
      let ids = this.varyVariants.get(object.key);
      if (!ids) this.varyVariants.set(object.key, (ids = new Set()));
      ids.add(id);
    }
    for (const tag of object.tags ?? []) {
      const tagKey = pathKey(object.endpointId, tag);
      let tagged = this.byTag.get(tagKey);
      if (!tagged) this.byTag.set(tagKey, (tagged = new Set()));
      tagged.add(id);
    }
    this.overhead += overheadOf(object);
    this.evictOverBudget();
    return true;
  }

  /** Evicts the least recently used objects until the budget holds: to the disk tier, if there is one. */
  private evictOverBudget(): void {
    while (this.bytes > this.budgetBytes && this.evictOldest());
  }

  /** Evicts the least recently used object (to the disk tier, if there is one); false when none is left. */
  private evictOldest(): boolean {
    const oldest = this.objects.values().next();
    if (oldest.done) return false;
    const { object } = oldest.value;
    // Written from the body's chunks: the disk tier takes its reference before the store lets go.
    if (this.disk && !this.purgedSince(object)) this.toDisk(this.disk, this.softCovers(object) ? this.staled(object) : object);
    this.remove(object);
    return true;
  }

  /**
   * Writes the object to the disk tier in the background. Until it is written, the records
   * newer than its generation are kept (as for a fill), so that a purge made meanwhile is
   * still seen when the write ends.
   */
  private toDisk(disk: DiskTier, object: CachedObject): void {
    this.holdRecords(object.generation);
    void disk.admit(object, (written) => !this.purgedSince(written)).finally(() => this.endFill(object.generation));
  }

  /**
   * Before `object` is put: drops what it supersedes under its key. A response without Vary, or
   * with other Vary fields than those stored, replaces every variant (the origin changed its
   * mind); one more variant past the bound pushes out the least recently used.
   */
  private makeRoomForVariant(object: CachedObject): void {
    const plain = this.objects.get(object.key);
    if (plain && object.vary) this.remove(plain.object);
    const ids = this.varyVariants.get(object.key);
    if (!ids) return;
    const id = entryId(object);
    for (const other of [...ids]) {
      const variant = this.objects.get(other)!.object;
      if (!object.vary || !sameVaryFields(variant.vary, object.vary)) this.remove(variant);
    }
    if (!ids.has(id)) {
      for (const other of ids) {
        if (ids.size < MAX_VARIANTS_PER_KEY) break;
        this.remove(this.objects.get(other)!.object);
      }
    }
  }

  /** The copy's body is copied into the pool (a SlabBody's reference is taken over, as by `put`). */
  putCopy(object: CachedObject, copy: EncodedCopy): boolean {
    // Only the object still stored: one replaced or revalidated meanwhile gets no copy.
    const entry = this.entryOf(object);
    const given = copy.body;
    if (!entry || given instanceof FileBody || given.length + COPY_OVERHEAD_BYTES > this.budgetBytes) {
      if (given instanceof SlabBody) given.release();
      return false;
    }
    const stored = entry.object;
    const body = given instanceof SlabBody ? given : slabBodyOf(this.pool, given);
    // Making room for the copy's chunks may have evicted the object itself.
    if (!body || this.objects.get(entryId(stored)) !== entry) {
      body?.release();
      return false;
    }
    const kept: KeptCopy = { ...copy, body };
    let copies = this.copies.get(stored);
    if (!copies) this.copies.set(stored, (copies = new Map()));
    const previous = copies.get(copy.encoding);
    if (previous) {
      this.overhead -= COPY_OVERHEAD_BYTES;
      previous.body.drop();
    }
    copies.set(copy.encoding, kept);
    this.overhead += COPY_OVERHEAD_BYTES;
    this.evictOverBudget();
    return this.copies.get(stored)?.get(copy.encoding) === kept;
  }

  copyOf(object: CachedObject, encoding: string): EncodedCopy | undefined {
    const entry = this.entryOf(object);
    return entry && this.copies.get(entry.object)?.get(encoding);
  }

  purgeFile(endpointId: string, path: string, softAt?: number): void {
    this.record({ kind: 'file', endpointId, path, generation: ++this.counter, ...(softAt !== undefined && { softAt }) });
    this.purgeIndexed(this.variants.get(pathKey(endpointId, path)), softAt);
    if (softAt === undefined) this.disk?.removePath(endpointId, path);
    else if (this.disk) for (const object of this.disk.objectsOfPath(endpointId, path)) this.softenOnDisk(this.disk, object);
    this.startSweep();
  }

  purgeDirectory(endpointId: string, directory: string, softAt?: number): void {
    this.record({ kind: 'directory', endpointId, path: directory, generation: ++this.counter, ...(softAt !== undefined && { softAt }) });
    this.startSweep();
  }

  /**
   * The tag index finds the objects at once, in memory and on disk; the record covers fills and
   * disk writes under way. The sweep that follows only lets the record go.
   */
  purgeTag(endpointId: string, tag: string, softAt?: number): void {
    this.record({ kind: 'tag', endpointId, tag, generation: ++this.counter, ...(softAt !== undefined && { softAt }) });
    this.purgeIndexed(this.byTag.get(pathKey(endpointId, tag)), softAt);
    if (this.disk) {
      for (const object of this.disk.objectsWithTag(endpointId, tag)) {
        if (softAt === undefined) this.disk.remove(object);
        else this.softenOnDisk(this.disk, object);
      }
    }
    this.startSweep();
  }

  /** Drops (or, with `softAt`, makes stale) the objects of an index's set. */
  private purgeIndexed(ids: Set<string> | undefined, softAt: number | undefined): void {
    for (const id of [...(ids ?? [])]) {
      const entry = this.objects.get(id);
      if (!entry) continue;
      if (softAt === undefined) this.remove(entry.object);
      else this.soften(entry);
    }
  }

  /**
   * A wildcard pattern (domain/path-pattern.ts): no index finds its objects, so the sweep does,
   * checking every stored object once (SWEEP_SLICE at a time), as for a directory. Until then
   * lookups of the endpoint check the pattern too, so nothing it covers is served meanwhile.
   */
  purgePattern(endpointId: string, pattern: string, softAt?: number): void {
    this.record({ kind: 'pattern', endpointId, path: pattern, generation: ++this.counter, ...(softAt !== undefined && { softAt }) });
    this.startSweep();
  }

  /** An endpoint removed, or purged whole, leaves one record at its root, not its history. */
  purgeEndpoint(endpointId: string): void {
    this.record({ kind: 'endpoint', endpointId, generation: ++this.counter });
    this.startSweep();
  }

  purgeAll(): void {
    this.record({ kind: 'all', generation: ++this.counter });
    this.startSweep();
  }

  /** Keeps the record, here and (before the purge returns) in the disk tier's journal. */
  private record(record: PurgeRecord): void {
    this.keepRecord(record);
    this.disk?.recordPurge(record);
  }

  private keepRecord(record: PurgeRecord): void {
    if ('softAt' in record && record.softAt !== undefined) {
      this.softRecords.apply(record);
      this.softAt = Math.max(this.softAt, record.softAt);
    } else this.records.apply(record);
  }

  /** Every record kept, the soft ones with the time they make objects stale from. */
  private listRecords(): PurgeRecord[] {
    return [...this.records.list(), ...this.softRecords.list().map((record) => ({ ...record, softAt: this.softAt }) as PurgeRecord)];
  }

  /** Whether a purge recorded after the object's fill started covers it. */
  private purgedSince(object: CachedObject): boolean {
    return this.records.covers(object.endpointId, object.path, object.generation, object.tags);
  }

  /** Whether a soft purge recorded after the object's fill started covers it while it is still fresh then. */
  private softCovers(object: CachedObject): boolean {
    // Most of the time there are none: a hit then costs two property reads more.
    return !this.softRecords.empty && object.staleAt > this.softAt && this.softRecords.covers(object.endpointId, object.path, object.generation, object.tags);
  }

  /** The object stale from the last soft purge on, kept as long as it would have been. */
  private staled<T extends CachedObject>(object: T): T {
    return { ...object, staleAt: this.softAt, deleteAt: object.deleteAt ?? object.staleAt };
  }

  /** Makes a stored entry stale if a soft purge covers it; its encoded copies go with it. */
  private soften(entry: Entry): void {
    const { object } = entry;
    if (!this.softCovers(object)) return;
    entry.object = this.staled(object);
    const copies = this.copies.get(object);
    if (copies) {
      this.copies.delete(object);
      this.copies.set(entry.object, copies);
    }
  }

  /**
   * The disk object, made stale if a soft purge covers it: its file is rewritten in the
   * background, and the records are kept until then (as for a fill), so that the journal still
   * has the soft purge should the process stop before.
   */
  private softenOnDisk(disk: DiskTier, object: CachedObject): CachedObject {
    if (!this.softCovers(object)) return object;
    const staled = disk.restale(object, this.staled(object));
    if (!staled) return object;
    this.holdRecords(object.generation);
    void staled.rewritten.finally(() => this.endFill(object.generation));
    return staled.object;
  }

  private startSweep(): void {
    if (this.sweep) {
      this.sweepAgain = true;
      return;
    }
    this.sweep = { steps: this.sweepSteps(), through: this.counter };
    setImmediate(this.sweepSlice);
  }

  /** Checks every object, memory then disk, pausing after each SWEEP_SLICE of them. */
  private *sweepSteps(): Generator<undefined, void> {
    let checked = 0;
    for (const entry of this.objects.values()) {
      if (this.purgedSince(entry.object)) this.remove(entry.object);
      else this.soften(entry);
      if (++checked % SWEEP_SLICE === 0) yield;
    }
    if (!this.disk) return;
    for (const { object } of this.disk.objects()) {
      if (this.purgedSince(object)) this.disk.remove(object);
      else this.softenOnDisk(this.disk, object);
      if (++checked % SWEEP_SLICE === 0) yield;
    }
  }

  private readonly sweepSlice = (): void => {
    const sweep = this.sweep!;
    if (!sweep.steps.next().done) return void setImmediate(this.sweepSlice);
    this.sweep = undefined;
    this.sweptThrough = sweep.through;
    this.prune();
    if (this.sweepAgain) {
      this.sweepAgain = false;
      this.startSweep();
    }
  };

  /** Drops the records that are swept and older than every fill still running. */
  private prune(): void {
    let through = this.sweptThrough;
    // A fill that started at generation g may still put: records newer than g must stay.
    for (const generation of this.fillsAt.keys()) through = Math.min(through, generation);
    if (through <= this.prunedThrough) return;
    this.records.prune(through);
    this.softRecords.prune(through);
    this.prunedThrough = through;
    // The journal drops them too, once the files of what they covered are deleted.
    this.disk?.compactJournal(() => this.listRecords());
  }

  private remove(object: CachedObject): void {
    const id = entryId(object);
    if (this.objects.get(id)?.object !== object) return;
    this.objects.delete(id);
    this.overhead -= overheadOf(object);
    // Freed now, or when the last response still sending it is done.
    (object.body as SlabBody).drop();
    const copies = this.copies.get(object);
    if (copies) {
      this.copies.delete(object);
      for (const copy of copies.values()) {
        this.overhead -= COPY_OVERHEAD_BYTES;
        copy.body.drop();
      }
    }
    const variantsKey = pathKey(object.endpointId, object.path);
    const set = this.variants.get(variantsKey);
    set?.delete(id);
    if (set?.size === 0) this.variants.delete(variantsKey);
    if (object.vary) {
      const ids = this.varyVariants.get(object.key);
      ids?.delete(id);
      if (ids?.size === 0) this.varyVariants.delete(object.key);
    }
    for (const tag of object.tags ?? []) {
      const tagKey = pathKey(object.endpointId, tag);
      const tagged = this.byTag.get(tagKey);
      tagged?.delete(id);
      if (tagged?.size === 0) this.byTag.delete(tagKey);
    }
  }
}

/** Bookkeeping of an object beyond its body; a variant's request values count too (a Vary: Cookie variant holds the cookie), and its tags (an origin may send many). */
function overheadOf(object: CachedObject): number {
  let size = entryId(object).length + OVERHEAD_BYTES;
  for (const tag of object.tags ?? []) size += tag.length;
  return size;
}
