/** Operation, the resource of the seed page. */
import { Type, type Static } from '@sinclair/typebox';
import { OPERATION_TYPES, OPERATION_STATUSES } from '../enums.js';
import { Nullable, Timestamp, Uuid } from './common.js';

export { OPERATION_TYPES, OPERATION_STATUSES } from '../enums.js';

export type OperationType = (typeof OPERATION_TYPES)[number];

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
