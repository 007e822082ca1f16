/** Finding an endpoint the caller's subscription owns, with the contract's errors. */
import { Errors } from '../contract/errors.js';
import type { Endpoint } from '../domain/endpoint.js';
import type { Repositories } from '../store/store.js';

/**
 * The live endpoint `endpointId` of `subscriptionId`: EndpointNotFound when there is none (or
 * it was deleted), EndpointDoesNotBelongToSubscription when another subscription owns it.
 * With `forUpdate` (inside a transaction) the endpoint stays locked until it ends.
 */
export async function findOwnedEndpoint(repos: Repositories, subscriptionId: string, endpointId: string, forUpdate = false): Promise<Endpoint> {
  const endpoint = await (forUpdate ? repos.endpoints.getForUpdate(endpointId) : repos.endpoints.get(endpointId));
  if (!endpoint || endpoint.lifetimeStatus === 'Deleted') throw Errors.endpointNotFound(endpointId);
  if (endpoint.subscriptionId !== subscriptionId) throw Errors.endpointDoesNotBelongToSubscription(endpointId, subscriptionId);
  return endpoint;
}
