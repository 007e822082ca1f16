/**
 * The edge of the embedded shape: built, loaded with every endpoint the store says edges serve,
 * attached to the in-process fleet, and listening.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config/serve-config.js';
import type { Clock } from '../domain/clock.js';
import type { InProcessFleet } from '../fleet/in-process-fleet.js';
import type { Health } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';
import { isServedByEdges, loadEdgeConfig } from '../operations/edge-configs.js';
import type { Store } from '../store/store.js';
import type { MemoryCacheStore } from '../edge/cache/memory-store.js';
import { openEdgeCache } from '../edge/cache/open-cache.js';
import { Reclaimer } from '../edge/cache/reclaimer.js';
import { EdgeNode } from '../edge/edge-node.js';
import { listenEdge, type EdgeListeners } from '../edge/edge-servers.js';
import { OriginClient } from '../edge/origin-client.js';
import { OriginAddressPolicy } from '../edge/policy/origin-address.js';
import { TrafficMeter } from '../edge/traffic-meter.js';

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
  // A full collection after every eighth of the budget (at least 32 MiB) let go.
  const reclaimer = new Reclaimer(Math.max(32 * 1024 * 1024, config.edge.cacheBytes / 8));
  const cache = await openEdgeCache(config.edge, {
    onRelease: reclaimer.release,
    onDiskError: (error) => log.warn({ err: error.message }, 'the edge disk cache could not read or delete a file'),
    now: clock.now(),
  });
  if (config.edge.disk) log.info({ dir: config.edge.disk.dir, objects: cache.diskCount, bytes: cache.diskBytes }, 'edge disk cache opened');
  const originPolicy = new OriginAddressPolicy(config.edge.originDeny);
  const origin = new OriginClient(config.edge.originTimeoutMs, originPolicy);
  const meter = new TrafficMeter((samples) => store.traffic.add(samples), () => clock.now());
  const node = new EdgeNode({
    id: 'edge-embedded',
    cache,
    origin,
    meter,
    now: () => clock.now(),
    log,
    metrics,
    endpointSeries: config.edge.metricsEndpoints,
    ...(config.edge.accessLog ? { accessLog: log } : {}),
    fillBytes: config.edge.fillBytes,
    negativeTtlSeconds: config.edge.negativeTtlSeconds,
    originBodyRate: { minBytesPerSecond: config.edge.originMinBytesPerSecond, windowMs: config.edge.originTimeoutMs },
  });
  metrics.measureCacheWith(() => ({ bytes: cache.bytes, objects: cache.count, fillBytes: node.heldFillBytes, diskBytes: cache.diskBytes, diskObjects: cache.diskCount }));

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

/**
 * Refuses origins at these listening servers, whatever the deny list says: an origin at the
 * edge's own ports would loop requests through it, one at the API would serve its /metrics.
 */
export function denyListeners(policy: OriginAddressPolicy, servers: readonly Server[]): void {
  for (const server of servers) {
    const { address, port } = server.address() as AddressInfo;
    policy.addListener(address, port);
  }
}
