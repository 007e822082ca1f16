/**
 * The edge of the embedded shape: built, loaded with every endpoint the store says edges serve,
 * attached to the in-process fleet, and listening.
 */
import type { Logger } from 'pino';
import type { ServeConfig } from '../config/serve-config.js';
import type { Clock } from '../domain/clock.js';
import type { InProcessFleet } from '../fleet/in-process-fleet.js';
import type { Health } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';
import { isServedByEdges, loadEdgeConfig } from '../operations/edge-configs.js';
import type { Store } from '../store/store.js';
import type { MemoryCacheStore } from '../edge/cache/memory-store.js';
import type { EdgeNode } from '../edge/edge-node.js';
import { listenEdge, type EdgeListeners } from '../edge/edge-servers.js';
import type { OriginAddressPolicy } from '../edge/policy/origin-address.js';
import { buildEdge, denyListeners } from './edge-parts.js';

export interface EmbeddedEdge {
  readonly node: EdgeNode;
  readonly cache: MemoryCacheStore;
  readonly listeners: EdgeListeners;
  /** Where the process's other listeners (the API) are added once they listen. */
  readonly originPolicy: OriginAddressPolicy;
  close(): Promise<void>;
}

export async function startEmbeddedEdge(
  config: Pick<ServeConfig, 'edgeHost' | 'edgePort' | 'edgeTlsPort' | 'edge'>,
  store: Store,
  fleet: InProcessFleet,
  clock: Clock,
  log: Logger,
  metrics: Metrics,
  health: Health,
): Promise<EmbeddedEdge> {
  const { node, cache, origin, meter, originPolicy } = await buildEdge('edge-embedded', config.edge, (samples) => store.traffic.add(samples), clock, log, metrics);

  // What edges already served before this start (operations still running re-apply theirs).
  for (const endpoint of await store.endpoints.listLive()) {
    if (isServedByEdges(endpoint)) await node.applyEndpoint(await loadEdgeConfig(store, endpoint));
  }
  const listeners = await listenEdge(node, config.edgeHost, config.edgePort, config.edgeTlsPort);
  denyListeners(originPolicy, listeners.servers);
  let listening = true;
  health.add('edge', () => {
    if (!listening) throw new Error('the edge is not listening');
  });
  fleet.attach(node);
  meter.start(config.edge.meterFlushMs);
  return {
    node,
    cache,
    listeners,
    originPolicy,
    async close() {
      listening = false;
      fleet.detach(node.id);
      await listeners.close();
      await meter.stop();
      await origin.close();
      await cache.close();
    },
  };
}
