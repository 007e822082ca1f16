/** The history routes' query and page (an extension: the v1.0 API has no operation list). */
import { Type, type Static } from '@sinclair/typebox';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../enums.js';
import { Nullable } from './common.js';
import { Operation } from './operation.js';

const TimeParameter = (description: string) =>
  Type.Optional(Type.String({ description: `${description}, UTC, yyyy-MM-ddTHH:mm:ssZ`, examples: ['2017-05-02T06:00:00Z'] }));

export const OperationHistoryQuery = Type.Object({
  apiVersion: Type.String(),
  status: Type.Optional(Type.String({ enum: [...OPERATION_STATUSES] })),
  type: Type.Optional(Type.String({ enum: [...OPERATION_TYPES] })),
  startTime: TimeParameter('Accepted at or after'),
  endTime: TimeParameter('Accepted at or before'),
  top: Type.Optional(Type.String({ description: 'Page size, 1 to 500; 50 when absent.', examples: ['50'] })),
  continuationToken: Type.Optional(Type.String({ description: 'The ContinuationToken of the previous page, unchanged.' })),
});

export const OperationHistory = Type.Object(
  {
    Operations: Type.Array(Operation, { description: 'Newest first.' }),
    ContinuationToken: Nullable(Type.String({ description: 'Pass as continuationToken for the next page; null on the last page.' })),
  },
  { $id: 'OperationHistory' },
);
export type OperationHistory = Static<typeof OperationHistory>;
