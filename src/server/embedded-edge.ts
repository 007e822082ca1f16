/**
 * The edge of the embedded shape: built, loaded with every endpoint the store says edges serve,
 * attached to the in-process fleet, and listening. In this process, or with `--edge-workers N`
 * as N worker processes sharing the ports (edge-workers.ts), attached the same way.
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
import type { EdgeEndpointConfig } from '../operations/edge-config.js';
import type { Store } from '../store/store.js';
import { settleDiskLayout } from '../edge/cache/disk-layout.js';
import type { MemoryCacheStore } from '../edge/cache/memory-store.js';
import type { EdgeNode } from '../edge/edge-node.js';
import { listenEdge, type EdgeListeners } from '../edge/edge-servers.js';
import { buildEdge, denyListeners } from './edge-parts.js';
import { createEdgeWorkers } from './edge-workers.js';

export interface EmbeddedEdge {
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The edge's listeners in this process, drained with the API's (none with edge workers: each drains its own). */
  readonly servers: readonly Server[];
  /** Refuses origins at these listeners (the API's): one there would hand its /metrics to anyone asking the edge. */
  denyOrigins(servers: readonly Server[]): void;
  close(): Promise<void>;
}

/** The edge in this process, whose parts benchmarks reach into. */
export interface InProcessEdge extends EmbeddedEdge {
  readonly node: EdgeNode;
  readonly cache: MemoryCacheStore;
  readonly listeners: EdgeListeners;
}

type EdgeSettings = Pick<ServeConfig, 'edgeHost' | 'edgePort' | 'edgeTlsPort' | 'edge'>;
type WorkersSettings = EdgeSettings & Pick<ServeConfig, 'edgeWorkers' | 'logLevel' | 'logFormat'>;

const EDGE_ID = 'edge-embedded';

export function startEmbeddedEdge(config: WorkersSettings, store: Store, fleet: InProcessFleet, clock: Clock, log: Logger, metrics: Metrics, health: Health): Promise<EmbeddedEdge> {
  if (config.edge.disk) settleDiskLayout(config.edge.disk.dir, config.edgeWorkers);
  return config.edgeWorkers > 1 ? startWorkers(config, store, fleet, log, metrics, health) : startInProcessEdge(config, store, fleet, clock, log, metrics, health);
}

/** What edges already served before this start (operations still running re-apply theirs). */
async function servedConfigs(store: Store): Promise<EdgeEndpointConfig[]> {
  const configs: EdgeEndpointConfig[] = [];
  for (const endpoint of await store.endpoints.listLive()) {
    if (isServedByEdges(endpoint)) configs.push(await loadEdgeConfig(store, endpoint));
  }
  return configs;
}

export async function startInProcessEdge(config: EdgeSettings, store: Store, fleet: InProcessFleet, clock: Clock, log: Logger, metrics: Metrics, health: Health): Promise<InProcessEdge> {
  const { node, cache, origin, meter, originPolicy } = await buildEdge(EDGE_ID, config.edge, (samples) => store.traffic.add(samples), clock, log, metrics);
  for (const endpoint of await servedConfigs(store)) await node.applyEndpoint(endpoint);
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
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    servers: listeners.servers,
    denyOrigins: (servers) => denyListeners(originPolicy, servers),
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

async function startWorkers(config: WorkersSettings, store: Store, fleet: InProcessFleet, log: Logger, metrics: Metrics, health: Health): Promise<EmbeddedEdge> {
  const pool = createEdgeWorkers(config, EDGE_ID, (samples) => store.traffic.add(samples), log, metrics);
  // Before any worker exists: each gets them in its start, applied before it listens.
  for (const endpoint of await servedConfigs(store)) await pool.applyEndpoint(endpoint);
  await pool.start();
  health.add('edge', () => {
    if (pool.listening < pool.size) throw new Error(`${pool.listening} of ${pool.size} edge workers are listening`);
  });
  fleet.attach(pool);
  log.info({ workers: pool.size, pids: pool.pids }, 'edge workers listening');
  return {
    httpPort: pool.httpPort,
    httpsPort: pool.httpsPort,
    servers: [],
    denyOrigins: (servers) => {
      for (const server of servers) {
        const { address, port } = server.address() as AddressInfo;
        pool.denyListener(address, port);
      }
    },
    async close() {
      fleet.detach(pool.id);
      await pool.stop();
    },
  };
}
