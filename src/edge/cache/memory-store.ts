/**
 * The in-memory cache store: least-recently-used objects are evicted to stay within a byte
 * budget; purges are generation records (purge-records.ts).
 *
 * Records do not pile up (Varnish's ban lurker): after a purge, a sweep walks the stored
 * objects a slice at a time, dropping those a record covers; once a sweep has been through
 * them all, no stored object is covered by a record that existed when it began, and those
 * records are pruned as soon as no fill that started before them is still running (such a
 * fill's put must still be refused).
 */
import { variantMatches, sameVaryFields, type RequestHeaders } from '../policy/vary.js';
import { MAX_VARIANTS_PER_KEY, type CachedObject, type CacheLookup, type CacheStore, type EncodedCopy } from './cache-store.js';
import { pathKey, PurgeRecords } from './purge-records.js';

/**
 * Bookkeeping per object beyond its bytes (the object, its headers, key, path and map entries),
 * counted against the budget: about 900 bytes of heap were measured for a typical object, so a
 * budget of small objects holds what it says (BENCHMARKS.md, "Memory").
 */
const OVERHEAD_BYTES = 1024;

/** Bookkeeping per encoded copy: its header map and map entries, about half an object's. */
const COPY_OVERHEAD_BYTES = 512;

/** Objects a sweep checks before it lets other work run: well under a millisecond. */
const SWEEP_SLICE = 1_000;

export class MemoryCacheStore implements CacheStore {
  /** Objects by entry id (entryId: the key, plus the Vary values for a variant), least recently used first. */
  private readonly objects = new Map<string, CachedObject>();
  /** Entry ids by path, for file purges (query and Vary variants alike). */
  private readonly variants = new Map<string, Set<string>>();
  /** Entry ids of the Vary variants of a key, least recently used first. A key without Vary has none. */
  private readonly varyVariants = new Map<string, Set<string>>();
  /** Encoded copies by the object they were made from; they go when it goes (`remove`). */
  private readonly copies = new Map<CachedObject, Map<string, EncodedCopy>>();
  private readonly records = new PurgeRecords();
  /** Fills running, by the generation they started at. */
  private readonly fillsAt = new Map<number, number>();
  private counter = 0;
  private used = 0;
  /** The sweep under way: the objects left to check, and the last generation it applies. */
  private sweep: { readonly objects: IterableIterator<CachedObject>; readonly through: number } | undefined;
  /** Another sweep is due when this one ends (purges came meanwhile). */
  private sweepAgain = false;
  /** Records of this generation or older cover no stored object; pruned when no older fill runs. */
  private sweptThrough = 0;
  private prunedThrough = 0;

