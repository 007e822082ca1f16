/**
 * `mooncdn worker` (scaled shape): the operation engine over PostgreSQL, driving the edges
 * through NATS. Any number run at once: they claim operations with FOR UPDATE SKIP LOCKED, wake
 * on LISTEN/NOTIFY, answer edges' heartbeats as one queue group, write their traffic reports and
 * deliver webhooks (claimed under leases, so each delivery goes out once).
 * Read top to bottom, this is the whole start-up.
 */
import { jetstream } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-config.js';
import type { ServeConfig } from '../config/serve-config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { SecretBox } from '../domain/secret-box.js';
import { connectNats } from '../fleet/nats/connection.js';
import { FleetRecorder } from '../fleet/nats/fleet-recorder.js';
import { ensureFleetStreams } from '../fleet/nats/fleet-streams.js';
import { NatsFleet } from '../fleet/nats/nats-fleet.js';
import { Metrics } from '../observability/metrics.js';
import { isServedByEdges, loadEdgeConfig } from '../operations/edge-configs.js';
import { Store } from '../store/store.js';
import { createEngine, newWebhookDeliverer } from './control-plane.js';

export interface RunningWorker {
  readonly workerId: string;
  close(): Promise<void>;
}

export async function startWorker(config: ServeConfig, fleetConfig: FleetConfig, log: Logger, clock: Clock = systemClock): Promise<RunningWorker> {
  // 1. The store (never releases other workers' leases at start: they may be running).
  const store = await Store.open(config.store, new SecretBox(config.masterKey));
  try {
    await store.apiKeys.checkSecretsReadable();

    // 2. NATS: the log, the configuration bucket and the traffic stream.
    const nc = await connectNats(fleetConfig.nats, 'mooncdn-worker', log);
    const { jsm, configs, created } = await ensureFleetStreams(nc, { logMaxMessages: fleetConfig.logMaxMessages });
    if (created) {
      // A new log (a new NATS, or one that lost its data): edges resync from the bucket, which
      // must hold every endpoint they serve before any of them is answered.
      let seeded = 0;
      for (const endpoint of await store.endpoints.listLive()) {
        if (!isServedByEdges(endpoint)) continue;
        await configs.put(endpoint.id, JSON.stringify(await loadEdgeConfig(store, endpoint)));
        seeded++;
      }
      log.info({ endpoints: seeded }, 'made the fleet log and filled the configuration bucket');
    }

    // 3. The fleet, what edges report, and the engine.
    const fleet = new NatsFleet(
      nc,
      jetstream(nc),
      configs,
      {
        deadlineMs: config.edgeDeadlineMs,
        originTimeoutMs: config.edge.originTimeoutMs,
        leaseCheckMs: Math.min(250, fleetConfig.leaseMs / 4),
        liveEdges: () => store.edges.live(),
      },
      log.child({ component: 'fleet' }),
    );
    fleet.start();
    const recorder = new FleetRecorder(nc, jsm, store, clock, fleetConfig.leaseMs, log.child({ component: 'fleet' }));
    await recorder.start();
    const webhooks = newWebhookDeliverer(store, clock, log, config.edge.originDeny);
    const engine = createEngine(store, fleet, clock, log, new Metrics({ processMetrics: false }), webhooks, { leaseMs: fleetConfig.operationLeaseMs });
    engine.start();
    webhooks.start();

    return {
      workerId: engine.workerId,
      async close() {
        await engine.stop();
        await webhooks.stop();
        await recorder.stop();
        fleet.stop();
        await nc.drain().catch(() => undefined);
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
