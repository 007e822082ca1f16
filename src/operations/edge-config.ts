/** What an edge needs to serve one endpoint: the whole configuration, pushed as one piece. */
import type { AccessControlPolicy } from '../domain/access-control.js';
import type { CachePolicyRules } from '../domain/cache-policy.js';
import type { Endpoint } from '../domain/endpoint.js';

export interface EdgeCertificate {
  readonly id: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface EdgeEndpointConfig {
  readonly endpointId: string;
  readonly customDomain: string;
  readonly enabled: boolean;
  /** Host header sent to the origin. */
  readonly host: string;
  readonly originAddresses: readonly string[];
  readonly cachePolicy: CachePolicyRules;
  readonly accessControl: AccessControlPolicy;
  readonly certificate: EdgeCertificate | null;
}

export function edgeConfigOf(endpoint: Endpoint, certificate: EdgeCertificate | null): EdgeEndpointConfig {
  return {
    endpointId: endpoint.id,
    customDomain: endpoint.customDomain,
    enabled: endpoint.enabled,
    host: endpoint.host,
    originAddresses: endpoint.originAddresses,
    cachePolicy: endpoint.cachePolicy,
    accessControl: endpoint.accessControl,
    certificate,
  };
}

/** What one purge covers. Paths in normal form (domain/url-path.ts). */
export interface PurgeSet {
  readonly files: readonly string[];
  readonly directories: readonly string[];
  /** Wildcard patterns (domain/path-pattern.ts): "*" is any run of characters, "/" included. */
  readonly patterns: readonly string[];
  /**
   * Cache tags (extension): every object whose tag headers named one (edge/policy/cache-tags.ts).
   * Absent is none, as from a control plane older than tags.
   */
  readonly tags?: readonly string[];
}

/**
 * What an edge drops, and (extension) what it marks stale instead (soft purges: the next request
 * revalidates with the origin). A group of purges carries both parts in one call.
 */
export interface PurgeTarget extends PurgeSet {
  readonly soft?: PurgeSet;
}

export const EMPTY_PURGE_SET: PurgeSet = { files: [], directories: [], patterns: [], tags: [] };

export interface PreloadTarget {
  readonly path: string;
  /** Raw query without "?", or ''. */
  readonly query: string;
}