  constructor(
    private readonly budgetBytes: number,
    readonly maxObjectBytes: number = Math.floor(budgetBytes / 8),
    /** Told the bytes of every object let go (evicted, purged, expired), so memory can be reclaimed. */
    private readonly onRelease: (bytes: number) => void = () => undefined,
  ) {}

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    return this.objects.size;
  }

  /** Purge records kept (file records and directory trie nodes). */
  get purgeRecords(): number {
    return this.records.size;
  }

  generation(): number {
    return this.counter;
  }

  beginFill(): number {
    this.fillsAt.set(this.counter, (this.fillsAt.get(this.counter) ?? 0) + 1);
    return this.counter;
  }

  endFill(generation: number): void {
    const left = (this.fillsAt.get(generation) ?? 1) - 1;
    if (left > 0) this.fillsAt.set(generation, left);
    else this.fillsAt.delete(generation);
    if (this.prunedThrough < this.sweptThrough) this.prune();
  }

  get(key: string, now: number, request?: RequestHeaders): CacheLookup | undefined {
    // A response without Vary is stored under its key alone: one lookup, as before variants.
    const object = this.objects.get(key);
    if (object) return this.usable(key, object, now) ? { object, stale: object.staleAt <= now } : undefined;
    const ids = this.varyVariants.get(key);
    if (!ids) return undefined;
    for (const id of ids) {
      const variant = this.objects.get(id)!;
      if (request && !variantMatches(variant.vary, request)) continue;
      if (!this.usable(id, variant, now)) continue;
      ids.delete(id);
      ids.add(id);
      return { object: variant, stale: variant.staleAt <= now };
    }
    return undefined;
  }

  /**
   * Whether a stored entry may be served, fresh or stale (stale ones stay until deleteAt or LRU
   * eviction, to be revalidated or served stale); if so it becomes the most recently used, else
   * it goes.
   */
  private usable(id: string, object: CachedObject, now: number): boolean {
    if ((object.deleteAt ?? object.staleAt) <= now || this.purgedSince(object)) {
      this.remove(object);
      return false;
    }
    // Most recently used goes last.
    this.objects.delete(id);
    this.objects.set(id, object);
    return true;
  }

  put(object: CachedObject): boolean {
    const size = sizeOf(object);
    if (object.body.length > this.maxObjectBytes || size > this.budgetBytes || this.purgedSince(object)) return false;
    const id = entryId(object);
    this.makeRoomForVariant(object);
    const existing = this.objects.get(id);
    if (existing) this.remove(existing);
    this.objects.set(id, object);
    const variantsKey = pathKey(object.endpointId, object.path);
    let set = this.variants.get(variantsKey);
    if (!set) this.variants.set(variantsKey, (set = new Set()));
    set.add(id);
    if (object.vary) {
      let ids = this.varyVariants.get(object.key);
      if (!ids) this.varyVariants.set(object.key, (ids = new Set()));
      ids.add(id);
    }
    this.used += size;
    for (const oldest of this.objects.values()) {
      if (this.used <= this.budgetBytes) break;
      this.remove(oldest);
    }
    return true;
  }

  /**
   * Before `object` is put: drops what it supersedes under its key. A response without Vary, or
   * with other Vary fields than those stored, replaces every variant (the origin changed its
   * mind); one more variant past the bound pushes out the least recently used.
   */
  private makeRoomForVariant(object: CachedObject): void {
    const plain = this.objects.get(object.key);
    if (plain && object.vary) this.remove(plain);
    const ids = this.varyVariants.get(object.key);
    if (!ids) return;
    const id = entryId(object);
    for (const other of [...ids]) {
      const variant = this.objects.get(other)!;
      if (!object.vary || !sameVaryFields(variant.vary, object.vary)) this.remove(variant);
    }
    if (!ids.has(id)) {
      for (const other of ids) {
        if (ids.size < MAX_VARIANTS_PER_KEY) break;
        this.remove(this.objects.get(other)!);
      }
    }
  }

  putCopy(object: CachedObject, copy: EncodedCopy): boolean {
    // Only the object still stored: one replaced or revalidated meanwhile gets no copy.
    if (this.objects.get(entryId(object)) !== object) return false;
    const size = copy.body.length + COPY_OVERHEAD_BYTES;
    if (size > this.budgetBytes) return false;
    let copies = this.copies.get(object);
    if (!copies) this.copies.set(object, (copies = new Map()));
    const previous = copies.get(copy.encoding);
    if (previous) this.used -= previous.body.length + COPY_OVERHEAD_BYTES;
    copies.set(copy.encoding, copy);
    this.used += size;
    for (const oldest of this.objects.values()) {
      if (this.used <= this.budgetBytes) break;
      this.remove(oldest);
    }
    return this.copies.get(object)?.get(copy.encoding) === copy;
  }

  copyOf(object: CachedObject, encoding: string): EncodedCopy | undefined {
    return this.copies.get(object)?.get(encoding);
  }

  purgeFile(endpointId: string, path: string): void {
    this.records.file(endpointId, path, ++this.counter);
    for (const objectKey of this.variants.get(pathKey(endpointId, path)) ?? []) {
      const object = this.objects.get(objectKey);
      if (object) this.remove(object);
    }
    this.startSweep();
  }

  purgeDirectory(endpointId: string, directory: string): void {
    this.records.directory(endpointId, directory, ++this.counter);
    this.startSweep();
  }

  /**
   * A wildcard pattern (domain/path-pattern.ts): no index finds its objects, so the sweep does,
   * checking every stored object once (SWEEP_SLICE at a time), as for a directory. Until then
   * lookups of the endpoint check the pattern too, so nothing it covers is served meanwhile.
   */
  purgePattern(endpointId: string, pattern: string): void {
    this.records.pattern(endpointId, pattern, ++this.counter);
    this.startSweep();
  }

  /** An endpoint removed, or purged whole, leaves one record at its root, not its history. */
  purgeEndpoint(endpointId: string): void {
    this.records.endpoint(endpointId, ++this.counter);
    this.startSweep();
  }

  /** Whether a purge recorded after the object's fill started covers it. */
  private purgedSince(object: CachedObject): boolean {
    return this.records.covers(object.endpointId, object.path, object.generation);
  }

  private startSweep(): void {
    if (this.sweep) {
      this.sweepAgain = true;
      return;
    }
    this.sweep = { objects: this.objects.values(), through: this.counter };
    setImmediate(this.sweepSlice);
  }

  private readonly sweepSlice = (): void => {
    const sweep = this.sweep!;
    for (let i = 0; i < SWEEP_SLICE; i++) {
      const next = sweep.objects.next();
      if (next.done) {
        this.sweep = undefined;
        this.sweptThrough = sweep.through;
        this.prune();
        if (this.sweepAgain) {
          this.sweepAgain = false;
          this.startSweep();
        }
        return;
      }
      if (this.purgedSince(next.value)) this.remove(next.value);
    }
    setImmediate(this.sweepSlice);
  };

  /** Drops the records that are swept and older than every fill still running. */
  private prune(): void {
    let through = this.sweptThrough;
    // A fill that started at generation g may still put: records newer than g must stay.
    for (const generation of this.fillsAt.keys()) through = Math.min(through, generation);
    if (through <= this.prunedThrough) return;
    this.records.prune(through);
    this.prunedThrough = through;
  }

  private remove(object: CachedObject): void {
    const id = entryId(object);
    if (this.objects.get(id) !== object) return;
    this.objects.delete(id);
    this.used -= sizeOf(object);
    this.onRelease(object.body.length);
    const copies = this.copies.get(object);
    if (copies) {
      this.copies.delete(object);
      for (const copy of copies.values()) {
        this.used -= copy.body.length + COPY_OVERHEAD_BYTES;
        this.onRelease(copy.body.length);
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
  }
}

/** The key, plus for a Vary variant its values in field order (so that header order does not matter). */
function entryId(object: CachedObject): string {
  if (!object.vary) return object.key;
  const fields = Object.keys(object.vary).sort();
  return `${object.key}\0${JSON.stringify(fields.map((field) => [field, object.vary![field]]))}`;
}

/** A variant's request values count too (a Vary: Cookie variant holds the cookie). */
function sizeOf(object: CachedObject): number {
  return object.body.length + entryId(object).length + OVERHEAD_BYTES;
}
