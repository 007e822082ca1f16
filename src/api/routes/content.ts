/** Purges and preloads: accepted as operations; their per-URL results read by operation id. */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Errors } from '../../contract/errors.js';
import { AsyncResponse, ErrorResponse } from '../../contract/schemas/api-response.js';
import { PreloadParameters, PreloadResult, PurgeParameters, PurgeResult } from '../../contract/schemas/purge-preload.js';
import type { OperationType } from '../../domain/operation.js';
import { presentPreloadResult, presentPurgeResult } from '../presenters.js';
import { ApiVersionQuery, EndpointParams, SIGNED, UuidParam } from '../route-params.js';
import type { App } from '../types.js';
import { accepted, authOf, type RouteDeps } from './route-deps.js';
import { findEndpointOfOperations } from './operations.js';

export function contentRoutes(app: App, deps: RouteDeps): void {
  const { commands } = deps;

  app.post('/subscriptions/:subscriptionId/endpoints/:endpointId/purges', {
    config: { permission: 'content' },
    schema: {
      operationId: 'Endpoints_PurgeContent', tags: ['Purge'], security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery, body: PurgeParameters,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(deps, reply, await commands.purge(authOf(request).subscriptionId, request.params.endpointId.toLowerCase(), request.body)),
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/purges/:purgeId', {
    config: { permission: 'read', polled: true },
    schema: {
      operationId: 'Endpoints_GetPurgeContent', tags: ['Purge'], security: SIGNED,
      params: Type.Object({ ...EndpointParams.properties, purgeId: UuidParam }), querystring: ApiVersionQuery,
      response: { 200: PurgeResult, default: ErrorResponse },
    },
    handler: async (request) => {
      const { operation, items, edges } = await resultOf(deps, request, request.params.endpointId, request.params.purgeId, 'Purge');
      return presentPurgeResult(items, edges, operation.payload['soft'] === true);
    },
  });

  app.post('/subscriptions/:subscriptionId/endpoints/:endpointId/preloads', {
    config: { permission: 'content' },
    schema: {
      operationId: 'Endpoints_LoadContent', tags: ['Preload'], security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery, body: PreloadParameters,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(deps, reply, await commands.preload(authOf(request).subscriptionId, request.params.endpointId.toLowerCase(), request.body)),
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/preloads/:preloadId', {
    config: { permission: 'read', polled: true },
    schema: {
      operationId: 'Endpoints_GetPreloadContent', tags: ['Preload'], security: SIGNED,
      params: Type.Object({ ...EndpointParams.properties, preloadId: UuidParam }), querystring: ApiVersionQuery,
      response: { 200: PreloadResult, default: ErrorResponse },
    },
    handler: async (request) => {
      const { items, edges } = await resultOf(deps, request, request.params.endpointId, request.params.preloadId, 'Preload');
      return presentPreloadResult(items, edges);
    },
  });
}

async function resultOf(deps: RouteDeps, request: FastifyRequest, endpointId: string, id: string, type: OperationType) {
  const endpoint = await findEndpointOfOperations(deps.store, authOf(request).subscriptionId, endpointId.toLowerCase());
  const operation = await deps.store.operations.get(id.toLowerCase());
  if (!operation || operation.type !== type || operation.endpointId !== endpoint.id) {
    throw Errors.resourceNotFound(`${type} "${id}" does not exist for endpoint "${endpoint.id}".`);
  }
  const [items, edges] = await Promise.all([deps.store.operations.listItems(operation.id), deps.store.edges.outcomesOf(operation.id)]);
  return { operation, items, edges };
}
