/** Endpoint management: list, create, read, update, delete, enable, disable. */
import { ErrorResponse, AsyncResponse } from '../../contract/schemas/api-response.js';
import { Endpoint, EndpointList, EndpointSettingInput, EndpointUpdateInput } from '../../contract/schemas/endpoint.js';
import type { Endpoint as DomainEndpoint } from '../../domain/endpoint.js';
import { findOwnedEndpoint } from '../../operations/endpoint-lookup.js';
import { presentEndpoint } from '../presenters.js';
import { ApiVersionQuery, EndpointParams, SIGNED, SubscriptionParams } from '../route-params.js';
import type { App } from '../types.js';
import { accepted, authOf, operationLocation, type RouteDeps } from './route-deps.js';

const tags = ['Endpoints'];

export function endpointRoutes(app: App, deps: RouteDeps): void {
  const { store, commands, cnameSuffix } = deps;
  const present = (endpoint: DomainEndpoint) => presentEndpoint(endpoint, cnameSuffix);

  app.get('/subscriptions/:subscriptionId/endpoints', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Endpoints_GetEndpoints', tags, security: SIGNED,
      params: SubscriptionParams, querystring: ApiVersionQuery,
      response: { 200: EndpointList, default: ErrorResponse },
    },
    handler: async (request) => (await store.endpoints.listBySubscription(authOf(request).subscriptionId)).map(present),
  });

  app.post('/subscriptions/:subscriptionId/endpoints', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Endpoints_AddEndpoints', tags, security: SIGNED,
      params: SubscriptionParams, querystring: ApiVersionQuery, body: EndpointSettingInput,
      response: { 202: Endpoint, default: ErrorResponse },
    },
    handler: async (request, reply) => {
      const { endpoint, operation } = await commands.createEndpoint(authOf(request).subscriptionId, request.body);
      return reply.code(202).header('operation-location', operationLocation(deps, operation)).send(present(endpoint));
    },
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Endpoints_GetEndpoint', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery,
      response: { 200: Endpoint, default: ErrorResponse },
    },
    handler: async (request) =>
      present(await findOwnedEndpoint(store, authOf(request).subscriptionId, request.params.endpointId.toLowerCase())),
  });

  app.put('/subscriptions/:subscriptionId/endpoints/:endpointId', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Endpoints_UpdateEndpoint', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery, body: EndpointUpdateInput,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(deps, reply, await commands.updateEndpoint(authOf(request).subscriptionId, request.params.endpointId.toLowerCase(), request.body)),
  });

  app.delete('/subscriptions/:subscriptionId/endpoints/:endpointId', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Endpoints_DeleteEndpoint', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(deps, reply, await commands.deleteEndpoint(authOf(request).subscriptionId, request.params.endpointId.toLowerCase())),
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post(`/subscriptions/:subscriptionId/endpoints/:endpointId/${action}`, {
      config: { permission: 'manage' },
      schema: {
        operationId: enabled ? 'Endpoints_EnableEndpoint' : 'Endpoints_DisableEndpoint', tags, security: SIGNED,
        params: EndpointParams, querystring: ApiVersionQuery,
        response: { 202: AsyncResponse, default: ErrorResponse },
      },
      handler: async (request, reply) =>
        accepted(deps, reply, await commands.setEnabled(authOf(request).subscriptionId, request.params.endpointId.toLowerCase(), enabled)),
    });
  }
}
