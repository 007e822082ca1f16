/**
 * `--edge-workers N` (N > 1), the same in both shapes: the pool of edge processes
 * (edge/workers/worker-pool.ts) with each worker's share of the budgets, their metrics summed
 * into this process's scrape. The caller attaches it to its fleet (InProcessFleet, or the NATS
 * link) as it would an EdgeNode.
 *
 * node:cluster shares the listening sockets. Every worker accepts on them itself (SCHED_NONE)
 * unless NODE_CLUSTER_SCHED_POLICY=rr asks for round-robin (this process accepts and hands each
 * connection over, one IPC message per connection): measured in BENCHMARKS.md ("Edge: hits
 * across cores"), round-robin served new connections at about half the rate (2.9k against 5.4k
 * a second) and kept-alive ones no faster; Linux spread the connections evenly enough under
 * load (each worker's CPU time within 15 % of the other's).
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { envName, FLEET_OPTIONS, SERVE_OPTIONS } from '../config/options.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { TrafficSink } from '../edge/traffic-meter.js';
import { workerDiskDir } from '../edge/cache/disk-layout.js';
import { WorkerPool } from '../edge/workers/worker-pool.js';
import type { WorkerEdgeSettings } from '../edge/workers/protocol.js';
import type { Metrics } from '../observability/metrics.js';

/** The worker's entry, beside this module (dist/server/edge-worker.js once built). */
const WORKER_ENTRY = fileURLToPath(new URL('./edge-worker.js', import.meta.url));

/** The variables only secrets are read from, blanked: a worker needs none of them. */
function withoutSecrets(): Record<string, string> {
  return Object.fromEntries([...SERVE_OPTIONS, ...FLEET_OPTIONS].filter((option) => 'envOnly' in option && option.envOnly).map((option) => [envName(option.flag), '']));
}

/** Worker `slot`'s settings: 1/N of the memory, fill and disk budgets; its own disk directory. */
export function workerSettings(edge: ServeConfig['edge'], workers: number, slot: number): ServeConfig['edge'] {
  return {
    ...edge,
    cacheBytes: Math.floor(edge.cacheBytes / workers),
    fillBytes: Math.floor(edge.fillBytes / workers),
    disk: edge.disk && { dir: workerDiskDir(edge.disk.dir, slot), bytes: Math.floor(edge.disk.bytes / workers) },
  };
}

/**
 * Forks the workers with `configs` applied and resolves when all listen. `configs` may also be
 * given later through the pool (applyEndpoint): a worker applies them in order.
 */
export function createEdgeWorkers(
  config: Pick<ServeConfig, 'edgeHost' | 'edgePort' | 'edgeTlsPort' | 'edge' | 'edgeWorkers' | 'logLevel' | 'logFormat'>,
  edgeId: string,
  sink: TrafficSink,
  log: Logger,
  metrics: Metrics,
): WorkerPool {
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const pool = new WorkerPool({
    workers: config.edgeWorkers,
    exec: WORKER_ENTRY,
    edgeId,
    settingsFor: (slot) => workerSettings(config.edge, config.edgeWorkers, slot) as unknown as WorkerEdgeSettings,
    host: config.edgeHost,
    httpPort: config.edgePort,
    httpsPort: config.edgeTlsPort,
    logLevel: config.logLevel,
    logFormat: config.logFormat,
    sink,
    log,
    env: withoutSecrets(),
  });
  metrics.aggregateWith(() => pool.workerMetrics());
  return pool;
}
