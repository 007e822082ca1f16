/**
 * GET of one operation (the source page of the whole project), with the long-poll extension
 * (wait=N); its event stream and the history (extensions).
 */
import { Type } from '@sinclair/typebox';
import { Errors } from '../../contract/errors.js';
import { ErrorResponse } from '../../contract/schemas/api-response.js';
import { Operation } from '../../contract/schemas/operation.js';
import { OperationEvents, OperationWaitQuery } from '../../contract/schemas/operation-completion.js';
import { OperationHistory, OperationHistoryQuery } from '../../contract/schemas/operation-history.js';
import type { Endpoint } from '../../domain/endpoint.js';
import { encodeContinuationToken, parseHistoryQuery } from '../../domain/operation-history.js';
import type { OperationRecord } from '../../domain/operation.js';
import type { Repositories } from '../../store/store.js';
import { streamOperation } from '../completion/event-stream.js';
import { clientGone, longPollDescription, parseWaitSeconds, readAfterWait } from '../completion/long-poll.js';
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

const LONG_POLL = longPollDescription('the operation');

const EVENTS = 'Extension (not in the v1.0 API): server-sent events (text/event-stream) of the operation until it ends. ' +
  '"event: status" carries the Operation (as ListOperation answers it) at the start and whenever its Status or Message changes; ' +
  '"event: item" carries {"Url", "Status"} whenever one URL of a purge or preload changes status; ' +
  '"event: edge" carries {"EdgeId", "Status" (Succeeded, Failed or Fenced), "Message"} as each edge answers a purge or preload ' +
  '(a preload\'s edge once it has answered every URL, or failed one). Both come before the final status. ' +
  'The stream ends after the final status; lines starting with ":" are keep-alive comments.';

const HISTORY = 'Extension (not in the v1.0 API): past and pending operations, newest first, a page at a time. ' +
  'Filters: status, type, startTime and endTime (when accepted). top is the page size (1 to 500, default 50); ' +
  'continuationToken is the previous page\'s ContinuationToken. Operations accepted while paging do not appear in later pages.';

export function operationRoutes(app: App, { store, watch }: RouteDeps): void {
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
      operationId: 'ListOperation', tags: ['Operations'], security: SIGNED, description: LONG_POLL,
      params: OperationParams, querystring: OperationWaitQuery,
      response: { 200: Operation, default: ErrorResponse },
    },
    handler: async (request, reply) => {
      const waitSeconds = parseWaitSeconds(request.query.wait);
      const read = await operationReader(store, authOf(request).subscriptionId, request.params);
      return presentOperation(await readAfterWait(watch, read, waitSeconds, clientGone(reply)));
    },
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/operations/:operationId/events', {
    config: { permission: 'read' },
    schema: {
      operationId: 'StreamOperationEvents', tags: ['Operations'], security: SIGNED, description: EVENTS,
      params: OperationParams, querystring: ApiVersionQuery,
      response: { 200: OperationEvents, default: ErrorResponse },
    },
    handler: async (request, reply) => {
      const read = await operationReader(store, authOf(request).subscriptionId, request.params);
      const { id } = await read();
      // Found and allowed: from here on the answer is the stream, written by hand.
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        // A stream holds its connection until the operation ends; then the connection goes
        // too, rather than idle in keep-alive while the server may be closing.
        connection: 'close',
        'x-correlation-id': request.id,
      });
      const signal = clientGone(reply);
      await streamOperation(
        {
          watch,
          operationId: id,
          read: async () => {
            const operation = await read();
            const [items, edges] = await Promise.all([store.operations.listItems(id), store.edges.outcomesOf(id)]);
            return { operation, items, edges };
          },
        },
        reply.raw,
        signal,
      ).catch((error: unknown) => {
        request.log.error({ err: error, operationId: id }, 'operation event stream failed');
        reply.raw.destroy();
      });
    },
  });
}

const OperationParams = Type.Object({ ...EndpointParams.properties, operationId: UuidParam });

/**
 * Checks that the operation exists for the endpoint, which is the caller's, and returns a
 * function that reads it again (long-polls and streams read it after each change).
 */
async function operationReader(
  store: Repositories,
  subscriptionId: string,
  params: { endpointId: string; operationId: string },
): Promise<() => Promise<OperationRecord>> {
  const endpoint = await findEndpointOfOperations(store, subscriptionId, params.endpointId.toLowerCase());
  const operationId = params.operationId.toLowerCase();
  const read = async (): Promise<OperationRecord> => {
    const operation = await store.operations.get(operationId);
    if (!operation || operation.endpointId !== endpoint.id) {
      throw Errors.resourceNotFound(`Operation "${params.operationId}" does not exist for endpoint "${endpoint.id}".`);
    }
    return operation;
  };
  await read();
  return read;
}

function presentHistory(page: { operations: OperationRecord[]; lastSeq?: number }): OperationHistory {
  return {
    Operations: page.operations.map(presentOperation),
    ContinuationToken: page.lastSeq === undefined ? null : encodeContinuationToken(page.lastSeq),
  };
}
