/**
 * Purge records (cache-store.ts): the generation of the last purge of each file, a trie of
 * directory segments per endpoint with the generation of the last purge of each directory, and
 * the wildcard patterns and cache tags purged per endpoint (domain/path-pattern.ts,
 * policy/cache-tags.ts). An object is covered when a record on its path (or a pattern matching
 * it, or one of its tags) is newer than the generation its fill started at. A tag costs a lookup
 * per tag the object carries, whatever is cached. Patterns are checked one by one, so they cost every lookup of their endpoint while they
 * are kept: the sweep after a purge lets them go as soon as it has been through the objects.
 *
 * Records are pruned once they can cover nothing any more (memory-store.ts decides when): a
 * record is dropped when its generation is at most `through`, and a trie node when it and all
 * below it are.
 */
import { compilePattern, matchesPattern, type CompiledPattern } from '../../domain/path-pattern.js';

/**
 * One record, as the disk tier's journal keeps it (purge-journal.ts). `softAt` marks a soft
 * purge (extension): what it covers is stale from then on rather than gone (memory-store.ts
 * keeps those records apart from the others).
 */
export type PurgeRecord =
  | { readonly kind: 'file'; readonly endpointId: string; readonly path: string; readonly generation: number; readonly softAt?: number }
  | { readonly kind: 'directory'; readonly endpointId: string; readonly path: string; readonly generation: number; readonly softAt?: number }
  | { readonly kind: 'pattern'; readonly endpointId: string; readonly path: string; readonly generation: number; readonly softAt?: number }
  | { readonly kind: 'tag'; readonly endpointId: string; readonly tag: string; readonly generation: number; readonly softAt?: number }
  | { readonly kind: 'endpoint'; readonly endpointId: string; readonly generation: number }
  | { readonly kind: 'all'; readonly generation: number };

interface PatternRecord {
  readonly pattern: CompiledPattern;
  generation: number;
}

interface DirectoryNode {
  generation: number;
  readonly children: Map<string, DirectoryNode>;
}

export class PurgeRecords {
  private readonly files = new Map<string, number>();
  private readonly directories = new Map<string, DirectoryNode>();
  /** The last purge of everything (0: none kept). */
  private everything = 0;
  /** Per endpoint, by pattern text. */
  private readonly patterns = new Map<string, Map<string, PatternRecord>>();
  /** Per endpoint, the generation of the last purge of each tag. */
  private readonly tags = new Map<string, Map<string, number>>();

  file(endpointId: string, path: string, generation: number): void {
    this.files.set(pathKey(endpointId, path), generation);
  }

  directory(endpointId: string, directory: string, generation: number): void {
    let node: DirectoryNode | undefined = this.directories.get(endpointId);
    if (!node) this.directories.set(endpointId, (node = newNode()));
    for (const segment of directorySegments(directory)) {
      let child: DirectoryNode | undefined = node.children.get(segment);
      if (!child) node.children.set(segment, (child = newNode()));
      node = child;
    }
    node.generation = generation;
  }

  pattern(endpointId: string, pattern: string, generation: number): void {
    let records = this.patterns.get(endpointId);
    if (!records) this.patterns.set(endpointId, (records = new Map()));
    const record = records.get(pattern);
    if (record) record.generation = generation;
    else records.set(pattern, { pattern: compilePattern(pattern), generation });
  }

  tag(endpointId: string, tag: string, generation: number): void {
    let records = this.tags.get(endpointId);
    if (!records) this.tags.set(endpointId, (records = new Map()));
    records.set(tag, generation);
  }

  /** One record at the endpoint's root covers all of it: its other records go. */
  endpoint(endpointId: string, generation: number): void {
    const prefix = pathKey(endpointId, '');
    for (const key of this.files.keys()) if (key.startsWith(prefix)) this.files.delete(key);
    this.patterns.delete(endpointId);
    this.tags.delete(endpointId);
    this.directories.set(endpointId, { generation, children: new Map() });
  }

  /** One record covers every endpoint: all other records go. */
  all(generation: number): void {
    this.files.clear();
    this.directories.clear();
    this.patterns.clear();
    this.tags.clear();
    this.everything = generation;
  }

  /** Records a purge again, as `list` gave it. */
  apply(record: PurgeRecord): void {
    if (record.kind === 'file') this.file(record.endpointId, record.path, record.generation);
    else if (record.kind === 'directory') this.directory(record.endpointId, record.path, record.generation);
    else if (record.kind === 'pattern') this.pattern(record.endpointId, record.path, record.generation);
    else if (record.kind === 'tag') this.tag(record.endpointId, record.tag, record.generation);
    else if (record.kind === 'endpoint') this.endpoint(record.endpointId, record.generation);
    else this.all(record.generation);
  }

