/** Finding an endpoint the caller's subscription owns, with the contract's errors. */
import { Errors } from '../contract/errors.js';
import type { Endpoint } from '../domain/endpoint.js';
import type { Repositories } from '../store/store.js';

/**
 * The live endpoint `endpointId` of `subscriptionId`: EndpointNotFound when there is none (or
 * it was deleted), EndpointDoesNotBelongToSubscription when another subscription owns it.
 */
export async function findOwnedEndpoint(repos: Repositories, subscriptionId: string, endpointId: string): Promise<Endpoint> {
  const endpoint = await repos.endpoints.get(endpointId);
  if (!endpoint || endpoint.lifetimeStatus === 'Deleted') throw Errors.endpointNotFound(endpointId);
  if (endpoint.subscriptionId !== subscriptionId) throw Errors.endpointDoesNotBelongToSubscription(endpointId, subscriptionId);
  return endpoint;
}
