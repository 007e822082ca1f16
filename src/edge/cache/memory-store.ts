/**
 * The in-memory cache store: least-recently-used objects are evicted to stay within a byte
 * budget; purge records (see cache-store.ts) live in a trie of directory segments per endpoint.
 */
import type { CachedObject, CacheStore } from './cache-store.js';

interface DirectoryNode {
  generation: number;
  readonly children: Map<string, DirectoryNode>;
}

/**
 * Bookkeeping per object beyond its bytes (the object, its headers, key, path and map entries),
 * counted against the budget: about 900 bytes of heap were measured for a typical object, so a
 * budget of small objects holds what it says (BENCHMARKS.md, "Memory").
 */
const OVERHEAD_BYTES = 1024;

export class MemoryCacheStore implements CacheStore {
  private readonly objects = new Map<string, CachedObject>();
  private readonly variants = new Map<string, Set<string>>();
  private readonly filePurges = new Map<string, number>();
  private readonly directoryPurges = new Map<string, DirectoryNode>();
  private counter = 0;
  private used = 0;

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

  generation(): number {
    return this.counter;
  }

  get(key: string, now: number): CachedObject | undefined {
    const object = this.objects.get(key);
    if (!object) return undefined;
    if (object.staleAt <= now || this.purgedSince(object)) {
      this.remove(object);
      return undefined;
    }
    // Most recently used goes last.
    this.objects.delete(key);
    this.objects.set(key, object);
    return object;
  }

  put(object: CachedObject): boolean {
    const size = sizeOf(object);
    if (object.body.length > this.maxObjectBytes || size > this.budgetBytes || this.purgedSince(object)) return false;
    const existing = this.objects.get(object.key);
    if (existing) this.remove(existing);
    this.objects.set(object.key, object);
    const variantsKey = pathKey(object.endpointId, object.path);
    let set = this.variants.get(variantsKey);
    if (!set) this.variants.set(variantsKey, (set = new Set()));
    set.add(object.key);
    this.used += size;
    for (const oldest of this.objects.values()) {
      if (this.used <= this.budgetBytes) break;
      this.remove(oldest);
    }
    return true;
  }

  purgeFile(endpointId: string, path: string): void {
    const key = pathKey(endpointId, path);
    this.filePurges.set(key, ++this.counter);
    for (const objectKey of this.variants.get(key) ?? []) {
      const object = this.objects.get(objectKey);
      if (object) this.remove(object);
    }
  }

  purgeDirectory(endpointId: string, directory: string): void {
    let node = this.root(endpointId);
    for (const segment of directorySegments(directory)) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = { generation: 0, children: new Map() }));
      node = child;
    }
    node.generation = ++this.counter;
  }

  /**
   * One record at the endpoint's root covers everything of it, so its file and directory
   * records go: an endpoint removed, or purged whole, leaves one number behind, not its history.
   */
  purgeEndpoint(endpointId: string): void {
    const prefix = pathKey(endpointId, '');
    for (const key of this.filePurges.keys()) if (key.startsWith(prefix)) this.filePurges.delete(key);
    this.directoryPurges.set(endpointId, { generation: ++this.counter, children: new Map() });
  }

  /** Purge records kept (file records and directory trie nodes), for tests and metrics. */
  get purgeRecords(): number {
    let nodes = 0;
    const count = (node: DirectoryNode): void => {
      nodes += 1;
      for (const child of node.children.values()) count(child);
    };
    for (const root of this.directoryPurges.values()) count(root);
    return this.filePurges.size + nodes;
  }

  /** Whether a purge recorded after the object's fill started covers it. */
  private purgedSince(object: CachedObject): boolean {
    const file = this.filePurges.get(pathKey(object.endpointId, object.path));
    if (file !== undefined && file > object.generation) return true;
    let node = this.directoryPurges.get(object.endpointId);
    if (!node) return false;
    if (node.generation > object.generation) return true;
    const segments = object.path.split('/');
    // Directories only: every segment but the last (the file name).
    for (let i = 1; i < segments.length - 1; i++) {
      node = node.children.get(segments[i]!);
      if (!node) return false;
      if (node.generation > object.generation) return true;
    }
    return false;
  }

  private root(endpointId: string): DirectoryNode {
    let root = this.directoryPurges.get(endpointId);
    if (!root) this.directoryPurges.set(endpointId, (root = { generation: 0, children: new Map() }));
    return root;
  }

  private remove(object: CachedObject): void {
    if (this.objects.get(object.key) !== object) return;
    this.objects.delete(object.key);
    this.used -= sizeOf(object);
    this.onRelease(object.body.length);
    const variantsKey = pathKey(object.endpointId, object.path);
    const set = this.variants.get(variantsKey);
    set?.delete(object.key);
    if (set?.size === 0) this.variants.delete(variantsKey);
  }
}

function pathKey(endpointId: string, path: string): string {
  return `${endpointId}\n${path}`;
}

/**
 * "/img/a/" -> ["img", "a"]; "/" -> []. A directory given without its trailing slash ("/img")
 * is that directory: dropping the last segment as a file name would purge the parent instead.
 */
function directorySegments(directory: string): string[] {
  const segments = directory.split('/').slice(1);
  if (segments[segments.length - 1] === '') segments.pop();
  return segments;
}

function sizeOf(object: CachedObject): number {
  return object.body.length + object.key.length + OVERHEAD_BYTES;
}
