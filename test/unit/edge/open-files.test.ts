/**
 * The disk tier's open files (edge/cache/open-files.ts) on real files: kept open between takes,
 * bounded, never handed out once forgotten (a removed or replaced file), a file cut short after
 * it was opened refused, and a file forgotten while read closed only once its reader is done.
 */
import { mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpenFiles } from '../../../src/edge/cache/open-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileWith(contents: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-open-files-'));
  dirs.push(dir);
  const path = join(dir, 'object');
  writeFileSync(path, contents);
  return path;
}

async function contents(files: OpenFiles, path: string, length: number): Promise<string | undefined> {
  const file = await files.take(path, length);
  if (!file) return undefined;
  try {
    const bytes = Buffer.alloc(length);
    await file.handle.read(bytes, 0, length, 0);
    return bytes.toString();
  } finally {
    file.release();
  }
}

describe('open files of the disk tier', () => {
  it('keeps a file open between takes: the same descriptor each time', async () => {
    const files = new OpenFiles(4);
    const path = fileWith('hello');
    const first = (await files.take(path, 5))!;
    first.release();
    const second = (await files.take(path, 5))!;
    second.release();
    expect([second.handle, second.handle.fd > 0, files.size]).toEqual([first.handle, true, 1]);
  });

  it('refuses a missing file and one whose length is not the expected one, also once it is open', async () => {
    const files = new OpenFiles(4);
    const path = fileWith('0123456789');
    expect(await files.take(`${path}-missing`, 10)).toBeUndefined();
    expect(await files.take(path, 11)).toBeUndefined();
    expect(await contents(files, path, 10)).toBe('0123456789');
    truncateSync(path, 4);
    expect(await files.take(path, 10)).toBeUndefined();
  });

  it('never hands out a forgotten file: a removed one is gone, a replaced one is read anew', async () => {
    const files = new OpenFiles(4);
    const path = fileWith('old!');
    expect(await contents(files, path, 4)).toBe('old!');
    files.forget(path);
    unlinkSync(path);
    expect(await files.take(path, 4)).toBeUndefined();
    writeFileSync(path, 'new!');
    expect(await contents(files, path, 4)).toBe('new!');
  });

  it('closes a forgotten file only once the reader holding it releases it', async () => {
    const files = new OpenFiles(4);
    const path = fileWith('abcd');
    const reading = (await files.take(path, 4))!;
    files.forget(path);
    expect(files.size).toBe(0);
    const bytes = Buffer.alloc(4);
    await reading.handle.read(bytes, 0, 4, 0);
    expect(bytes.toString()).toBe('abcd');
    reading.release();
    await vi.waitFor(() => expect(reading.handle.fd).toBe(-1));
  });

  it('does not keep a file the tier let go while it was being opened', async () => {
    const files = new OpenFiles(4);
    const path = fileWith('abcd');
    const file = (await files.take(path, 4, () => true))!;
    expect(files.size).toBe(0);
    file.release();
    await vi.waitFor(() => expect(file.handle.fd).toBe(-1));
  });

  it('keeps at most its bound open, closing the least recently used one nobody reads', async () => {
    const files = new OpenFiles(2);
    const paths = [fileWith('a'), fileWith('b'), fileWith('c')];
    const handles: FileHandle[] = [];
    for (const path of paths) {
      const file = (await files.take(path, 1))!;
      handles.push(file.handle);
      file.release();
    }
    expect(files.size).toBe(2);
    await vi.waitFor(() => expect(handles.map((handle) => handle.fd === -1)).toEqual([true, false, false]));
    // One being read is not closed, even past the bound; the next least recently used is.
    const held = (await files.take(paths[1]!, 1))!;
    (await files.take(paths[0]!, 1))!.release();
    await vi.waitFor(() => expect(handles[2]!.fd).toBe(-1));
    expect([held.handle.fd !== -1, files.size]).toEqual([true, 2]);
    held.release();
  });
});
