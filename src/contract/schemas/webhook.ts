/** Webhooks (extension: not in the v1.0 API). */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

export const WebhookInput = Type.Object(
  {
    Url: Type.String({ description: 'Where operations are POSTed when they end (http or https).' }),
    Secret: Type.String({ description: 'Key of the Mooncdn-Signature HMAC, 16 to 256 printable ASCII characters. Never returned.' }),
  },
  { description: 'WebhookInput' },
);
export type WebhookInput = Static<typeof WebhookInput>;

export const Webhook = Type.Object({ Name: Type.String(), Url: Type.String(), CreatedAt: Timestamp }, { $id: 'Webhook' });
export type Webhook = Static<typeof Webhook>;

export const WebhookDelivery = Type.Object(
  {
    Id: Type.String(),
    OperationId: Type.String(),
    Status: Type.String({ enum: ['Pending', 'Delivered', 'Failed'] }),
    Attempts: Type.Integer(),
    CreatedAt: Timestamp,
    NextAttemptAt: Nullable(Timestamp),
    DeliveredAt: Nullable(Timestamp),
    LastStatusCode: Nullable(Type.Integer({ description: 'The HTTP status of the last attempt; null if none was answered.' })),
    LastError: Nullable(Type.String()),
  },
  { $id: 'WebhookDelivery' },
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveries = Type.Object({ Deliveries: Type.Array(WebhookDelivery, { description: 'Newest first, at most 100.' }) }, { $id: 'WebhookDeliveries' });
export type WebhookDeliveries = Static<typeof WebhookDeliveries>;
