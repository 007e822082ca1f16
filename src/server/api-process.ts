/**
 * `mooncdn api` (scaled shape): the management API alone, stateless over PostgreSQL; any number
 * run behind a load balancer. Accepted operations are announced to the workers by NOTIFY (the
 * store does it in the accepting transaction). Read top to bottom, this is the whole start-up.
 */
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-config.js';
import type { ServeConfig } from '../config/serve-config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { fleetView } from '../domain/fleet-view.js';
import { SecretBox } from '../domain/secret-box.js';
import { drainServers } from '../edge/drain.js';
import { Metrics } from '../observability/metrics.js';
import { isUniqueViolation } from '../store/dialect.js';
import { Store } from '../store/store.js';
import { bootstrapCredentials, credentialsFile, type BootstrapResult } from './bootstrap.js';
import { createApi, storeHealth } from './control-plane.js';
import { listen } from './listen.js';

const SHUTDOWN_GRACE_MS = 5_000;

export interface RunningApi {
  readonly apiUrl: string;
  readonly credentials: BootstrapResult | undefined;
  close(): Promise<void>;
}

export async function startApiProcess(config: ServeConfig, fleetConfig: FleetConfig, log: Logger, clock: Clock = systemClock): Promise<RunningApi> {
  const metrics = new Metrics({ processMetrics: true });

  // 1. The store; its listener hears other processes' key changes (revocation at once).
  const store = await Store.open(config.store, new SecretBox(config.masterKey));
  try {
    await store.apiKeys.checkSecretsReadable();

    // 2. The API; the workers hear of accepted operations through the store.
    const health = storeHealth(store);
    metrics.measureFleetWith(async () => {
      const { now, edges } = await store.edges.list();
      return fleetView(now, edges);
    });
    const { api } = await createApi(store, config, clock, log, metrics, health, () => undefined, { operatorToken: fleetConfig.operatorToken });

    // 3. Listen, then credentials from the environment (a development key only when no
    // subscription exists yet). Replicas starting together may race to make the same key.
    const apiUrl = await listen(api, config.host, config.port, 'the management API', '--port (MOONCDN_PORT)', config.apiTls !== undefined);
    const bootstrap = () => bootstrapCredentials(store, clock, config.bootstrap, { apiUrl: config.publicUrl ?? apiUrl, credentialsFile: credentialsFile(config.dataDir) });
    const credentials = await bootstrap().catch((error: unknown) => {
      if (isUniqueViolation(error)) return bootstrap();
      throw error;
    });

    return {
      apiUrl,
      credentials,
      async close() {
        await drainServers([api.server], SHUTDOWN_GRACE_MS);
        await api.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
