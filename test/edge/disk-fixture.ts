/** What the disk-tier tests share: temporary cache directories, the object files in one, a crash after a purge, and polling. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, expect } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new directory for a disk tier, removed after the test. */
export function diskDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-disk-tier-'));
  dirs.push(dir);
  return dir;
}

/** The object files the tier in `dir` holds now. */
export function objectFiles(dir: string): string[] {
  const objects = join(dir, 'objects');
  return readdirSync(objects).flatMap((sub) => readdirSync(join(objects, sub)).map((name) => join(objects, sub, name)));
}

/**
 * Leaves `dir` as an edge that died as soon as `purge` returned would (its work is done before
 * its promise is returned): the tier's one object file as it was before the purge, and the
 * journal as the purge wrote it. Closes the edge.
 */
export async function crashAfterPurge(edge: { close(): Promise<void> }, dir: string, purge: () => unknown): Promise<void> {
  const [file] = objectFiles(dir);
  const journal = join(dir, 'purges.jsonl');
  const object = readFileSync(file!);
  void purge();
  const record = readFileSync(journal);
  await edge.close();
  for (const left of objectFiles(dir)) rmSync(left);
  writeFileSync(file!, object);
  writeFileSync(journal, record);
}

/** Polls until `condition` holds (5 s at most), then asserts it. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition(), what).toBe(true);
}
