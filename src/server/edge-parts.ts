/**
 * An edge's parts built from its settings, the same in both shapes: the cache, the origin client
 * under the origin address policy, the traffic meter flushing to `sink`, and the node over them.
 * The embedded shape's sink is the store; the scaled one's is NATS.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config/serve-config.js';
import type { Clock } from '../domain/clock.js';
import type { MemoryCacheStore } from '../edge/cache/memory-store.js';
import { openEdgeCache } from '../edge/cache/open-cache.js';
import { EdgeNode, type EdgeNodeOptions } from '../edge/edge-node.js';
import { OriginClient } from '../edge/origin-client.js';
import { OriginAddressPolicy } from '../edge/policy/origin-address.js';
import { TrafficMeter, type TrafficSink } from '../edge/traffic-meter.js';
import type { Metrics } from '../observability/metrics.js';

export interface EdgeParts {
  readonly node: EdgeNode;
  readonly cache: MemoryCacheStore;
  readonly origin: OriginClient;
  readonly meter: TrafficMeter;
  readonly originPolicy: OriginAddressPolicy;
}

/** With a disk tier, its index is rebuilt from the files before this resolves (before the edge listens). */
export async function buildEdge(
  id: string,
  settings: ServeConfig['edge'],
  sink: TrafficSink,
  clock: Clock,
  log: Logger,
  metrics: Metrics,
  onInvalidate?: EdgeNodeOptions['onInvalidate'],
): Promise<EdgeParts> {
  const cache = await openEdgeCache(settings, {
    onDiskError: (error) => log.warn({ err: error.message }, 'the edge disk cache could not read or delete a file'),
    now: clock.now(),
  });
  if (settings.disk) log.info({ dir: settings.disk.dir, objects: cache.diskCount, bytes: cache.diskBytes }, 'edge disk cache opened');
  const originPolicy = new OriginAddressPolicy(settings.originDeny);
  const origin = new OriginClient(settings.originTimeoutMs, originPolicy);
  const meter = new TrafficMeter(sink, () => clock.now());
  const node = new EdgeNode({
    id,
    cache,
    origin,
    meter,
    now: () => clock.now(),
    log,
    metrics,
    endpointSeries: settings.metricsEndpoints,
    ...(settings.accessLog ? { accessLog: log } : {}),
    fillBytes: settings.fillBytes,
    negativeTtlSeconds: settings.negativeTtlSeconds,
    tagHeaders: settings.tagHeaders,
    originBodyRate: { minBytesPerSecond: settings.originMinBytesPerSecond, windowMs: settings.originTimeoutMs },
    ...(onInvalidate && { onInvalidate }),
  });
  metrics.measureCacheWith(() => ({ bytes: cache.bytes, objects: cache.count, fillBytes: node.heldFillBytes, slabBytes: cache.slabBytes, outBytes: cache.outBytes, diskBytes: cache.diskBytes, diskObjects: cache.diskCount }));
  return { node, cache, origin, meter, originPolicy };
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
