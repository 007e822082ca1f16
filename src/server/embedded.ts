/**
 * The embedded shape (DESIGN.md): store, engine, API and edge in one process. Read top to
 * bottom, this is the whole wiring.
 */
import type { Logger } from 'pino';
import { buildApi } from '../api/app.js';
import type { App } from '../api/types.js';
import type { ServeConfig } from '../config/serve-config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { SecretBox } from '../domain/secret-box.js';
import { InProcessFleet } from '../fleet/fleet.js';
import { OperationCommands } from '../operations/commands.js';
import { OperationEngine } from '../operations/engine.js';
import { HANDLERS } from '../operations/handlers/index.js';
import { Store } from '../store/store.js';
import { bootstrapCredentials, type BootstrapResult } from './bootstrap.js';
import { listen } from './listen.js';

export interface RunningServer {
  readonly apiUrl: string;
  readonly credentials: BootstrapResult | undefined;
  readonly store: Store;
  /** Stops accepting, finishes requests in flight, leaves unfinished operations resumable. */
  close(): Promise<void>;
}

export async function startEmbeddedServer(config: ServeConfig, log: Logger, clock: Clock = systemClock): Promise<RunningServer> {
  // The store, with secrets sealed under the master key when one is set.
  const store = await Store.open(config.store, new SecretBox(config.masterKey));
  let api: App | undefined;
  try {
    const credentials = await bootstrapCredentials(store, clock, config.bootstrap);

    // This process is the only worker: operations a crash left Processing resume at once.
    const released = await store.operations.releaseLeases();
    if (released > 0) log.info({ operations: released }, 'resuming operations left unfinished');

    // Edges (the embedded edge attaches here) and the engine that drives them.
    const fleet = new InProcessFleet(config.edgeDeadlineMs);
    const engine = new OperationEngine({ store, fleet, clock, log: log.child({ component: 'engine' }), handlers: HANDLERS });
    const commands = new OperationCommands(
      store,
      clock,
      { maxUrlsPerRequest: config.maxUrlsPerRequest, quotas: config.quotas },
      () => engine.notify(),
    );

    // The management API.
    api = await buildApi({
      store,
      commands,
      clock,
      log: log.child({ component: 'api' }),
      signature: config.signature,
      bodyLimitBytes: config.bodyLimitBytes,
      ...(config.apiTls ? { tls: config.apiTls } : {}),
    });
    const apiUrl = await listen(api, config.host, config.port, 'the management API', '--port (MOONCDN_PORT)', config.apiTls !== undefined);
    engine.start();

    const app = api;
    return {
      apiUrl,
      credentials,
      store,
      async close() {
        await app.close();
        await engine.stop();
        await store.close();
      },
    };
  } catch (error) {
    await api?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
