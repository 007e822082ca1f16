/**
 * The embedded shape (DESIGN.md): store, engine, API and edge in one process. Read top to
 * bottom, this is the whole start-up.
 */
import type { Logger } from 'pino';
import type { ServeConfig } from '../config/serve-config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { SecretBox } from '../domain/secret-box.js';
import { drainServers } from '../edge/drain.js';
import { startEmbeddedEdge, type EmbeddedEdge } from './embedded-edge.js';
import { Metrics } from '../observability/metrics.js';
import { Store } from '../store/store.js';
import { takeServeLock, type ServeLock } from '../store/serve-lock.js';
import { dataDirWarning } from '../store/sqlite.js';
import { bootstrapCredentials, credentialsFile, type BootstrapResult } from './bootstrap.js';
import { createControlPlane, type ControlPlane } from './control-plane.js';
import { listen } from './listen.js';

/** How long a stop waits for requests in flight before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface RunningServer {
  readonly apiUrl: string;
  readonly edgeHttpPort: number;
  readonly edgeHttpsPort: number;
  readonly credentials: BootstrapResult | undefined;
  /** Stops accepting, finishes requests in flight, leaves unfinished operations resumable. */
  close(): Promise<void>;
}

export async function startEmbeddedServer(config: ServeConfig, log: Logger, clock: Clock = systemClock): Promise<RunningServer> {
  const metrics = new Metrics({ processMetrics: true });

  // 1. The store, with secrets sealed under the master key when one is set; no other serve on it.
  const store = await Store.open(config.store, new SecretBox(config.masterKey));
  if (config.store.kind === 'sqlite') {
    const warning = dataDirWarning(config.store.file);
    if (warning) log.warn(warning);
  }
  let lock: ServeLock | undefined;
  let plane: ControlPlane | undefined;
  let edge: EmbeddedEdge | undefined;
  try {
    lock = await takeServeLock(config.store, log);

    // 2. Secrets stored under another master key (or none) stop the start now.
    await store.apiKeys.checkSecretsReadable();

    // 3. This process is the only worker: operations a crash left Processing resume at once.
    const released = await store.operations.releaseLeases();
    if (released > 0) log.info({ operations: released }, 'resuming operations left unfinished');

    // 4. Fleet, engine, commands and API.
    plane = await createControlPlane(store, config, clock, log, metrics);

    // 5. The edge: loaded with what edges serve, attached to the fleet, listening.
    edge = await startEmbeddedEdge(config, store, plane.fleet, clock, log.child({ component: 'edge' }), metrics, plane.health);

    // 6. Listen.
    const apiUrl = await listen(plane.api, config.host, config.port, 'the management API', '--port (MOONCDN_PORT)', config.apiTls !== undefined);
    // An origin at the API's own address would hand its /metrics to anyone asking the edge.
    edge.denyOrigins([plane.api.server]);

    // 7. Credentials: from the environment, or a development key on the first start. Only now
    // that every listener is up, so a start that fails (a port in use) makes no key whose
    // value nobody saw, and the next start makes it.
    const credentials = await bootstrapCredentials(store, clock, config.bootstrap, { apiUrl: config.publicUrl ?? apiUrl, credentialsFile: credentialsFile(config.dataDir) });

    // 8. Start working.
    plane.engine.start();

    const { api, engine } = plane;
    const runningEdge = edge;
    const runningLock = lock;
    return {
      apiUrl,
      edgeHttpPort: edge.httpPort,
      edgeHttpsPort: edge.httpsPort,
      credentials,
      async close() {
        // The API and the edge stop accepting at once and answer every request they received;
        // after the grace period, what is left is cut (a client that sent half a request).
        await drainServers([api.server, ...runningEdge.servers], SHUTDOWN_GRACE_MS);
        await engine.stop();
        await runningEdge.close();
        await api.close();
        await store.close();
        await runningLock.release();
      },
    };
  } catch (error) {
    await edge?.close().catch(() => undefined);
    await plane?.api.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await lock?.release();
    throw error;
  }
}
