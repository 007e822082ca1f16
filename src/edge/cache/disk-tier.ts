/**
 * The disk tier: objects the memory store evicts (and objects too large for memory) kept in
 * files under a directory, within a byte budget of their own, least recently used out; hits on
 * them are streamed from the file (edge-node.ts). The memory store owns it and asks it
 * (memory-store.ts): generations and purge records stay one set for both tiers.
 *
 * Layout under `dir`: objects/xx/<hash>-<unique> (one file per object, disk-file.ts), tmp/ for
 * writes in progress, purges.jsonl for the purge records (purge-journal.ts).
 *
 * - A file is written under tmp/ and renamed into objects/ once whole, so a crash leaves at
 *   most a temporary file (deleted at the next start), never half an object under its name.
 *   Every file is also checked by its length at start and each time it is opened to be served
 *   (disk-file.ts), so one cut short anyway (a full disk, power lost before the data reached
 *   the device, someone's truncate) is dropped, never served.
 * - After a restart the index is rebuilt from the files (metadata read back, oldest stored
 *   first in the LRU order); files an expiry or a kept purge record covers are deleted.
 * - The purge records are persisted as they are made, with the generation counter implied by
 *   them and the files: a restart goes on from the largest generation seen, so an object purged
 *   before the restart stays purged after it. Soft purge records (memory-store.ts) doom nothing:
 *   the objects they cover stay, and are made stale again after the restart until their files
 *   are rewritten with the new staleAt (`restale`).
 * - Cache tags are in each file's metadata; the tag index is rebuilt from them at start.
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { variantMatches, type RequestHeaders } from '../policy/vary.js';
import { FileBody, LRU_INTERVAL_MS, type CachedObject } from './cache-store.js';
import { encodeHead, type DiskMetadata } from './disk-file.js';
import { readObjects } from './disk-scan.js';
import { entryId } from './entry-id.js';
import { SlabBody } from './slab-body.js';
import { IoQueue } from './io-queue.js';
import { OpenFiles } from './open-files.js';
import { PurgeJournal } from './purge-journal.js';
import { pathKey, PurgeRecords, type PurgeRecord } from './purge-records.js';

export interface DiskTierOptions {
  readonly dir: string;
  /** Bytes of files (metadata and bodies) the tier may hold. */
  readonly budgetBytes: number;
  /** The largest body it keeps; an eighth of the budget unless given. */
  readonly maxObjectBytes?: number;
  /** How long a hit leaves an object where it is in the LRU order (LRU_INTERVAL_MS unless given). */
  readonly lruIntervalMs?: number;
  /**
   * Bytes of bodies that writes in progress may hold in memory (64 MiB unless given): past it,
   * an object evicted from memory is let go rather than queued for a disk that cannot keep up.
   */
  readonly maxWritingBytes?: number;
  /** Files kept open for hits (open-files.ts); DEFAULT_OPEN_FILES unless given. */
  readonly maxOpenFiles?: number;
  /** Told about files it could not read or delete; nothing is served from them. */
  readonly onError?: (error: Error) => void;
}

interface DiskEntry {
  /** The object as `get` returns it: its body is a FileBody. Replaced when made stale (`restale`). */
  object: CachedObject;
  /** The file's bytes, counted against the budget. */
  size: number;
  touchedAt: number;
}

/** Writes and deletions at once (io-queue.ts): half of Node's default thread pool. */
const IO_CONCURRENCY = 2;

/** What a tier keeps in its directory (a directory given over to edge workers has none of them at its top). */
export const DISK_TIER_ENTRIES: readonly string[] = ['objects', 'tmp', 'purges.jsonl'];

/** Files kept open for hits: the hottest objects' (a quarter of a common 1,024 descriptor limit). */
export const DEFAULT_OPEN_FILES = 256;

