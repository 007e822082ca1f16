/** An endpoint as the edge serves it: its settings, compiled access rules, TLS and counters. */
import type { SecureContext } from 'node:tls';
import type { EdgeEndpointConfig } from '../operations/edge-config.js';
import type { EndpointCounters } from './endpoint-metrics.js';
import type { CompiledAccess } from './policy/access.js';

export interface Served {
  readonly config: EdgeEndpointConfig;
  readonly access: CompiledAccess;
  readonly secureContext: SecureContext | undefined;
  readonly counters: EndpointCounters | undefined;
}
