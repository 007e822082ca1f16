/** Purges and preloads: accepted as operations; their per-URL results read by operation id (extension: after wait=N). */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '../../contract/errors.js';
import { AsyncResponse, ErrorResponse } from '../../contract/schemas/api-response.js';
import { PreloadParameters, PreloadResult, PurgeParameters, PurgeResult } from '../../contract/schemas/purge-preload.js';
import { OperationWaitQuery } from '../../contract/schemas/operation-completion.js';
import type { OperationRecord, OperationType } from '../../domain/operation.js';
import { clientGone, longPollDescription, parseWaitSeconds, readAfterWait } from '../completion/long-poll.js';
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
      operationId: 'Endpoints_GetPurgeContent', tags: ['Purge'], security: SIGNED, description: longPollDescription('each URL\'s status, and each edge\'s'),
      params: Type.Object({ ...EndpointParams.properties, purgeId: UuidParam }), querystring: OperationWaitQuery,
      response: { 200: PurgeResult, default: ErrorResponse },
    },
    handler: async (request, reply) => {
      const { operation, items, edges } = await resultOf(deps, request, reply, { ...request.params, id: request.params.purgeId, wait: request.query.wait }, 'Purge');
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
      operationId: 'Endpoints_GetPreloadContent', tags: ['Preload'], security: SIGNED, description: longPollDescription('each URL\'s status, and each edge\'s'),
      params: Type.Object({ ...EndpointParams.properties, preloadId: UuidParam }), querystring: OperationWaitQuery,
      response: { 200: PreloadResult, default: ErrorResponse },
    },
    handler: async (request, reply) => {
      const { items, edges } = await resultOf(deps, request, reply, { ...request.params, id: request.params.preloadId, wait: request.query.wait }, 'Preload');
      return presentPreloadResult(items, edges);
    },
  });
}

/** The purge's or preload's items and edges, once `wait` (the long-poll extension) allows. */
async function resultOf(
  deps: RouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  { endpointId, id, wait }: { endpointId: string; id: string; wait: string | undefined },
  type: OperationType,
) {
  const waitSeconds = parseWaitSeconds(wait);
  const endpoint = await findEndpointOfOperations(deps.store, authOf(request).subscriptionId, endpointId.toLowerCase());
  const read = async (): Promise<OperationRecord> => {
    const operation = await deps.store.operations.get(id.toLowerCase());
    if (!operation || operation.type !== type || operation.endpointId !== endpoint.id) {
      throw Errors.resourceNotFound(`${type} "${id}" does not exist for endpoint "${endpoint.id}".`);
    }
    return operation;
  };
  const operation = await readAfterWait(deps.watch, read, waitSeconds, clientGone(reply));
  const [items, edges] = await Promise.all([deps.store.operations.listItems(operation.id), deps.store.edges.outcomesOf(operation.id)]);
  return { operation, items, edges };
}
