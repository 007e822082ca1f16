/** The scaled shape's settings: defaults that work on a laptop, and every bad value named with what to change. */
import { describe, expect, it } from 'vitest';
import { loadFleetConfig } from '../../../src/config/fleet-config.js';
import { problemsOf } from './config-problems.js';

describe('fleet configuration', () => {
  it('defaults to the local NATS, a 10 s lease and the host name as edge id', () => {
    const config = loadFleetConfig({}, {});
    expect(config.nats).toEqual({ url: 'nats://127.0.0.1:4222' });
    expect(config.leaseMs).toBe(10_000);
    expect(config.operationLeaseMs).toBe(30_000);
    expect(config.edgeId).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    expect(config.operatorToken).toBeUndefined();
  });

  it('takes flags over the environment, and secrets only from the environment', () => {
    const config = loadFleetConfig(
      { natsUrl: 'tls://a:4222,tls://b:4222', natsUser: 'edge-1', edgeId: 'edge-1', edgeLeaseMs: '2000', natsPassword: 'from-the-command-line' },
      { MOONCDN_NATS_URL: 'nats://ignored:1', MOONCDN_NATS_PASSWORD: 'secret', MOONCDN_EDGE_LEASE_MS: '9999', MOONCDN_OPERATOR_TOKEN: 'a-long-operator-token' },
    );
    expect(config.nats).toEqual({ url: 'tls://a:4222,tls://b:4222', user: 'edge-1', password: 'secret' });
    expect([config.edgeId, config.leaseMs, config.operatorToken]).toEqual(['edge-1', 2000, 'a-long-operator-token']);
  });

  it('names every bad value at once', () => {
    expect(problemsOf(() => loadFleetConfig({ natsUrl: 'http://x', edgeId: 'Edge.1', edgeLeaseMs: '100', edgeStatusPort: '70000', natsTlsCert: 'c.pem' }, { MOONCDN_NATS_PASSWORD: 'p', MOONCDN_OPERATOR_TOKEN: 'short' }))).toEqual([
      '--nats-url (MOONCDN_NATS_URL) "http://x" must be nats://host:port or tls://host:port.',
      '--edge-id (MOONCDN_EDGE_ID) "Edge.1" must be 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit.',
      'MOONCDN_NATS_PASSWORD needs --nats-user (MOONCDN_NATS_USER).',
      '--nats-tls-cert (MOONCDN_NATS_TLS_CERT) and --nats-tls-key (MOONCDN_NATS_TLS_KEY) go together.',
      '--edge-status-port (MOONCDN_EDGE_STATUS_PORT) "70000" is not a port number from 0 to 65535.',
      '--edge-lease-ms (MOONCDN_EDGE_LEASE_MS) "100" must be a whole number of at least 500.',
      'MOONCDN_OPERATOR_TOKEN must be at least 16 characters (use e.g. "openssl rand -base64 32").',
    ]);
  });
});
