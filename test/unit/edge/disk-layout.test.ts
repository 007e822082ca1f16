/** settleDiskLayout: a disk directory keeps only the layout of the edge processes now using it. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { settleDiskLayout } from '../../../src/edge/cache/disk-layout.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding both layouts' entries and a file of the operator's. */
function mixed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-disk-layout-'));
  dirs.push(dir);
  for (const sub of ['objects/00', 'tmp', 'worker-0/objects', 'worker-1/objects', 'worker-3/objects', 'worker-x']) mkdirSync(join(dir, sub), { recursive: true });
  for (const file of ['objects/00/a', 'purges.jsonl', 'worker-0/objects/b', 'worker-3/objects/c', 'NOTES.txt']) writeFileSync(join(dir, file), 'x');
  return dir;
}

it('one process: every worker-i directory goes, its own tier and other names stay', () => {
  const dir = mixed();
  settleDiskLayout(dir, 1);
  expect(readdirSync(dir).sort()).toEqual(['NOTES.txt', 'objects', 'purges.jsonl', 'tmp', 'worker-x']);
  expect(readdirSync(join(dir, 'objects/00'))).toEqual(['a']);
});

it('N workers: the top-level tier and the directories of workers N and up go; workers 0 to N-1 keep theirs', () => {
  const dir = mixed();
  settleDiskLayout(dir, 2);
  expect(readdirSync(dir).sort()).toEqual(['NOTES.txt', 'worker-0', 'worker-1', 'worker-x']);
  expect(readdirSync(join(dir, 'worker-0/objects'))).toEqual(['b']);
});

it('a directory not made yet is left to the tier to make', () => {
  expect(() => settleDiskLayout(join(tmpdir(), `mooncdn-missing-${process.pid}`), 2)).not.toThrow();
});
