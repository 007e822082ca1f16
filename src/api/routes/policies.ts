/** Cache rules and access control: read at once, changed by an operation. */
import { AsyncResponse, ErrorResponse } from '../../contract/schemas/api-response.js';
import { AccessControl, AccessControlInput } from '../../contract/schemas/access-control.js';
import { CachePolicy, CachePolicyInput } from '../../contract/schemas/cache-policy.js';
import { findOwnedEndpoint } from '../../operations/endpoint-lookup.js';
import { presentAccessControl, presentCachePolicy } from '../presenters.js';
import { ApiVersionQuery, EndpointParams, SIGNED } from '../route-params.js';
import type { App } from '../types.js';
import { accepted, authOf, type RouteDeps } from './route-deps.js';

const tags = ['Endpoints'];

export function policyRoutes(app: App, deps: RouteDeps): void {
  const { store, commands } = deps;
  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/cacherules', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Endpoints_GetCacheRule', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery,
      response: { 200: CachePolicy, default: ErrorResponse },
    },
    handler: async (request) =>
      presentCachePolicy((await findOwnedEndpoint(store, authOf(request).subscriptionId, request.params.endpointId.toLowerCase())).cachePolicy),
  });

  app.put('/subscriptions/:subscriptionId/endpoints/:endpointId/cacherules', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Endpoints_AddCacheRule', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery, body: CachePolicyInput,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(deps, reply, await commands.updateCachePolicy(authOf(request).subscriptionId, request.params.endpointId.toLowerCase(), request.body)),
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/accesscontrol', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Endpoints_GetAccessControl', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery,
      response: { 200: AccessControl, default: ErrorResponse },
    },
    handler: async (request) =>
      presentAccessControl((await findOwnedEndpoint(store, authOf(request).subscriptionId, request.params.endpointId.toLowerCase())).accessControl),
  });

  app.put('/subscriptions/:subscriptionId/endpoints/:endpointId/accesscontrol', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Endpoints_AddAccessControl', tags, security: SIGNED,
      params: EndpointParams, querystring: ApiVersionQuery, body: AccessControlInput,
      response: { 202: AsyncResponse, default: ErrorResponse },
    },
    handler: async (request, reply) =>
      accepted(deps, reply, await commands.updateAccessControl(authOf(request).subscriptionId, request.params.endpointId.toLowerCase(), request.body)),
  });
}
