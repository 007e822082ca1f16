/**
 * How the operation engine reaches the edges (the port; fleet/ holds the implementations). Each
 * call goes to every edge and resolves with one outcome per edge once all have answered or the
 * deadline has passed; the engine turns failures into the operation's Message. A fleet with no
 * edges attached succeeds at once.
 */
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from './edge-config.js';

export interface EdgeOutcome {
  readonly edgeId: string;
  /** Undefined when the edge applied the change. */
  readonly error?: string;
  /**
   * The edge was cut off from the control plane past its lease (scaled shape): it serves nothing
   * from cache until it has applied this change, so the change counts as done for it.
   */
  readonly fenced?: boolean;
}

/** Told each edge's outcome as it arrives, before the call resolves with them all (per-edge progress). */
export type OnEdgeOutcome = (outcome: EdgeOutcome) => void;

export interface Fleet {
  applyEndpoint(config: EdgeEndpointConfig): Promise<EdgeOutcome[]>;
  removeEndpoint(endpointId: string): Promise<EdgeOutcome[]>;
  purge(endpointId: string, target: PurgeTarget, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]>;
  preload(endpointId: string, target: PreloadTarget, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]>;
}

/** The failures among outcomes as one sentence, or undefined when every edge succeeded. */
export function describeFailures(outcomes: readonly EdgeOutcome[]): string | undefined {
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  if (failed.length === 0) return undefined;
  // Edges' messages are sentences; the operation's Message puts its own period after these.
  return failed.map((outcome) => `edge "${outcome.edgeId}": ${outcome.error!.replace(/\.+$/, '')}`).join('; ');
}

export type EdgeStatus = 'Succeeded' | 'Failed' | 'Fenced';

/** Each edge's status over several calls (a preload's URLs): its first failure, else fenced if it was, else Succeeded. */
export function edgeStatuses(outcomes: readonly EdgeOutcome[]): { edgeId: string; status: EdgeStatus; message: string | null }[] {
  const byEdge = new Map<string, { edgeId: string; status: EdgeStatus; message: string | null }>();
  for (const outcome of outcomes) {
    const earlier = byEdge.get(outcome.edgeId);
    if (earlier?.status === 'Failed') continue;
    if (outcome.error !== undefined) byEdge.set(outcome.edgeId, { edgeId: outcome.edgeId, status: 'Failed', message: outcome.error });
    else if (outcome.fenced) byEdge.set(outcome.edgeId, { edgeId: outcome.edgeId, status: 'Fenced', message: 'cut off from the control plane; it applies this before it serves from cache again' });
    else if (!earlier) byEdge.set(outcome.edgeId, { edgeId: outcome.edgeId, status: 'Succeeded', message: null });
  }
  return [...byEdge.values()].sort((a, b) => a.edgeId.localeCompare(b.edgeId));
}
