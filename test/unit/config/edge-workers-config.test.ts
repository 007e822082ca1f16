/** --edge-workers (issue 12, item 4): how many, and each worker's share of the budgets. */
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { workerSettings } from '../../../src/server/edge-workers.js';
import { problemsOf } from './config-problems.js';

describe('--edge-workers', () => {
  it('is 1 by default (the edge in the process); from the flag or MOONCDN_EDGE_WORKERS', () => {
    expect(loadServeConfig({}, {}).edgeWorkers).toBe(1);
    expect(loadServeConfig({ edgeWorkers: '4' }, {}).edgeWorkers).toBe(4);
    expect(loadServeConfig({}, { MOONCDN_EDGE_WORKERS: '2' }).edgeWorkers).toBe(2);
  });

  it('must be a whole number from 1 to 256', () => {
    expect(problemsOf(() => loadServeConfig({ edgeWorkers: '0' }, {}))).toEqual(['--edge-workers (MOONCDN_EDGE_WORKERS) "0" must be a whole number of at least 1.']);
    expect(problemsOf(() => loadServeConfig({ edgeWorkers: 'all' }, {}))).toEqual(['--edge-workers (MOONCDN_EDGE_WORKERS) "all" must be a whole number of at least 1.']);
    expect(problemsOf(() => loadServeConfig({ edgeWorkers: '1000' }, {}))).toEqual(['--edge-workers (MOONCDN_EDGE_WORKERS) (1000) must be at most 256.']);
  });

  it('by default, gives every worker a fill share that holds the largest object', () => {
    const config = loadServeConfig({ edgeWorkers: '4' }, {});
    expect(config.edge.fillBytes).toBe(4 * 32 * 1024 * 1024);
    expect(workerSettings(config.edge, 4, 0).fillBytes).toBe(32 * 1024 * 1024);
  });

  it("refuses budgets whose share cannot hold the largest object, saying which to change", () => {
    expect(problemsOf(() => loadServeConfig({ edgeWorkers: '16', edgeCacheBytes: String(256 << 20) }, {}))).toEqual([
      `--edge-cache-bytes (MOONCDN_EDGE_CACHE_BYTES) (${256 << 20}) is shared by 16 edge workers: each share must hold the largest object (--edge-max-object-bytes (MOONCDN_EDGE_MAX_OBJECT_BYTES), ${32 << 20}); raise the one or lower the other.`,
    ]);
    expect(problemsOf(() => loadServeConfig({ edgeWorkers: '2', edgeFillBytes: String(40 << 20) }, {}))).toEqual([
      `--edge-fill-bytes (MOONCDN_EDGE_FILL_BYTES) (${40 << 20}) is shared by 2 edge workers: each share must be at least --edge-max-object-bytes (MOONCDN_EDGE_MAX_OBJECT_BYTES) (${32 << 20}).`,
    ]);
    expect(problemsOf(() => loadServeConfig({ edgeWorkers: '2', edgeDiskBytes: String(1 << 20), edgeDiskDir: '/tmp/x' }, {}))).toEqual([
      `--edge-disk-bytes (MOONCDN_EDGE_DISK_BYTES) (${1 << 20}) is shared by 2 edge workers: each share must be at least 1048576 (1 MiB).`,
    ]);
  });

  it('gives each worker 1/N of the memory, fill and disk budgets, and a disk directory of its own', () => {
    const config = loadServeConfig({ edgeWorkers: '2', edgeCacheBytes: String(256 << 20), edgeFillBytes: String(64 << 20), edgeDiskBytes: String(1 << 30), edgeDiskDir: '/var/cache/mooncdn' }, {});
    const second = workerSettings(config.edge, 2, 1);
    expect([second.cacheBytes, second.fillBytes, second.disk]).toEqual([128 << 20, 32 << 20, { dir: '/var/cache/mooncdn/worker-1', bytes: 512 << 20 }]);
    expect(workerSettings(config.edge, 2, 0).disk?.dir).toBe('/var/cache/mooncdn/worker-0');
  });
});
