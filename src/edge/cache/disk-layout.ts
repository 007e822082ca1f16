/**
 * One disk directory (--edge-disk-dir) holds the disk tier of one edge process at its top, or,
 * under --edge-workers N, worker i's at worker-i. At start, what another N left there is
 * deleted: a change of N would otherwise leave the old layout's files on disk for good, outside
 * --edge-disk-bytes and never served.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DISK_TIER_ENTRIES } from './disk-tier.js';

export function workerDiskDir(dir: string, slot: number): string {
  return join(dir, `worker-${slot}`);
}

export function settleDiskLayout(dir: string, workers: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // Not made yet.
  }
  for (const name of names) {
    const slot = /^worker-(\d+)$/.exec(name)?.[1];
    const leftOver = slot !== undefined ? workers === 1 || Number(slot) >= workers : workers > 1 && DISK_TIER_ENTRIES.includes(name);
    if (leftOver) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
