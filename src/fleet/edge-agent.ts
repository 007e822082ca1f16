/**
 * The control plane's view of one edge. The embedded edge implements it in process; a
 * networked edge will implement it over the wire. Every method resolves when the edge has
 * applied the change, and rejects with an Error whose message says what went wrong.
 */
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../operations/edge-config.js';

export interface EdgeAgent {
  readonly id: string;
  /** Serve the endpoint with this configuration from now on (replaces any earlier one). */
  applyEndpoint(config: EdgeEndpointConfig): Promise<void>;
  /** Stop serving the endpoint and drop its cached content. */
  removeEndpoint(endpointId: string): Promise<void>;
  /** Drop the files (every query variant) and everything under the directories. */
  purge(endpointId: string, target: PurgeTarget): Promise<void>;
  /** Fetch the URL from the origin into the cache; reject with what the origin answered. */
  preload(endpointId: string, target: PreloadTarget): Promise<void>;
}
