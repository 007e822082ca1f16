/** GET of one operation (the source page of the whole project), and the history (an extension). */
import { Type } from '@sinclair/typebox';
import { Errors } from '../../contract/errors.js';
import { ErrorResponse } from '../../contract/schemas/api-response.js';
import { Operation } from '../../contract/schemas/operation.js';
import { OperationHistory, OperationHistoryQuery } from '../../contract/schemas/operation-history.js';
import { encodeContinuationToken, parseHistoryQuery } from '../../domain/operation-history.js';
import type { Endpoint } from '../../domain/endpoint.js';
import type { OperationRecord } from '../../domain/operation.js';
import type { Repositories } from '../../store/store.js';
import { presentOperation } from '../presenters.js';
import { ApiVersionQuery, EndpointParams, SIGNED, SubscriptionParams, UuidParam } from '../route-params.js';
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

const HISTORY = 'Extension (not in the v1.0 API): past and pending operations, newest first, a page at a time. ' +
  'Filters: status, type, startTime and endTime (when accepted). top is the page size (1 to 500, default 50); ' +
  'continuationToken is the previous page\'s ContinuationToken. Operations accepted while paging do not appear in later pages.';

export function operationRoutes(app: App, { store }: RouteDeps): void {
  app.get('/subscriptions/:subscriptionId/operations', {
    config: { permission: 'read' },
    schema: {
      operationId: 'ListSubscriptionOperations', tags: ['Operations'], security: SIGNED, description: HISTORY,
      params: SubscriptionParams, querystring: OperationHistoryQuery,
      response: { 200: OperationHistory, default: ErrorResponse },
    },
    handler: async (request) => {
      const query = parseHistoryQuery(request.query);
      return presentHistory(await store.operations.listHistory({ subscriptionId: authOf(request).subscriptionId }, query));
    },
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/operations', {
    config: { permission: 'read' },
    schema: {
      operationId: 'ListEndpointOperations', tags: ['Operations'], security: SIGNED, description: HISTORY,
      params: EndpointParams, querystring: OperationHistoryQuery,
      response: { 200: OperationHistory, default: ErrorResponse },
    },
    handler: async (request) => {
      const { subscriptionId } = authOf(request);
      const endpoint = await findEndpointOfOperations(store, subscriptionId, request.params.endpointId.toLowerCase());
      const query = parseHistoryQuery(request.query);
      return presentHistory(await store.operations.listHistory({ subscriptionId, endpointId: endpoint.id }, query));
    },
  });

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

function presentHistory(page: { operations: OperationRecord[]; lastSeq?: number }): OperationHistory {
  return {
    Operations: page.operations.map(presentOperation),
    ContinuationToken: page.lastSeq === undefined ? null : encodeContinuationToken(page.lastSeq),
  };
}
