/**
 * Webhooks (extension: not in the v1.0 API): PUT, GET and DELETE /subscriptions/{s}/webhooks/{name},
 * the list, and a webhook's delivery log. The secret is never returned.
 */
import { Type } from '@sinclair/typebox';
import { Errors } from '../../contract/errors.js';
import { ErrorResponse } from '../../contract/schemas/api-response.js';
import { Webhook, WebhookDeliveries, WebhookInput } from '../../contract/schemas/webhook.js';
import { checkWebhookName, parseWebhookRegistration, type Webhook as StoredWebhook, type WebhookDelivery } from '../../domain/webhook.js';
import { isoTime } from '../presenters.js';
import { ApiVersionQuery, SIGNED, SubscriptionParams } from '../route-params.js';
import type { App } from '../types.js';
import { authOf, type RouteDeps } from './route-deps.js';

const tags = ['Webhooks'];
const WebhookParams = Type.Object({ ...SubscriptionParams.properties, name: Type.String({ maxLength: 63 }) });

const ABOUT =
  'Extension (not in the v1.0 API): when an operation of the subscription ends, mooncdn POSTs the Operation (JSON) to every webhook, ' +
  'with Mooncdn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>. A delivery not answered 2xx is ' +
  'retried with backoff (1 s doubling, at most hourly) for 24 hours; a receiver may get one twice, and should key on the operation Id.';

export function webhookRoutes(app: App, { store, clock }: RouteDeps): void {
  app.put('/subscriptions/:subscriptionId/webhooks/:name', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Webhooks_Put', tags, security: SIGNED, description: ABOUT,
      params: WebhookParams, querystring: ApiVersionQuery, body: WebhookInput,
      response: { 200: Webhook, default: ErrorResponse },
    },
    handler: async (request) => {
      const name = checkWebhookName(request.params.name);
      const registration = parseWebhookRegistration(request.body);
      const { subscriptionId } = authOf(request);
      await store.webhooks.put({ subscriptionId, name, ...registration, createdAt: clock.now() });
      return presentWebhook((await store.webhooks.get(subscriptionId, name))!);
    },
  });

  app.get('/subscriptions/:subscriptionId/webhooks', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Webhooks_List', tags, security: SIGNED, description: ABOUT,
      params: SubscriptionParams, querystring: ApiVersionQuery,
      response: { 200: Type.Array(Webhook), default: ErrorResponse },
    },
    handler: async (request) => (await store.webhooks.list(authOf(request).subscriptionId)).map(presentWebhook),
  });

  app.get('/subscriptions/:subscriptionId/webhooks/:name', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Webhooks_Get', tags, security: SIGNED,
      params: WebhookParams, querystring: ApiVersionQuery,
      response: { 200: Webhook, default: ErrorResponse },
    },
    handler: async (request) => presentWebhook(await findWebhook(request.params.name, authOf(request).subscriptionId)),
  });

  app.delete('/subscriptions/:subscriptionId/webhooks/:name', {
    config: { permission: 'manage' },
    schema: {
      operationId: 'Webhooks_Delete', tags, security: SIGNED, description: 'Extension: removes the webhook; its pending deliveries fail, its log stays readable.',
      params: WebhookParams, querystring: ApiVersionQuery,
      response: { 200: Type.Object({ Succeeded: Type.Boolean() }), default: ErrorResponse },
    },
    handler: async (request) => {
      const { subscriptionId } = authOf(request);
      await findWebhook(request.params.name, subscriptionId);
      await store.webhooks.delete(subscriptionId, request.params.name);
      return { Succeeded: true };
    },
  });

  app.get('/subscriptions/:subscriptionId/webhooks/:name/deliveries', {
    config: { permission: 'read' },
    schema: {
      operationId: 'Webhooks_ListDeliveries', tags, security: SIGNED, description: 'Extension: the webhook\'s last 100 deliveries, newest first, with their attempts.',
      params: WebhookParams, querystring: ApiVersionQuery,
      response: { 200: WebhookDeliveries, default: ErrorResponse },
    },
    handler: async (request) => {
      const { subscriptionId } = authOf(request);
      const name = checkWebhookName(request.params.name);
      return { Deliveries: (await store.webhooks.listDeliveries(subscriptionId, name)).map(presentDelivery) };
    },
  });

  async function findWebhook(rawName: string, subscriptionId: string): Promise<StoredWebhook> {
    const name = checkWebhookName(rawName);
    const webhook = await store.webhooks.get(subscriptionId, name);
    if (!webhook) throw Errors.resourceNotFound(`Webhook "${name}" does not exist in this subscription.`);
    return webhook;
  }
}

function presentWebhook(webhook: StoredWebhook): Webhook {
  return { Name: webhook.name, Url: webhook.url, CreatedAt: isoTime(webhook.createdAt) };
}

function presentDelivery(delivery: WebhookDelivery) {
  return {
    Id: delivery.id,
    OperationId: delivery.operationId,
    Status: delivery.status,
    Attempts: delivery.attempts,
    CreatedAt: isoTime(delivery.createdAt),
    NextAttemptAt: delivery.status === 'Pending' && delivery.nextAttemptAt !== null ? isoTime(delivery.nextAttemptAt) : null,
    DeliveredAt: delivery.deliveredAt === null ? null : isoTime(delivery.deliveredAt),
    LastStatusCode: delivery.lastStatusCode,
    LastError: delivery.lastError,
  };
}
