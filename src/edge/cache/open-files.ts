/**
 * Files of the disk tier kept open between hits, so a hit on a hot object costs one read on
 * Node's thread pool rather than open, fstat, read and close (four round trips; the profile of
 * 1 MiB disk hits had the three extra ones at a fifth of the edge's CPU). nginx keeps
 * descriptors the same way (`open_file_cache`).
 *
 * - Bounded: at most `max` files open; past it the least recently used one that no hit is
 *   reading is closed.
 * - A file the tier removes (evicted, purged, replaced by a newer copy, rewritten) is
 *   `forget`-ten: closed once the hits reading it now are done, and never handed out again. The
 *   tier's file names are never reused, so a name always means the same file.
 * - Whoever takes a file checks its length against the body's with fstat (synchronous: on an
 *   open descriptor it reads the inode in memory, no disk), so a file cut short after it was
 *   opened is found on every hit as it was when each hit opened it.
 */
import { fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** A file taken for one hit: give it back with `release` once read (or not needed). */
export interface FileLease {
  readonly handle: FileHandle;
  release(): void;
}

interface OpenFile {
  readonly opening: Promise<FileHandle | undefined>;
  handle: FileHandle | undefined;
  /** Hits holding it now. */
  readers: number;
  /** Forgotten or pushed out: closed when the last reader releases it. */
  retired: boolean;
}

export class OpenFiles {
  /** By path, least recently used first. */
  private readonly files = new Map<string, OpenFile>();

  constructor(private readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 0) throw new Error(`the most open files must be a non-negative integer, not ${max}`);
  }

  /** Files open (or opening) now and kept. */
  get size(): number {
    return this.files.size;
  }

  /**
   * The file at `path`, open, when it is there and `length` bytes long; undefined when it is
   * missing or of another length. Throws what opening it threw otherwise (EMFILE, say).
   * `removed`: whether the tier has let the file go meanwhile (a hit that found the object just
   * before); such a file is read by this hit and closed after it, not kept.
   */
  async take(path: string, length: number, removed?: () => boolean): Promise<FileLease | undefined> {
    let file = this.files.get(path);
    if (file) {
      // Most recently used last.
      this.files.delete(path);
      this.files.set(path, file);
      file.readers++;
    } else {
      // Held (readers: 1) before trimming, so that trimming never closes it under this hit.
      file = { opening: open(path, 'r').then(undefined, ignoreMissing), handle: undefined, readers: 1, retired: false };
      this.files.set(path, file);
      this.trim();
    }
    let handle: FileHandle | undefined;
    try {
      handle = file.handle ?? (await file.opening);
      if (handle && !file.handle) file.handle = handle;
      if (removed?.()) this.drop(path, file);
      if (!handle) {
        this.drop(path, file);
        return this.lease(file, undefined);
      }
      if (fstatSync(handle.fd).size !== length) return this.lease(file, undefined);
    } catch (error) {
      this.drop(path, file);
      this.lease(file, undefined);
      throw error;
    }
    return this.lease(file, handle);
  }

  /** The file at `path` is no longer the tier's: closed as soon as no hit reads it, never handed out again. */
  forget(path: string): void {
    const file = this.files.get(path);
    if (file) this.drop(path, file);
  }

  /** Closes every file (readers still holding one have it closed when they release it). */
  closeAll(): void {
    for (const [path, file] of [...this.files]) this.drop(path, file);
  }

  /** Gives `file` to a hit (the handle), or undoes the hit's hold (undefined). */
  private lease(file: OpenFile, handle: FileHandle | undefined): FileLease | undefined {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--file.readers === 0 && file.retired) void file.handle?.close().catch(() => undefined);
    };
    if (!handle) return void release();
    return { handle, release };
  }

  private drop(path: string, file: OpenFile): void {
    if (this.files.get(path) === file) this.files.delete(path);
    if (file.retired) return;
    file.retired = true;
    if (file.readers > 0) return;
    if (file.handle) void file.handle.close().catch(() => undefined);
    // Still opening (a reader left before it ended): closed when it does.
    else void file.opening.then((handle) => handle?.close().catch(() => undefined));
  }

  /** Closes the least recently used files no hit is reading, while more than `max` are kept. */
  private trim(): void {
    if (this.files.size <= this.max) return;
    for (const [path, file] of this.files) {
      if (this.files.size <= this.max) break;
      if (file.readers === 0) this.drop(path, file);
    }
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}
