/**
 * `mooncdn edge` (scaled shape): one edge with its own cache, TLS and meter, attached to the
 * control plane through NATS only (it never reaches the database). It starts fenced: it serves
 * from cache once it has loaded every endpoint and caught up with the fleet log. Read top to
 * bottom, this is the whole start-up.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-config.js';
import type { ServeConfig } from '../config/serve-config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { settleDiskLayout } from '../edge/cache/disk-layout.js';
import { drainServers } from '../edge/drain.js';
import { listenEdge } from '../edge/edge-servers.js';
import { deniedLiteralCheck } from '../edge/policy/origin-address.js';
import { connectNats } from '../fleet/nats/connection.js';
import { EdgeLink, type LinkedEdge } from '../fleet/nats/edge-link.js';
import { Health } from '../observability/health.js';
import { Metrics } from '../observability/metrics.js';
import type { TrafficSample } from '../domain/traffic-sample.js';
import type { TrafficSink } from '../edge/traffic-meter.js';
import { buildEdge, denyListeners } from './edge-parts.js';
import { createEdgeWorkers } from './edge-workers.js';

const SHUTDOWN_GRACE_MS = 5_000;

export interface RunningEdge {
  readonly edgeId: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly statusPort: number | undefined;
  readonly link: EdgeLink;
  close(): Promise<void>;
}

export async function startEdge(config: ServeConfig, fleetConfig: FleetConfig, log: Logger, clock: Clock = systemClock): Promise<RunningEdge> {
  const { edgeId } = fleetConfig;
  const metrics = new Metrics({ processMetrics: true });

  // 1. NATS, with an inbox of its own (permissions can confine replies to it). Until it answers
  // the edge would know no endpoint, so it waits for it before it listens.
  log.info({ nats: fleetConfig.nats.url }, 'connecting to NATS');
  const nc = await connectNats(fleetConfig.nats, `mooncdn-edge-${edgeId}`, log, `_INBOX_${edgeId}`);

  // 2. The edge, listening: its parts in this process, or N worker processes sharing its ports
  // (edge-workers.ts) that this one drives as one edge. Fenced: every request passes to the
  // origin until the link has caught up. Traffic goes to NATS through the link (the meters
  // flush later).
  let link: EdgeLink | undefined;
  const sink = (samples: TrafficSample[]) => (link ? link.report(samples) : Promise.reject(new Error('not linked yet')));
  if (config.edge.disk) settleDiskLayout(config.edge.disk.dir, config.edgeWorkers);
  const edge = await (config.edgeWorkers > 1 ? edgeWorkers(config, edgeId, sink, log, metrics) : edgeInProcess(config, edgeId, sink, clock, log, metrics)).catch(
    async (error: unknown) => {
      await nc.close();
      throw error;
    },
  );

  // 3. The link.
  const playedFeatures = testFeatures();
  const refuseOrigin = config.edge.originDeny.length > 0 ? deniedLiteralCheck(config.edge.originDeny) : undefined;
  link = new EdgeLink(
    nc,
    edge.driven,
    {
      edgeId,
      address: `${config.edgeHost}:${edge.httpPort}`,
      leaseMs: fleetConfig.leaseMs,
      ...(playedFeatures && { features: playedFeatures }),
      ...(refuseOrigin && {
        refuse: (endpoint) => endpoint.originAddresses.map((address) => refuseOrigin(address, 'Origin address')).find((problem) => problem !== undefined),
      }),
    },
    log.child({ component: 'edge-link' }),
  );
  link.start();

  // 4. Status: /readyz is 200 only while it serves from cache (a load balancer skips it otherwise).
  const running = link;
  const health = new Health();
  health.add('fleet', () => {
    if (running.state !== 'serving') throw new Error(`the edge is ${running.state} (applied ${running.appliedSeq})`);
  });
  if (edge.workers) {
    const { listening, size } = edge.workers;
    health.add('edge-workers', () => {
      if (listening() < size) throw new Error(`${listening()} of ${size} edge workers are listening`);
    });
  }
  const status = fleetConfig.edgeStatusPort === undefined ? undefined : await listenStatus(config.edgeHost, fleetConfig.edgeStatusPort, health, metrics);

  return {
    edgeId,
    httpPort: edge.httpPort,
    httpsPort: edge.httpsPort,
    statusPort: status ? (status.address() as AddressInfo).port : undefined,
    link: running,
    async close() {
      await edge.stopServing();
      status?.close();
      await edge.stopMeter();
      await running.stop();
      await nc.drain().catch(() => undefined);
      await edge.close();
    },
  };
}

/** The edge as this process runs it: what the link drives, its ports, and how it stops. */
interface LocalEdge {
  readonly driven: LinkedEdge;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** With edge workers: how many there are, and how many listen now. */
  readonly workers?: { readonly size: number; listening(): number };
  /** Stops accepting and finishes the requests in flight. */
  stopServing(): Promise<void>;
  /** The last flush of metered traffic (through the link, still up). */
  stopMeter(): Promise<void>;
  close(): Promise<void>;
}

