/** The operator's view of the fleet (GET /edges, extension: not part of the Azure China API). */
import { Type, type Static } from '@sinclair/typebox';

export const EdgeList = Type.Object(
  {
    Edges: Type.Array(
      Type.Object({
        EdgeId: Type.String(),
        Address: Type.String({ description: 'host:port of its HTTP listener, as the edge reports it' }),
        State: Type.String({ enum: ['serving', 'syncing', 'fenced'], description: 'fenced: its lease ran out; it serves nothing from cache until it has caught up' }),
        AppliedSequence: Type.Integer({ description: 'Every change of the fleet log up to this one is applied' }),
        Lag: Type.Integer({ description: 'Changes in the log it had not applied at its last heartbeat' }),
        Features: Type.Array(Type.String(), {
          description: 'What its heartbeats say it can do beyond what every edge does (purge-tags, purge-soft, purge-wildcards); empty for an edge older than features, which fails purges that need them',
        }),
        LastHeartbeat: Type.String({ description: 'ISO 8601' }),
        HeartbeatAgeSeconds: Type.Number(),
        LeaseExpires: Type.String({ description: 'ISO 8601' }),
      }),
    ),
  },
  { $id: 'EdgeList' },
);
export type EdgeList = Static<typeof EdgeList>;
