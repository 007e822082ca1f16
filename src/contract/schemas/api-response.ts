/** The spec's APIResponse: the error body and the 202 body of asynchronous calls. */
import { Type, type Static } from '@sinclair/typebox';
import { ERROR_TYPES } from '../errors.js';
import { Uuid } from './common.js';

export const ErrorResponse = Type.Object(
  {
    Succeeded: Type.Literal(false),
    ErrorInfo: Type.Object({
      Type: Type.Union(ERROR_TYPES.map((type) => Type.Literal(type))),
      Message: Type.String(),
    }),
  },
  { $id: 'ErrorResponse', description: 'The body of every error response.' },
);

export const TaskStatus = Type.Union(
  ['NotSet', 'Processing', 'Succeeded', 'Failed'].map((status) => Type.Literal(status)),
);

export const AsyncResponse = Type.Object(
  {
    Succeeded: Type.Literal(true),
    IsAsync: Type.Literal(true),
    AsyncInfo: Type.Object({ TaskTrackId: Uuid, TaskStatus }),
  },
  { description: 'Accepted: the change runs as the operation TaskTrackId.' },
);
export type AsyncResponse = Static<typeof AsyncResponse>;
