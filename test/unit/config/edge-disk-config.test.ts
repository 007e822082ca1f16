/** --edge-disk-bytes and --edge-disk-dir (issue 12, item 3). */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { problemsOf } from './config-problems.js';

describe('the edge disk tier settings', () => {
  it('are off by default', () => {
    expect(loadServeConfig({}, {}).edge.disk).toBeUndefined();
  });

  it('a byte budget turns it on, in <data-dir>/edge-cache unless a directory is given', () => {
    expect(loadServeConfig({ dataDir: '/var/lib/mooncdn' }, { MOONCDN_EDGE_DISK_BYTES: String(1 << 30) }).edge.disk).toEqual({ dir: join('/var/lib/mooncdn', 'edge-cache'), bytes: 1 << 30 });
    expect(loadServeConfig({ edgeDiskBytes: String(1 << 30) }, { MOONCDN_EDGE_DISK_DIR: 'cache' }).edge.disk).toEqual({ dir: resolve('cache'), bytes: 1 << 30 });
  });

  it('refuses a directory without a budget, and a budget too small to be worth it', () => {
    expect(problemsOf(() => loadServeConfig({ edgeDiskDir: '/tmp/x' }, {}))).toEqual([
      '--edge-disk-dir (MOONCDN_EDGE_DISK_DIR) is set but --edge-disk-bytes (MOONCDN_EDGE_DISK_BYTES) is 0: give the disk tier a byte budget, or leave out the directory.',
    ]);
    expect(problemsOf(() => loadServeConfig({ edgeDiskBytes: '1000' }, {}))).toEqual([
      '--edge-disk-bytes (MOONCDN_EDGE_DISK_BYTES) (1000) must be 0 (no disk tier) or at least 1048576 (1 MiB).',
    ]);
  });
});
