/** Operation, the resource of the seed page. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from './common.js';

export const OPERATION_TYPES = [
  'CreateEndpoint',
  'UpdateEndpoint',
  'DeleteEndpoint',
  'EnableEndpoint',
  'DisableEndpoint',
  'UpdateCacheRules',
  'UpdateAccessControl',
  'Purge',
  'Preload',
  'CreateHttpsBinding',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** The seed page's spelling `Succeeded` wins over the Swagger enum's `Succeed` (CONTRACT §4). */
export const OPERATION_STATUSES = ['NotSet', 'Processing', 'Succeeded', 'Failed'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const Operation = Type.Object(
  {
    Id: Uuid,
    Type: Type.String({ enum: [...OPERATION_TYPES] }),
    Status: Type.String({ enum: [...OPERATION_STATUSES] }),
    Message: Nullable(Type.String()),
    Start: Timestamp,
    End: Nullable(Timestamp),
    EndpointId: Uuid,
    SubscriptionId: Uuid,
  },
  { $id: 'Operation' },
);
export type Operation = Static<typeof Operation>;