async function edgeInProcess(config: ServeConfig, edgeId: string, sink: TrafficSink, clock: Clock, log: Logger, metrics: Metrics): Promise<LocalEdge> {
  const parts = await buildEdge(edgeId, config.edge, sink, clock, log, metrics);
  const listeners = await listenEdge(parts.node, config.edgeHost, config.edgePort, config.edgeTlsPort);
  denyListeners(parts.originPolicy, listeners.servers);
  parts.meter.start(config.edge.meterFlushMs);
  return {
    driven: parts.node,
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    async stopServing() {
      await drainServers(listeners.servers, SHUTDOWN_GRACE_MS);
      await listeners.close();
    },
    stopMeter: () => parts.meter.stop().catch(() => undefined),
    close: () => parts.origin.close(),
  };
}

/** N workers: each drains its listeners and flushes its meter (through this process) when the pool stops. */
async function edgeWorkers(config: ServeConfig, edgeId: string, sink: TrafficSink, log: Logger, metrics: Metrics): Promise<LocalEdge> {
  const pool = createEdgeWorkers(config, edgeId, sink, log, metrics);
  // Fenced from the first request: the link lifts it once caught up.
  pool.cacheUntil = 0;
  await pool.start();
  log.info({ workers: pool.size, pids: pool.pids }, 'edge workers listening');
  return {
    driven: pool,
    workers: { size: pool.size, listening: () => pool.listening },
    httpPort: pool.httpPort,
    httpsPort: pool.httpsPort,
    stopServing: () => pool.stop(),
    stopMeter: async () => undefined,
    close: async () => undefined,
  };
}

function listenStatus(host: string, port: number, health: Health, metrics: Metrics): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (code: number, type: string, body: string) => res.writeHead(code, { 'content-type': type }).end(body);
    if (path === '/healthz') return answer(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void health.report().then((report) => answer(report.ready ? 200 : 503, 'application/json', JSON.stringify(report)));
      return;
    }
    if (path === '/metrics') {
      void metrics.exposition().then((text) => answer(200, metrics.contentType, text));
      return;
    }
    answer(404, 'application/json', '{"error":"not found: /healthz, /readyz or /metrics"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Tests of mixed-version fleets play an edge older than some features with a real one:
 * MOONCDN_TEST_EDGE_FEATURES (comma-separated, empty for none) replaces what its heartbeats name.
 * Not a setting: no flag, not in --help (an operator has no reason to claim less than the edge does).
 */
function testFeatures(): string[] | undefined {
  const value = process.env.MOONCDN_TEST_EDGE_FEATURES;
  return value === undefined ? undefined : value.split(',').map((name) => name.trim()).filter((name) => name !== '');
}