export class DiskTier {
  /** Entries by entry id, least recently used first. */
  private readonly entries = new Map<string, DiskEntry>();
  /** Entry ids by cache key (the plain entry and every Vary variant). */
  private readonly byKey = new Map<string, Set<string>>();
  /** Entry ids by endpoint and path, for file purges. */
  private readonly byPath = new Map<string, Set<string>>();
  /** Entry ids by endpoint and tag, for tag purges. */
  private readonly byTag = new Map<string, Set<string>>();
  /** Writes in progress by entry id: the object being written. */
  private readonly writing = new Map<string, CachedObject>();
  /** Entry ids of writes in progress by cache key, and by endpoint and path. */
  private readonly writingByKey = new Map<string, Set<string>>();
  private readonly writingByPath = new Map<string, Set<string>>();
  /** Bytes of files kept and of writes in progress. */
  private used = 0;
  /** Bytes of bodies held in memory by writes in progress, within maxWritingBytes. */
  private writingBytes = 0;
  /** Writes and deletions under way (close waits for them). */
  private readonly pending = new Set<Promise<unknown>>();
  private readonly io = new IoQueue(IO_CONCURRENCY);
  /** Files open for hits; every file the tier lets go is forgotten there (`unlinkLater`). */
  private readonly files: OpenFiles;
  /** Deletions under way: the journal is compacted once there are none. */
  private unlinking = 0;
  private readonly journal: PurgeJournal;
  private compaction: (() => readonly PurgeRecord[]) | undefined;
  private unique = 0;
  private closed = false;
  /** A file could not be deleted: the journal keeps every record until the next start. */
  private unlinkFailed = false;
  private readonly run = randomBytes(4).toString('hex');
  readonly maxObjectBytes: number;
  private readonly lruIntervalMs: number;
  private readonly onError: (error: Error) => void;

  private constructor(
    private readonly options: DiskTierOptions,
    /** The purge records kept when the tier was opened, oldest first. */
    readonly restoredRecords: readonly PurgeRecord[],
    /** The largest generation the files and records had: the counter goes on after it. */
    readonly restoredGeneration: number,
  ) {
    this.maxObjectBytes = options.maxObjectBytes ?? Math.floor(options.budgetBytes / 8);
    this.lruIntervalMs = options.lruIntervalMs ?? LRU_INTERVAL_MS;
    this.onError = options.onError ?? (() => undefined);
    this.journal = new PurgeJournal(join(options.dir, 'purges.jsonl'));
    this.files = new OpenFiles(options.maxOpenFiles ?? DEFAULT_OPEN_FILES);
  }

  /** Files kept open for hits now. */
  get openFiles(): number {
    return this.files.size;
  }

