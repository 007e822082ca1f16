/** The typed settings of the scaled shape's processes, from flags and environment, checked at once. */
import { hostname } from 'node:os';
import { EDGE_ID_PATTERN } from '../fleet/nats/protocol.js';
import type { NatsSettings } from '../fleet/nats/connection.js';
import { FLEET_OPTIONS, type FleetOptionFlag } from './options.js';
import { ConfigError, numberReaders, rawValues } from './serve-config.js';

export interface FleetConfig {
  readonly nats: NatsSettings;
  readonly edgeId: string;
  readonly leaseMs: number;
  readonly edgeStatusPort: number | undefined;
  readonly logMaxMessages: number;
  readonly operatorToken: string | undefined;
  readonly operationLeaseMs: number;
}

/** The shortest lease: heartbeats go at a fifth of it, and a round trip must fit. */
const MIN_LEASE_MS = 500;

export function loadFleetConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): FleetConfig {
  const raw = rawValues<FleetOptionFlag>(flags, env, FLEET_OPTIONS);
  const problems: string[] = [];
  const { where, port, count } = numberReaders(raw, problems, FLEET_OPTIONS);

  const url = raw.get('nats-url')!;
  for (const server of url.split(',').map((s) => s.trim())) {
    if (!/^(nats|tls):\/\/[^\s/]+$|^[^\s/:]+(:\d+)?$/.test(server)) problems.push(`${where('nats-url')} "${server}" must be nats://host:port or tls://host:port.`);
  }
  const edgeId = raw.get('edge-id') ?? defaultEdgeId();
  if (!EDGE_ID_PATTERN.test(edgeId)) problems.push(`${where('edge-id')} "${edgeId}" must be 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit.`);
  if (raw.has('nats-password') && !raw.has('nats-user')) problems.push(`${where('nats-password')} needs ${where('nats-user')}.`);
  if (raw.has('nats-tls-cert') !== raw.has('nats-tls-key')) problems.push(`${where('nats-tls-cert')} and ${where('nats-tls-key')} go together.`);
  const edgeStatusPort = raw.has('edge-status-port') ? port('edge-status-port') : undefined;
  const config: FleetConfig = {
    nats: {
      url,
      ...optional('user', raw.get('nats-user')),
      ...optional('password', raw.get('nats-password')),
      ...optional('token', raw.get('nats-token')),
      ...optional('credsFile', raw.get('nats-creds')),
      ...optional('tlsCaFile', raw.get('nats-tls-ca')),
      ...optional('tlsCertFile', raw.get('nats-tls-cert')),
      ...optional('tlsKeyFile', raw.get('nats-tls-key')),
    },
    edgeId,
    leaseMs: count('edge-lease-ms', MIN_LEASE_MS),
    edgeStatusPort,
    logMaxMessages: count('fleet-log-max-messages', 1),
    operatorToken: raw.get('operator-token'),
    operationLeaseMs: count('operation-lease-ms', 1_000),
  };
  if (config.operatorToken !== undefined && config.operatorToken.length < 16) problems.push(`${where('operator-token')} must be at least 16 characters (use e.g. "openssl rand -base64 32").`);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The host name as an edge id: one edge per host is the usual layout. */
function defaultEdgeId(): string {
  return hostname().toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[-_]+/, '').slice(0, 63) || 'edge';
}