  /** Every record kept, so that `apply` on an empty set rebuilds one that covers the same. */
  list(): PurgeRecord[] {
    const records: PurgeRecord[] = [];
    if (this.everything > 0) records.push({ kind: 'all', generation: this.everything });
    for (const [key, generation] of this.files) {
      const cut = key.indexOf('\n');
      records.push({ kind: 'file', endpointId: key.slice(0, cut), path: key.slice(cut + 1), generation });
    }
    const walk = (endpointId: string, node: DirectoryNode, path: string): void => {
      if (node.generation > 0) records.push({ kind: 'directory', endpointId, path, generation: node.generation });
      for (const [segment, child] of node.children) walk(endpointId, child, `${path}${segment}/`);
    };
    for (const [endpointId, root] of this.directories) walk(endpointId, root, '/');
    for (const [endpointId, patterns] of this.patterns) {
      for (const [path, record] of patterns) records.push({ kind: 'pattern', endpointId, path, generation: record.generation });
    }
    for (const [endpointId, tags] of this.tags) {
      for (const [tag, generation] of tags) records.push({ kind: 'tag', endpointId, tag, generation });
    }
    return records;
  }

  /** Whether a purge newer than `generation` covers the path, or one of the object's tags. */
  covers(endpointId: string, path: string, generation: number, tags?: readonly string[]): boolean {
    if (this.everything > generation) return true;
    const file = this.files.get(pathKey(endpointId, path));
    if (file !== undefined && file > generation) return true;
    if (tags && tags.length > 0) {
      const purged = this.tags.get(endpointId);
      if (purged) for (const tag of tags) if ((purged.get(tag) ?? 0) > generation) return true;
    }
    const patterns = this.patterns.get(endpointId);
    if (patterns) {
      for (const record of patterns.values()) if (record.generation > generation && matchesPattern(record.pattern, path)) return true;
    }
    let node = this.directories.get(endpointId);
    if (!node) return false;
    if (node.generation > generation) return true;
    const segments = path.split('/');
    // Directories only: every segment but the last (the file name).
    for (let i = 1; i < segments.length - 1; i++) {
      node = node.children.get(segments[i]!);
      if (!node) return false;
      if (node.generation > generation) return true;
    }
    return false;
  }

  /** Drops every record of generation `through` or older. */
  prune(through: number): void {
    if (this.everything <= through) this.everything = 0;
    for (const [key, generation] of this.files) if (generation <= through) this.files.delete(key);
    for (const [endpointId, root] of this.directories) if (pruneNode(root, through)) this.directories.delete(endpointId);
    for (const [endpointId, records] of this.patterns) {
      for (const [pattern, record] of records) if (record.generation <= through) records.delete(pattern);
      if (records.size === 0) this.patterns.delete(endpointId);
    }
    for (const [endpointId, tags] of this.tags) {
      for (const [tag, generation] of tags) if (generation <= through) tags.delete(tag);
      if (tags.size === 0) this.tags.delete(endpointId);
    }
  }

  /** Whether no record is kept (cheap, unlike `size`: asked on every hit). */
  get empty(): boolean {
    return this.everything === 0 && this.files.size === 0 && this.directories.size === 0 && this.patterns.size === 0 && this.tags.size === 0;
  }

  /** File records, trie nodes, patterns and tags kept. */
  get size(): number {
    let nodes = 0;
    const count = (node: DirectoryNode): void => {
      nodes += 1;
      for (const child of node.children.values()) count(child);
    };
    for (const root of this.directories.values()) count(root);
    let patterns = 0;
    for (const records of this.patterns.values()) patterns += records.size;
    for (const tags of this.tags.values()) patterns += tags.size;
    return this.files.size + nodes + patterns + (this.everything > 0 ? 1 : 0);
  }
}

/** Prunes below `node`; true when nothing of it is left to keep. */
function pruneNode(node: DirectoryNode, through: number): boolean {
  for (const [segment, child] of node.children) if (pruneNode(child, through)) node.children.delete(segment);
  if (node.generation <= through) node.generation = 0;
  return node.generation === 0 && node.children.size === 0;
}

function newNode(): DirectoryNode {
  return { generation: 0, children: new Map() };
}

export function pathKey(endpointId: string, path: string): string {
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