  /**
   * Opens the tier at `options.dir` (created if missing): the purge records are read back, then
   * every object file; what is torn, expired at `now` or purged is deleted, the rest indexed.
   */
  static async open(options: DiskTierOptions, now: number = Date.now()): Promise<DiskTier> {
    const { dir } = options;
    // Files spread over 256 directories by the first byte of their name's hash.
    for (let i = 0; i < 256; i++) mkdirSync(join(dir, 'objects', i.toString(16).padStart(2, '0')), { recursive: true });
    // Writes a crash interrupted: never renamed, never served.
    rmSync(join(dir, 'tmp'), { recursive: true, force: true });
    mkdirSync(join(dir, 'tmp'));
    const records = PurgeJournal.read(join(dir, 'purges.jsonl'));
    const covering = new PurgeRecords();
    let generation = 0;
    for (const record of records) {
      if (!('softAt' in record && record.softAt !== undefined)) covering.apply(record);
      generation = Math.max(generation, record.generation);
    }
    const found = await readObjects(join(dir, 'objects'), options.onError);
    const kept: { metadata: DiskMetadata; file: string; size: number }[] = [];
    const doomed: string[] = [];
    for (const { metadata, file, size } of found) {
      generation = Math.max(generation, metadata.generation);
      const expired = (metadata.deleteAt ?? metadata.staleAt) <= now;
      if (expired || covering.covers(metadata.endpointId, metadata.path, metadata.generation, metadata.tags)) doomed.push(file);
      else kept.push({ metadata, file, size });
    }
    const tier = new DiskTier(options, records, generation);
    // Oldest stored first: the LRU order as well as it can be known after a restart.
    kept.sort((a, b) => a.metadata.storedAt - b.metadata.storedAt);
    for (const { metadata, file, size } of kept) {
      const { bodyLength, ...fields } = metadata;
      const object: CachedObject = { ...fields, body: new FileBody(file, size - bodyLength, bodyLength, tier.files) };
      const id = entryId(object);
      const previous = tier.entries.get(id);
      // Two files for one entry (a crash between a rename and the old file's unlink): the newer wins.
      if (previous) tier.remove(previous.object);
      tier.index(id, object, size);
    }
    for (const file of doomed) tier.unlinkLater(file);
    tier.evictOverBudget();
    return tier;
  }

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    return this.entries.size;
  }

  /**
   * The stored object for `key` whose Vary values match `request` (any, without it), moved in
   * the LRU order at most once per interval. Whether it is purged or expired is the caller's.
   */
  get(key: string, now: number, request?: RequestHeaders): CachedObject | undefined {
    const ids = this.byKey.get(key);
    if (!ids) return undefined;
    for (const id of ids) {
      const entry = this.entries.get(id)!;
      if (request && entry.object.vary && !variantMatches(entry.object.vary, request)) continue;
      if (now - entry.touchedAt >= this.lruIntervalMs) {
        entry.touchedAt = now;
        this.entries.delete(id);
        this.entries.set(id, entry);
      }
      return entry.object;
    }
    return undefined;
  }

  /** Every object kept (for the purge sweep); removing while iterating is allowed. */
  objects(): IterableIterator<DiskEntry> {
    return this.entries.values();
  }

  /**
   * Writes `object` (its body in memory) to a file in the background. Resolves true once it
   * is indexed; false when it does not fit, or when `wanted` says no once it is written (a
   * purge came meanwhile) or another write or a removal superseded it.
   */
  async admit(object: CachedObject, wanted: (object: CachedObject) => boolean): Promise<boolean> {
    const body = object.body;
    if (body instanceof FileBody || !this.accepts(body.length)) return false;
    // Its chunks stay the body's until written, however soon memory lets go of the object.
    if (body instanceof SlabBody) body.acquire();
    try {
      return await this.write(object, body, wanted);
    } finally {
      if (body instanceof SlabBody) body.release();
    }
  }

  private async write(object: CachedObject, body: Buffer | SlabBody, wanted: (object: CachedObject) => boolean): Promise<boolean> {
    const head = encodeHead(object, body.length);
    const size = head.length + body.length;
    if (size > this.options.budgetBytes) return false;
    const id = entryId(object);
    this.stopWriting(id);
    this.writing.set(id, object);
    addIndex(this.writingByKey, object.key, id);
    addIndex(this.writingByPath, pathKey(object.endpointId, object.path), id);
    this.writingBytes += body.length;
    this.used += size;
    this.evictOverBudget();
    const { temporary, file } = this.newFile(id);
    // Close waits until the file is indexed or its deletion started, not just for the write.
    let settled!: () => void;
    this.track(new Promise<void>((resolve) => (settled = resolve)));
    try {
      const written = await this.io.run(() => this.written(temporary, file, [head, ...(body instanceof SlabBody ? body.views : [body])]));
      this.used -= size;
      this.writingBytes -= body.length;
      const current = this.writing.get(id) === object;
      if (current) this.stopWriting(id);
      if (!written) return false;
      if (!current || !wanted(object)) {
        this.unlinkLater(file);
        return false;
      }
      const existing = this.entries.get(id);
      if (existing) this.remove(existing.object);
      this.index(id, { ...object, body: new FileBody(file, head.length, body.length, this.files) }, size);
      this.evictOverBudget();
      return true;
    } finally {
      settled();
    }
  }

  /** A new file name for the entry, and where it is written before it is renamed there. */
  private newFile(id: string): { temporary: string; file: string } {
    const hash = createHash('sha1').update(id).digest('hex');
    const name = `${hash}-${this.run}${(this.unique++).toString(36)}`;
    return { temporary: join(this.options.dir, 'tmp', name), file: join(this.options.dir, 'objects', hash.slice(0, 2), name) };
  }

  /**
   * Replaces the stored `object` by `staled` (the same object and file, made stale by a soft
   * purge) at once, and rewrites its file with the new metadata in the background: read, written
   * under tmp/, renamed, the old file deleted. Undefined when `object` is no longer stored.
   * `rewritten` resolves once the file says what the entry does, or the entry is gone: one that
   * could not be rewritten is dropped, since after a restart its old file would say fresh.
   */
  restale(object: CachedObject, staled: CachedObject): { object: CachedObject; rewritten: Promise<void> } | undefined {
    const id = entryId(object);
    const entry = this.entries.get(id);
    if (!entry || entry.object !== object) return undefined;
    entry.object = staled;
    const rewritten = this.rewrite(id, staled);
    this.track(rewritten);
    return { object: staled, rewritten };
  }

  private async rewrite(id: string, staled: CachedObject): Promise<void> {
    const old = staled.body as FileBody;
    const { temporary, file } = this.newFile(id);
    const current = () => this.entries.get(id)?.object === staled;
    let written = false;
    try {
      const body = await this.io.run(() => readWhole(old));
      const head = encodeHead(staled, old.length);
      written = current() && (await this.io.run(() => this.written(temporary, file, [head, body])));
      const entry = this.entries.get(id);
      if (!written || !entry || entry.object !== staled) {
        if (written) this.unlinkLater(file);
        return;
      }
      const size = head.length + old.length;
      entry.object = { ...staled, body: new FileBody(file, head.length, old.length, this.files) };
      this.used += size - entry.size;
      entry.size = size;
      old.removed = true;
      this.unlinkLater(old.path);
      this.evictOverBudget();
    } catch (error) {
      this.onError(error as Error);
    } finally {
      if (!written && current()) this.remove(staled);
    }
  }

  /** Writes `parts` to `temporary` and renames it to `file`; false (nothing left behind) when that failed. */
  private async written(temporary: string, file: string, parts: readonly Buffer[]): Promise<boolean> {
    try {
      await writeWhole(temporary, parts);
      await rename(temporary, file);
      return true;
    } catch (error) {
      this.onError(error as Error);
      await unlink(temporary).catch(() => undefined);
      return false;
    }
  }

  /** Bytes of bodies that writes in progress may hold in memory. */
  get maxWritingBytes(): number {
    return this.options.maxWritingBytes ?? 64 * 1024 * 1024;
  }

  /** Whether a body of this length would be written now: not too large, and the writes in progress leave room. */
  accepts(bodyLength: number): boolean {
    return bodyLength <= this.maxObjectBytes && this.writingBytes + bodyLength <= this.maxWritingBytes;
  }

  /** Drops the object (one `get` returned), and its file. */
  remove(object: CachedObject): void {
    const id = entryId(object);
    const entry = this.entries.get(id);
    if (!entry || entry.object !== object) return;
    this.entries.delete(id);
    this.used -= entry.size;
    unindex(this.byKey, object.key, id);
    unindex(this.byPath, pathKey(object.endpointId, object.path), id);
    for (const tag of object.tags ?? []) unindex(this.byTag, pathKey(object.endpointId, tag), id);
    (object.body as FileBody).removed = true;
    this.unlinkLater((object.body as FileBody).path);
  }

  /** The objects stored for the path (every query and Vary variant). */
  objectsOfPath(endpointId: string, path: string): CachedObject[] {
    return [...(this.byPath.get(pathKey(endpointId, path)) ?? [])].map((id) => this.entries.get(id)!.object);
  }

  /** The objects stored that carry the tag (writes in progress are the purge records' to refuse). */
  objectsWithTag(endpointId: string, tag: string): CachedObject[] {
    return [...(this.byTag.get(pathKey(endpointId, tag)) ?? [])].map((id) => this.entries.get(id)!.object);
  }

  /** Drops every entry of the key (a newer response was stored in memory), written or being written. */
  removeKey(key: string): void {
    for (const id of [...(this.byKey.get(key) ?? [])]) this.remove(this.entries.get(id)!.object);
    for (const id of [...(this.writingByKey.get(key) ?? [])]) this.stopWriting(id);
  }

  /** Drops every query and Vary variant of the path, written or being written. */
  removePath(endpointId: string, path: string): void {
    for (const id of [...(this.byPath.get(pathKey(endpointId, path)) ?? [])]) this.remove(this.entries.get(id)!.object);
    for (const id of [...(this.writingByPath.get(pathKey(endpointId, path)) ?? [])]) this.stopWriting(id);
  }

  /** Keeps a purge record on disk before the purge returns. */
  recordPurge(record: PurgeRecord): void {
    this.journal.append(record);
  }

  /**
   * Records were pruned: the journal is rewritten with `records()` (asked then) once no file
   * of an object those records covered is still to be deleted.
   */
  compactJournal(records: () => readonly PurgeRecord[]): void {
    this.compaction = records;
    if (this.unlinking === 0) this.compactNow();
  }

  private compactNow(): void {
    if (this.unlinkFailed || this.closed) return;
    const records = this.compaction;
    this.compaction = undefined;
    if (records) this.journal.compact(records());
  }

  /** Waits for the writes and deletions under way, and closes the journal. */
  async close(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    if (this.closed) return;
    this.closed = true;
    this.files.closeAll();
    this.journal.close();
  }


  /** Forgets the write in progress for `id`: when it ends, its file is deleted, not indexed. */
  private stopWriting(id: string): void {
    const object = this.writing.get(id);
    if (!object) return;
    this.writing.delete(id);
    unindex(this.writingByKey, object.key, id);
    unindex(this.writingByPath, pathKey(object.endpointId, object.path), id);
  }

  private index(id: string, object: CachedObject, size: number): void {
    this.entries.set(id, { object, size, touchedAt: -Infinity });
    this.used += size;
    addIndex(this.byKey, object.key, id);
    addIndex(this.byPath, pathKey(object.endpointId, object.path), id);
    for (const tag of object.tags ?? []) addIndex(this.byTag, pathKey(object.endpointId, tag), id);
  }

  private evictOverBudget(): void {
    for (const oldest of this.entries.values()) {
      if (this.used <= this.options.budgetBytes) break;
      this.remove(oldest.object);
    }
  }

  private unlinkLater(file: string): void {
    // No hit takes it from now on; the ones reading it now finish with the bytes they were given.
    this.files.forget(file);
    this.unlinking++;
    const work = this.io
      .run(() => unlink(file))
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return;
        // The file stays: the records that cover it must too, until the next start deletes it.
        this.unlinkFailed = true;
        this.onError(error);
      })
      .finally(() => {
        if (--this.unlinking === 0 && this.compaction && !this.closed) this.compactNow();
      });
    this.track(work);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
  }
}

function addIndex(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new Set()));
  ids.add(id);
}

function unindex(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}

/** A body kept in a file, read whole (bounded by the tier's largest object); throws when it is cut short. */
async function readWhole(body: FileBody): Promise<Buffer> {
  const handle = await open(body.path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(body.length);
    const { bytesRead } = await handle.read(bytes, 0, body.length, body.offset);
    if (bytesRead !== body.length) throw new Error(`a file of the disk tier was cut short: ${body.path}`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Writes all of `parts` to a new file, or throws. */
async function writeWhole(file: string, parts: readonly Buffer[]): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const { bytesWritten } = await handle.writev(parts as Buffer[]);
    if (bytesWritten !== total) throw new Error(`wrote ${bytesWritten} of ${total} bytes to ${file}`);
  } finally {
    await handle.close();
  }
}
