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
import { drainServers } from '../edge/drain.js';
import { listenEdge } from '../edge/edge-servers.js';
import { deniedLiteralCheck } from '../edge/policy/origin-address.js';
import { connectNats } from '../fleet/nats/connection.js';
import { EdgeLink } from '../fleet/nats/edge-link.js';
import { Health } from '../observability/health.js';
import { Metrics } from '../observability/metrics.js';
import { buildEdge, denyListeners } from './edge-parts.js';

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

  // 2. The edge's parts; traffic goes to NATS through the link (the meter flushes later).
  let link: EdgeLink | undefined;
  const parts = await buildEdge(edgeId, config.edge, (samples) => (link ? link.report(samples) : Promise.reject(new Error('not linked yet'))), clock, log, metrics);

  // 3. Listening (fenced: every request passes to the origin until the link has caught up).
  const listeners = await listenEdge(parts.node, config.edgeHost, config.edgePort, config.edgeTlsPort).catch(async (error: unknown) => {
    await nc.close();
    throw error;
  });
  denyListeners(parts.originPolicy, listeners.servers);

  // 4. The link.
  const refuseOrigin = config.edge.originDeny.length > 0 ? deniedLiteralCheck(config.edge.originDeny) : undefined;
  link = new EdgeLink(
    nc,
    parts.node,
    {
      edgeId,
      address: `${config.edgeHost}:${listeners.httpPort}`,
      leaseMs: fleetConfig.leaseMs,
      ...(refuseOrigin && {
        refuse: (endpoint) => endpoint.originAddresses.map((address) => refuseOrigin(address, 'Origin address')).find((problem) => problem !== undefined),
      }),
    },
    log.child({ component: 'edge-link' }),
  );
  link.start();
  parts.meter.start(config.edge.meterFlushMs);

  // 5. Status: /readyz is 200 only while it serves from cache (a load balancer skips it otherwise).
  const running = link;
  const health = new Health();
  health.add('fleet', () => {
    if (running.state !== 'serving') throw new Error(`the edge is ${running.state} (applied ${running.appliedSeq})`);
  });
  const status = fleetConfig.edgeStatusPort === undefined ? undefined : await listenStatus(config.edgeHost, fleetConfig.edgeStatusPort, health, metrics);

  return {
    edgeId,
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    statusPort: status ? (status.address() as AddressInfo).port : undefined,
    link: running,
    async close() {
      await drainServers(listeners.servers, SHUTDOWN_GRACE_MS);
      await listeners.close();
      status?.close();
      await parts.meter.stop().catch(() => undefined);
      await running.stop();
      await nc.drain().catch(() => undefined);
      await parts.origin.close();
    },
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
