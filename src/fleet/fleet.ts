/**
 * How the operation engine reaches the edges. Each call goes to every edge and resolves with
 * one outcome per edge once all have answered or the deadline has passed; the engine turns
 * failures into the operation's Message. A fleet with no edges attached succeeds at once.
 */
import type { EdgeAgent } from './edge-agent.js';
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

/** The fleet of the embedded shape: edges in this process, called directly. */
export class InProcessFleet implements Fleet {
  private readonly agents = new Map<string, EdgeAgent>();

  /**
   * `deadlineMs`: how long an edge may take to answer. A preload's answer waits on the origin
   * too, for up to the edge's origin timeout, so it gets `originTimeoutMs` more: an origin that
   * does not answer is then reported by the edge, naming the origin, rather than blamed on it.
   */
  constructor(
    private readonly deadlineMs: number,
    private readonly originTimeoutMs = 0,
  ) {}

  attach(agent: EdgeAgent): void {
    this.agents.set(agent.id, agent);
  }

  detach(edgeId: string): void {
    this.agents.delete(edgeId);
  }

  edgeIds(): readonly string[] {
    return [...this.agents.keys()];
  }

  applyEndpoint(config: EdgeEndpointConfig): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.applyEndpoint(config));
  }

  removeEndpoint(endpointId: string): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.removeEndpoint(endpointId));
  }

  purge(endpointId: string, target: PurgeTarget): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.purge(endpointId, target));
  }

  preload(endpointId: string, target: PreloadTarget): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.preload(endpointId, target), this.deadlineMs + this.originTimeoutMs);
  }

  private each(call: (agent: EdgeAgent) => Promise<void>, deadlineMs = this.deadlineMs): Promise<EdgeOutcome[]> {
    return Promise.all([...this.agents.values()].map((agent) => this.withDeadline(agent, call, deadlineMs)));
  }

  private async withDeadline(agent: EdgeAgent, call: (agent: EdgeAgent) => Promise<void>, deadlineMs: number): Promise<EdgeOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<EdgeOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ edgeId: agent.id, error: `did not answer within ${Math.round(deadlineMs / 1000)} s` }), deadlineMs);
    });
    const work = call(agent).then(
      (): EdgeOutcome => ({ edgeId: agent.id }),
      (error: unknown): EdgeOutcome => ({ edgeId: agent.id, error: error instanceof Error ? error.message : String(error) }),
    );
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
