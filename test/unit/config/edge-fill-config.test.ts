/** --edge-fill-bytes and --edge-origin-min-bytes-per-second (issue 9, items 3 and 13). */
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { problemsOf } from './config-problems.js';

describe('--edge-fill-bytes', () => {
  it('is 64 MiB by default, or the maximum object size when that is larger', () => {
    expect(loadServeConfig({}, {}).edge.fillBytes).toBe(64 * 1024 * 1024);
    expect(loadServeConfig({ edgeCacheBytes: String(1 << 30), edgeMaxObjectBytes: String(100 << 20) }, {}).edge.fillBytes).toBe(100 << 20);
    expect(loadServeConfig({}, { MOONCDN_EDGE_FILL_BYTES: String(40 << 20) }).edge.fillBytes).toBe(40 << 20);
  });

  it('must hold at least one object of the maximum size', () => {
    expect(problemsOf(() => loadServeConfig({ edgeFillBytes: '1000' }, {}))).toEqual([
      `--edge-fill-bytes (MOONCDN_EDGE_FILL_BYTES) (1000) must be at least --edge-max-object-bytes (MOONCDN_EDGE_MAX_OBJECT_BYTES) (${32 << 20}): a fill holds a whole object on its way into the cache.`,
    ]);
  });
});

describe('--edge-origin-min-bytes-per-second', () => {
  it('is 1024 by default; 0 turns it off; it must be a whole number', () => {
    expect(loadServeConfig({}, {}).edge.originMinBytesPerSecond).toBe(1024);
    expect(loadServeConfig({ edgeOriginMinBytesPerSecond: '0' }, {}).edge.originMinBytesPerSecond).toBe(0);
    expect(problemsOf(() => loadServeConfig({ edgeOriginMinBytesPerSecond: 'fast' }, {}))).toEqual([
      '--edge-origin-min-bytes-per-second (MOONCDN_EDGE_ORIGIN_MIN_BYTES_PER_SECOND) "fast" must be a whole number of at least 0.',
    ]);
  });
});
