/** Traffic: volume per endpoint and subscription, bandwidth per endpoint, from the meter's buckets. */
import { ErrorResponse } from '../../contract/schemas/api-response.js';
import { BandwidthQuery, EndpointBandwidth, EndpointVolume, SubscriptionVolume, VolumeQuery } from '../../contract/schemas/traffic.js';
import type { EndpointVolume as EndpointVolumeShape } from '../../contract/schemas/traffic.js';
import { parseGranularity, parseRange } from '../../domain/traffic-range.js';
import { endpointBandwidth, endpointVolume, subscriptionVolume } from '../../domain/traffic-report.js';
import { findOwnedEndpoint } from '../../operations/endpoint-lookup.js';
import { EndpointParams, SIGNED, SubscriptionParams } from '../route-params.js';
import type { App } from '../types.js';
import { authOf, type RouteDeps } from './route-deps.js';

const tags = ['Traffic'];

export function trafficRoutes(app: App, { store }: RouteDeps): void {
  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/volume', {
    config: { permission: 'read' },
    schema: {
      operationId: 'ListEndpointVolume', tags, security: SIGNED,
      params: EndpointParams, querystring: VolumeQuery,
      response: { 200: EndpointVolume, default: ErrorResponse },
    },
    handler: async (request) => {
      const endpoint = await findOwnedEndpoint(store, authOf(request).subscriptionId, request.params.endpointId.toLowerCase());
      const granularity = parseGranularity(request.query.granularity);
      const range = parseRange(request.query.startTime, request.query.endTime);
      return endpointVolume(endpoint.customDomain, await store.traffic.list([endpoint.id], range.start, range.end), range, granularity);
    },
  });

  app.get('/subscriptions/:subscriptionId/volume', {
    config: { permission: 'read' },
    schema: {
      operationId: 'ListSubscriptionVolume', tags, security: SIGNED,
      params: SubscriptionParams, querystring: VolumeQuery,
      response: { 200: SubscriptionVolume, default: ErrorResponse },
    },
    handler: async (request) => {
      const granularity = parseGranularity(request.query.granularity);
      const range = parseRange(request.query.startTime, request.query.endTime);
      const endpoints = await store.endpoints.listAllBySubscription(authOf(request).subscriptionId);
      const samples = await store.traffic.list(endpoints.map((e) => e.id), range.start, range.end);
      // Live endpoints always appear; deleted ones only if they served traffic in the range.
      // Endpoints that held the same domain one after another count as that one domain.
      const domainOf = new Map(endpoints.map((e) => [e.id, e.customDomain]));
      const domains = new Set([
        ...endpoints.filter((e) => e.lifetimeStatus !== 'Deleted').map((e) => e.customDomain),
        ...samples.map((s) => domainOf.get(s.endpointId)!),
      ]);
      const details: Record<string, EndpointVolumeShape> = {};
      for (const domain of [...domains].sort()) {
        const own = samples.filter((s) => domainOf.get(s.endpointId) === domain);
        details[domain] = endpointVolume(domain, own, range, granularity);
      }
      return subscriptionVolume(details);
    },
  });

  app.get('/subscriptions/:subscriptionId/endpoints/:endpointId/bandwidth', {
    config: { permission: 'read' },
    schema: {
      operationId: 'ListEndpointBandwidth', tags, security: SIGNED,
      params: EndpointParams, querystring: BandwidthQuery,
      response: { 200: EndpointBandwidth, default: ErrorResponse },
    },
    handler: async (request) => {
      const endpoint = await findOwnedEndpoint(store, authOf(request).subscriptionId, request.params.endpointId.toLowerCase());
      const range = parseRange(request.query.startTime, request.query.endTime);
      return endpointBandwidth(endpoint.customDomain, await store.traffic.list([endpoint.id], range.start, range.end), range);
    },
  });
}
