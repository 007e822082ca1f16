/** Builds the configuration edges get for an endpoint, with its bound certificate. */
import type { Endpoint } from '../domain/endpoint.js';
import { edgeConfigOf, type EdgeEndpointConfig } from './edge-config.js';
import type { Repositories } from '../store/store.js';

export async function loadEdgeConfig(repos: Repositories, endpoint: Endpoint): Promise<EdgeEndpointConfig> {
  if (endpoint.certificateId === null) return edgeConfigOf(endpoint, null);
  const certificate = await repos.certificates.get(endpoint.certificateId);
  return edgeConfigOf(
    endpoint,
    certificate ? { id: certificate.id, certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem } : null,
  );
}

/** LifetimeStatuses whose configuration edges have (or are about to have): what they serve. */
export function isServedByEdges(endpoint: Endpoint): boolean {
  return !['Creating', 'CreationFailed', 'Deleted'].includes(endpoint.lifetimeStatus);
}
