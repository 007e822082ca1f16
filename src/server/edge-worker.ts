/**
 * One edge worker of `--edge-workers N` (forked by edge/workers/worker-pool.ts): an EdgeNode and
 * its listeners on the ports the workers share, nothing else. It waits for the primary's
 * `start`, applies every configuration before it listens, then does what the primary asks, one
 * message after another in the order sent (a preload starts in order and answers when its
 * fetch ends, so later changes do not wait for the origin). When the primary dies, the IPC
 * channel closes and node:cluster ends this process.
 */
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { createLogger, flushLogger } from '../cli/logger.js';
import type { LogFormat, ServeConfig } from '../config/serve-config.js';
import { systemClock } from '../domain/clock.js';
import type { TrafficSample } from '../domain/traffic-sample.js';
import { listenEdge, type EdgeListeners } from '../edge/edge-servers.js';
import type { EdgeNode } from '../edge/edge-node.js';
import { decodeToWorker, type Call, type Lease, type StartMessage, type ToPrimary } from '../edge/workers/protocol.js';
import { Metrics } from '../observability/metrics.js';
import { buildEdge, denyListeners, type EdgeParts } from './edge-parts.js';

const SHUTDOWN_GRACE_MS = 5_000;

interface Running {
  readonly parts: EdgeParts;
  readonly listeners: EdgeListeners;
  readonly metrics: Metrics;
  readonly log: Logger;
}

let running: Running | undefined;
let queue: Promise<void> = Promise.resolve();
let nextTraffic = 1;
const trafficAnswers = new Map<number, (error: string | undefined) => void>();

const send = (message: ToPrimary): void => {
  if (process.connected) process.send!(message);
};

process.on('message', (raw: unknown) => {
  const message = decodeToWorker(raw);
  if (!message) {
    // Nothing acts on a message of the wrong shape (its id, if any, is not trusted either).
    running?.log.warn('ignored a malformed message from the edge primary');
    return;
  }
  if (message.t === 'traffic-done') {
    trafficAnswers.get(message.id)?.(message.error);
    trafficAnswers.delete(message.id);
    return;
  }
  queue = queue.then(async () => {
    switch (message.t) {
      case 'start':
        return start(message);
      case 'call': {
        const { t: _t, id, ...call } = message;
        return handle(id, call as Call);
      }
      case 'lease':
        if (running) setLease(running.parts.node, message);
        return;
      case 'deny':
        running?.parts.originPolicy.addListener(message.address, message.port);
        return;
      case 'invalidate':
        running?.parts.node.invalidateFromElsewhere(message.endpointId, message.targets);
        return;
      case 'stop':
        return stop();
    }
  });
});
// Workers are the primary's to stop (its `stop`) and die with it; a signal sent to the whole
// process group (Ctrl-C, a service manager) is the primary's to act on, in order.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
send({ t: 'hello' });

async function start(message: StartMessage): Promise<void> {
  const log = createLogger(message.logLevel, message.logFormat as LogFormat).child({ component: 'edge', worker: message.slot });
  try {
    const settings = message.settings as unknown as ServeConfig['edge'];
    // Restarted: what this worker's disk holds may have been purged while it was down.
    if (message.dropDisk && settings.disk) await rm(settings.disk.dir, { recursive: true, force: true });
    const metrics = new Metrics({ processMetrics: true });
    // What an unsafe request invalidates here, the other workers drop too (through the primary).
    const parts = await buildEdge(message.edgeId, settings, toPrimary, systemClock, log, metrics, (endpointId, targets) => send({ t: 'invalidate', endpointId, targets }));
    for (const config of message.configs) {
      await parts.node.applyEndpoint(config).catch((error: unknown) => log.warn({ err: error, endpointId: config.endpointId }, 'could not apply an endpoint'));
    }
    setLease(parts.node, message.lease);
    const listeners = await listenEdge(parts.node, message.host, message.httpPort, message.httpsPort);
    denyListeners(parts.originPolicy, listeners.servers);
    for (const { address, port } of message.denied) parts.originPolicy.addListener(address, port);
    parts.meter.start(settings.meterFlushMs);
    running = { parts, listeners, metrics, log };
    send({ t: 'listening', httpPort: listeners.httpPort, httpsPort: listeners.httpsPort });
  } catch (error) {
    send({ t: 'start-failed', message: (error as Error).message });
    await flushLogger(log);
    process.exit(1);
  }
}

async function handle(id: number, call: Call): Promise<void> {
  const answer = (error?: unknown, metrics?: unknown[]) =>
    send({ t: 'done', id, ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}), ...(metrics ? { metrics } : {}) });
  if (!running) return answer('the edge worker has not started');
  const { node } = running.parts;
  try {
    switch (call.op) {
      case 'apply':
        await node.applyEndpoint(call.config);
        break;
      case 'remove':
        await node.removeEndpoint(call.endpointId);
        break;
      case 'purge':
        await node.purge(call.endpointId, call.target);
        break;
      case 'preload':
        void node.preload(call.endpointId, call.target).then(() => answer(), answer);
        return;
      case 'drop':
        node.dropCache();
        break;
      case 'metrics':
        return answer(undefined, await running.metrics.registry.getMetricsAsJSON());
    }
    answer();
  } catch (error) {
    answer(error);
  }
}

/** The primary's lease, less the time the message took to come (so never longer than granted). */
function setLease(node: EdgeNode, lease: Lease): void {
  node.cacheUntil = lease.forMs === null ? Infinity : performance.now() + lease.forMs - Math.max(0, Date.now() - lease.sentAt);
}

/** The traffic meter's sink: the primary writes it where it goes (the store, or NATS). */
function toPrimary(samples: TrafficSample[]): Promise<void> {
  const id = nextTraffic++;
  return new Promise((resolve, reject) => {
    trafficAnswers.set(id, (error) => (error === undefined ? resolve() : reject(new Error(error))));
    if (!process.connected) {
      trafficAnswers.delete(id);
      return reject(new Error('the edge primary is gone'));
    }
    send({ t: 'traffic', id, samples });
  });
}

async function stop(): Promise<void> {
  if (running) {
    const { parts, listeners, log } = running;
    await listeners.close(SHUTDOWN_GRACE_MS);
    await parts.meter.stop().catch(() => undefined);
    await parts.origin.close();
    await parts.cache.close();
    await flushLogger(log);
  }
  process.exit(0);
}
