/** The fleet of the embedded shape: edges in this process, called directly. */
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../operations/edge-config.js';
import type { EdgeOutcome, Fleet, OnEdgeOutcome } from '../operations/fleet.js';
import type { EdgeAgent } from './edge-agent.js';

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

  applyEndpoint(config: EdgeEndpointConfig): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.applyEndpoint(config));
  }

  removeEndpoint(endpointId: string): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.removeEndpoint(endpointId));
  }

  purge(endpointId: string, target: PurgeTarget, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.purge(endpointId, target), this.deadlineMs, onOutcome);
  }

  preload(endpointId: string, target: PreloadTarget, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]> {
    return this.each((agent) => agent.preload(endpointId, target), this.deadlineMs + this.originTimeoutMs, onOutcome);
  }

  private each(call: (agent: EdgeAgent) => Promise<void>, deadlineMs = this.deadlineMs, onOutcome?: OnEdgeOutcome): Promise<EdgeOutcome[]> {
    return Promise.all(
      [...this.agents.values()].map(async (agent) => {
        const outcome = await this.withDeadline(agent, call, deadlineMs);
        onOutcome?.(outcome);
        return outcome;
      }),
    );
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
