/**
 * The control plane's parts wired together over an open store: fleet, engine, commands and
 * the API. `serve` and the route tests both build it here, so tests run what ships.
 */
import type { Logger } from 'pino';
import { buildApi } from '../api/app.js';
import { presentOperation } from '../api/presenters.js';
import type { App } from '../api/types.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { Clock } from '../domain/clock.js';
import { deniedLiteralCheck, type DeniedRange } from '../edge/policy/origin-address.js';
import type { OperationType } from '../domain/operation.js';
import type { Fleet } from '../operations/fleet.js';
import { InProcessFleet } from '../fleet/in-process-fleet.js';
import { OperationCommands } from '../operations/commands.js';
import { OperationEngine, type EngineOptions } from '../operations/engine.js';
import { HANDLERS } from '../operations/handlers/index.js';
import { WebhookDeliverer } from '../operations/webhook-deliverer.js';
import { Health } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';

export type ControlPlaneSettings = Pick<
  ServeConfig,
  'signature' | 'bodyLimitBytes' | 'maxUrlsPerRequest' | 'quotas' | 'edgeDeadlineMs' | 'apiTls' | 'cnameSuffix' | 'host' | 'publicUrl'
> & { readonly edge: Pick<ServeConfig['edge'], 'originTimeoutMs'> & Partial<Pick<ServeConfig['edge'], 'originDeny'>> };

export interface ControlPlane {
  readonly health: Health;
  readonly fleet: InProcessFleet;
  readonly engine: OperationEngine;
  /** Started here; stopped when the API closes. */
  readonly webhooks: WebhookDeliverer;
  readonly commands: OperationCommands;
  readonly api: App;
}

export async function createControlPlane(
  store: Store,
  settings: ControlPlaneSettings,
  clock: Clock,
  log: Logger,
  metrics: Metrics,
  engineOptions: EngineSettings = {},
): Promise<ControlPlane> {
  // Edges attach to the fleet; the engine drives them.
  const fleet = new InProcessFleet(settings.edgeDeadlineMs, settings.edge.originTimeoutMs);
  // Webhooks (extension): deliveries are written in the transaction that ends an operation.
  const webhooks = newWebhookDeliverer(store, clock, log, settings.edge.originDeny ?? []);
  const engine = createEngine(store, fleet, clock, log, metrics, webhooks, engineOptions);
  // Readiness: the store answers and the workers run (the edge adds its own check).
  const health = storeHealth(store);
  addWorkersCheck(health, engine);
  const { commands, api } = await createApi(store, settings, clock, log, metrics, health, (endpointId, type) => engine.notify(endpointId, type), {
    // The edge runs in this process, so its policy is known here: refuse denied IP literals at once.
    originDeny: settings.edge.originDeny,
    onClose: () => webhooks.stop(),
  });
  webhooks.start();
  return { health, fleet, engine, webhooks, commands, api };
}

export type EngineSettings = Partial<Pick<EngineOptions, 'leaseMs' | 'pollMs' | 'listenedPollMs' | 'maxAttempts' | 'concurrency'>>;

/** Delivers ended operations to the subscriptions' webhooks, through the origin address policy. */
export function newWebhookDeliverer(store: Store, clock: Clock, log: Logger, originDeny: readonly DeniedRange[]): WebhookDeliverer {
  return new WebhookDeliverer({ store, clock, log: log.child({ component: 'webhooks' }), originDeny });
}

/**
 * The operation engine over a fleet: woken by this process's commands and, on PostgreSQL, by
 * every other's. The transaction that ends an operation also writes its webhook deliveries.
 */
export function createEngine(
  store: Store,
  fleet: Fleet,
  clock: Clock,
  log: Logger,
  metrics: Metrics,
  webhooks: WebhookDeliverer,
  engineOptions: EngineSettings = {},
): OperationEngine {
  const engine = new OperationEngine({
    store,
    fleet,
    clock,
    log: log.child({ component: 'engine' }),
    handlers: HANDLERS,
    recordEnd: async (tx, ended) => {
      await tx.webhooks.enqueue(ended.subscriptionId, ended.id, JSON.stringify(presentOperation(ended)), clock.now());
    },
    onFinished: (operation, outcome, durationMs) => {
      metrics.operations.inc({ type: operation.type, status: outcome.ok ? 'Succeeded' : 'Failed' });
      metrics.operationDuration.observe({ type: operation.type }, durationMs / 1000);
      webhooks.notify();
    },
    // On PostgreSQL, operations accepted by any process wake it at once (LISTEN/NOTIFY); it
    // then polls every 10 s only, for leases that lapsed.
    listening: () => store.listening,
    ...engineOptions,
  });
  store.onOperationsChanged((endpointId, type) => engine.notify(endpointId, type));
  metrics.countUnfinishedWith(() => store.operations.countUnfinished());
  return engine;
}

/** Readiness that starts with the store answering. */
export function storeHealth(store: Store): Health {
  const health = new Health();
  health.add('store', () =>
    store.ping().catch((error: unknown) => {
      throw new Error(`${store.description} does not answer: ${(error as Error).message}`);
    }),
  );
  return health;
}

export function addWorkersCheck(health: Health, engine: OperationEngine): void {
  health.add('workers', () => {
    if (!engine.running) throw new Error('the operation workers are not running');
  });
}

/** The commands that accept operations, and the API over them. */
export async function createApi(
  store: Store,
  settings: ControlPlaneSettings,
  clock: Clock,
  log: Logger,
  metrics: Metrics,
  health: Health,
  notify: (endpointId: string, type: OperationType) => void,
  extra: { readonly originDeny?: readonly DeniedRange[] | undefined; readonly operatorToken?: string | undefined; readonly onClose?: () => Promise<void> } = {},
): Promise<{ commands: OperationCommands; api: App }> {
  const commands = new OperationCommands(
    store,
    clock,
    {
      maxUrlsPerRequest: settings.maxUrlsPerRequest,
      quotas: settings.quotas,
      ...(extra.originDeny?.length ? { deniedOrigin: deniedLiteralCheck(extra.originDeny) } : {}),
    },
    notify,
  );
  const api = await buildApi({
    store,
    commands,
    clock,
    log: log.child({ component: 'api' }),
    signature: settings.signature,
    bodyLimitBytes: settings.bodyLimitBytes,
    cnameSuffix: settings.cnameSuffix,
    host: settings.host,
    publicUrl: settings.publicUrl,
    metrics,
    health,
    ...(settings.apiTls ? { tls: settings.apiTls } : {}),
    ...(extra.operatorToken ? { operatorToken: extra.operatorToken } : {}),
    ...(extra.onClose ? { onClose: extra.onClose } : {}),
  });
  return { commands, api };
}
