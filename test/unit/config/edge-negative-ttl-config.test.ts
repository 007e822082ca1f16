/** --edge-negative-ttl-seconds (issue 10, fault 4). */
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { problemsOf } from './config-problems.js';

describe('--edge-negative-ttl-seconds', () => {
  it('is 10 by default; the flag and the environment set it; 0 is allowed', () => {
    expect(loadServeConfig({}, {}).edge.negativeTtlSeconds).toBe(10);
    expect(loadServeConfig({ edgeNegativeTtlSeconds: '0' }, {}).edge.negativeTtlSeconds).toBe(0);
    expect(loadServeConfig({}, { MOONCDN_EDGE_NEGATIVE_TTL_SECONDS: '60' }).edge.negativeTtlSeconds).toBe(60);
  });

  it('must be whole seconds, at most a day', () => {
    expect(problemsOf(() => loadServeConfig({ edgeNegativeTtlSeconds: '1.5' }, {}))).toEqual([
      '--edge-negative-ttl-seconds (MOONCDN_EDGE_NEGATIVE_TTL_SECONDS) "1.5" must be a whole number of at least 0.',
    ]);
    expect(problemsOf(() => loadServeConfig({ edgeNegativeTtlSeconds: '86401' }, {}))).toEqual([
      "--edge-negative-ttl-seconds (MOONCDN_EDGE_NEGATIVE_TTL_SECONDS) (86401) must be at most 86400: negative answers are kept briefly; give a longer life with the origin's Cache-Control.",
    ]);
  });
});
