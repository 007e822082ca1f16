/**
 * An edge for control-plane tests, before and beside the real one: it records what it is
 * told and can be told to fail or to stall, which a real edge cannot be made to do on cue.
 */
import type { EdgeAgent } from '../../src/fleet/edge-agent.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../../src/operations/edge-config.js';

export type EdgeCall =
  | { readonly kind: 'apply'; readonly config: EdgeEndpointConfig }
  | { readonly kind: 'remove'; readonly endpointId: string }
  | { readonly kind: 'purge'; readonly endpointId: string; readonly target: PurgeTarget }
  | { readonly kind: 'preload'; readonly endpointId: string; readonly target: PreloadTarget };

export class ScriptedEdge implements EdgeAgent {
  readonly calls: EdgeCall[] = [];
  readonly configs = new Map<string, EdgeEndpointConfig>();
  /** Called before each call; throw to fail it, return a promise to stall it. */
  behaviour: (call: EdgeCall) => void | Promise<void> = () => undefined;

  constructor(readonly id = 'edge-test') {}

  async applyEndpoint(config: EdgeEndpointConfig): Promise<void> {
    await this.handle({ kind: 'apply', config });
    this.configs.set(config.endpointId, config);
  }

  async removeEndpoint(endpointId: string): Promise<void> {
    await this.handle({ kind: 'remove', endpointId });
    this.configs.delete(endpointId);
  }

  async purge(endpointId: string, target: PurgeTarget): Promise<void> {
    await this.handle({ kind: 'purge', endpointId, target });
  }

  async preload(endpointId: string, target: PreloadTarget): Promise<void> {
    await this.handle({ kind: 'preload', endpointId, target });
  }

  private async handle(call: EdgeCall): Promise<void> {
    this.calls.push(call);
    await this.behaviour(call);
  }
}
