/** Completion without polling (extensions of the v1.0 API): the long-poll query and the event stream. */
import { Type } from '@sinclair/typebox';

export const OperationWaitQuery = Type.Object({
  apiVersion: Type.String({ description: 'Always 1.0.' }),
  wait: Type.Optional(
    Type.String({ description: 'Extension: seconds to wait for the operation to end, 0 to 60 (0 or absent: answer at once).', examples: ['30'] }),
  ),
});

/** The body of the event stream, documented as text (it is written by hand, not serialised). */
export const OperationEvents = Type.String({
  description:
    'text/event-stream: "event: status" (data: Operation), "event: item" (data: {"Url", "Status"}; for a cache tag of a purge, Url is the tag) ' +
    'and "event: edge" (data: {"EdgeId", "Status", "Message"}) messages, ending after the final status.',
});
