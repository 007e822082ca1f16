/** GET of one operation: the source page of the whole project. */
import { Type } from '@sinclair/typebox';
import { Errors } from '../../contract/errors.js';
import { ErrorResponse } from '../../contract/schemas/api-response.js';
import { Operation } from '../../contract/schemas/operation.js';
import type { Endpoint } from '../../domain/endpoint.js';
import type { Repositories } from '../../store/store.js';
import { presentOperation } from '../presenters.js';
import { ApiVersionQuery, EndpointParams, SIGNED, UuidParam } from '../route-params.js';
import type { App } from '../types.js';
import { authOf, type RouteDeps } from './route-deps.js';

/**
 * The endpoint whose operations are read. Unlike other routes this accepts a deleted
 * endpoint, so a client polling its DeleteEndpoint operation sees it reach Succeeded.
 */
export async function findEndpointOfOperations(repos: Repositories, subscriptionId: string, endpointId: string): Promise<Endpoint> {
  const endpoint = await repos.endpoints.get(endpointId);
  if (!endpoint) throw Errors.endpointNotFound(endpointId);
  if (endpoint.subscriptionId !== subscriptionId) throw Errors.endpointDoesNotBelongToSubscription(endpointId, subscriptionId);
  return endpoint;
}

export function operationRoutes(app: App, { store }: RouteDeps): void {
  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/operations/:operationId', {
    config: { permission: 'read', polled: true },
    schema: {
      operationId: 'ListOperation', tags: ['Operations'], security: SIGNED,
      params: Type.Object({ ...EndpointParams.properties, operationId: UuidParam }), querystring: ApiVersionQuery,
      response: { 200: Operation, default: ErrorResponse },
    },
    handler: async (request) => {
      const endpoint = await findEndpointOfOperations(store, authOf(request).subscriptionId, request.params.endpointId.toLowerCase());
      const operation = await store.operations.get(request.params.operationId.toLowerCase());
      if (!operation || operation.endpointId !== endpoint.id) {
        throw Errors.resourceNotFound(`Operation "${request.params.operationId}" does not exist for endpoint "${endpoint.id}".`);
      }
      return presentOperation(operation);
    },
  });
}
