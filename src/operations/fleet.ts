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
}

export interface Fleet {
  edgeIds(): readonly string[];
  applyEndpoint(config: EdgeEndpointConfig): Promise<EdgeOutcome[]>;
  removeEndpoint(endpointId: string): Promise<EdgeOutcome[]>;
  purge(endpointId: string, target: PurgeTarget): Promise<EdgeOutcome[]>;
  preload(endpointId: string, target: PreloadTarget): Promise<EdgeOutcome[]>;
}

/** The failures among outcomes as one sentence, or undefined when every edge succeeded. */
export function describeFailures(outcomes: readonly EdgeOutcome[]): string | undefined {
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  if (failed.length === 0) return undefined;
  return failed.map((outcome) => `edge "${outcome.edgeId}": ${outcome.error}`).join('; ');
}
