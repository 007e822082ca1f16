/** --edge-origin-deny, checked at start like every setting (issue 9, item 7). */
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../../src/config/serve-config.js';
import { problemsOf } from './config-problems.js';
import { PRIVATE_RANGES } from '../../../src/edge/policy/origin-address.js';

describe('--edge-origin-deny', () => {
  it('is empty by default, so origins on 127.0.0.1 work in development', () => {
    expect(loadServeConfig({}, {}).edge.originDeny).toEqual([]);
  });

  it('takes private and CIDR ranges, from the flag or MOONCDN_EDGE_ORIGIN_DENY', () => {
    expect(loadServeConfig({ edgeOriginDeny: 'private' }, {}).edge.originDeny).toEqual(PRIVATE_RANGES);
    expect(loadServeConfig({}, { MOONCDN_EDGE_ORIGIN_DENY: '192.0.2.0/24' }).edge.originDeny).toEqual([{ address: '192.0.2.0', prefix: 24, family: 'ipv4' }]);
  });

  it('stops the start naming the setting and the entry to fix', () => {
    expect(problemsOf(() => loadServeConfig({ edgeOriginDeny: 'private, 10.0.0.0/40' }, {}))).toEqual([
      '--edge-origin-deny (MOONCDN_EDGE_ORIGIN_DENY): "10.0.0.0/40" is not a CIDR range (such as 10.0.0.0/8 or fc00::/7), an IP address, or the keyword "private"; give a comma-separated list of those.',
    ]);
  });
});
