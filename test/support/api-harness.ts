/**
 * The control plane as `serve` builds it (createControlPlane), on a fresh store, driven with
 * inject(): signed requests, no port. Each test gets its own subscription and full-scope key.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { EdgeAgent } from '../../src/fleet/edge-agent.js';
import { newKeyValue, type KeyScope } from '../../src/domain/api-key.js';
import { DEFAULT_QUOTAS } from '../../src/domain/quota.js';
import type { OperationRecord } from '../../src/domain/operation.js';
import { createControlPlane, type ControlPlane, type ControlPlaneSettings } from '../../src/server/control-plane.js';
import { signRequest, type SigningKey } from '../../src/signing/index.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { Store, StoreLocation } from '../../src/store/store.js';
import { TestClock } from './clock.js';
import { openTestStore, TEST_STORE_KIND, wipeStore, type StoreKind } from './stores.js';

export const DEFAULT_SETTINGS: ControlPlaneSettings = {
  signature: { skewMs: 15 * 60_000, allowTwelveHourClock: true, replayCache: false },
  bodyLimitBytes: 1024 * 1024,
  maxUrlsPerRequest: 100,
  quotas: DEFAULT_QUOTAS,
  edgeDeadlineMs: 2_000,
  apiTls: undefined,
  cnameSuffix: 'mooncdn.localhost',
  edge: { originTimeoutMs: 1_000 },
  host: '127.0.0.1',
  publicUrl: undefined,
};

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: any;
  readonly text: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Raw body text, sent as it is. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** Sign with this key instead of the harness's. */
  readonly key?: SigningKey;
  /** Send no signature headers at all. */
  readonly unsigned?: boolean;
  /** Add ?apiVersion=1.0 (default true). */
  readonly apiVersion?: boolean;
}

export interface Harness {
  readonly store: Store;
  /** Where the store is, for a second store (another process's view) on the same data. */
  readonly location: StoreLocation;
  readonly clock: TestClock;
  readonly plane: ControlPlane;
  readonly subscriptionId: string;
  readonly key: SigningKey;
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** `path` below /subscriptions/{this subscription}. */
  sub(method: string, path: string, options?: RequestOptions): Promise<Response>;
  createKey(options?: { scope?: KeyScope; ratePerMinute?: number; expiresAt?: number; subscriptionId?: string }): Promise<SigningKey>;
  createSubscription(): Promise<string>;
  /** Creates an endpoint and waits until it is Normal; returns its id. */
  createEndpoint(domain?: string, origins?: string[]): Promise<string>;
  waitForOperation(operationId: string): Promise<OperationRecord>;
  /**
   * Empties the store, sets the clock back and gives the harness a new subscription and key:
   * a test starts as on a new harness, without the cost of one (a PostgreSQL database each).
   * An operation the last test left running is stopped (its lease released) before the wipe.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { kind?: StoreKind; settings?: Partial<ControlPlaneSettings>; edges?: EdgeAgent[]; clock?: TestClock; maxAttempts?: number } = {},
): Promise<Harness> {
  const { store, location, cleanup } = await openTestStore(options.kind ?? TEST_STORE_KIND);
  const clock = options.clock ?? new TestClock();
  const startedAt = clock.now();
  const log = pino({ level: process.env.MOONCDN_TEST_LOG ?? 'silent' });
  const plane = await createControlPlane(store, { ...DEFAULT_SETTINGS, ...options.settings }, clock, log, new Metrics(), {
    pollMs: 50,
    listenedPollMs: 50,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
  for (const edge of options.edges ?? []) plane.fleet.attach(edge);
  plane.engine.start();

  const harness: Harness = {
    store,
    location,
    clock,
    plane,
    subscriptionId: '',
    key: { keyId: '', keyValue: '' },

    async request(method, path, opts = {}) {
      const withVersion = opts.apiVersion === false ? path : `${path}${path.includes('?') ? '&' : '?'}apiVersion=1.0`;
      const signed = opts.unsigned ? {} : signRequest(method, withVersion, opts.key ?? harness.key, new Date(clock.now()));
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const response = await plane.api.inject({
        method: method as 'GET',
        url: withVersion,
        headers: { ...signed, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        ...(payload !== undefined ? { payload } : {}),
      });
      let body: unknown;
      try {
        body = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        body = undefined;
      }
      return { status: response.statusCode, headers: response.headers, body, text: response.body };
    },

    sub(method, path, opts) {
      return harness.request(method, `/subscriptions/${harness.subscriptionId}${path}`, opts);
    },

    async createSubscription() {
      const id = randomUUID();
      await store.subscriptions.insert({ id, name: 'test', createdAt: clock.now() });
      return id;
    },

    async createKey(keyOptions = {}) {
      const key = { keyId: randomUUID(), keyValue: newKeyValue() };
      await store.apiKeys.insert({
        id: key.keyId,
        subscriptionId: keyOptions.subscriptionId ?? harness.subscriptionId,
        value: key.keyValue,
        scope: keyOptions.scope ?? 'full',
        expiresAt: keyOptions.expiresAt ?? null,
        ratePerMinute: keyOptions.ratePerMinute ?? null,
        revokedAt: null,
        createdAt: clock.now(),
      });
      return key;
    },

    async createEndpoint(domain = `cdn-${randomUUID().slice(0, 8)}.example.com`, origins = ['origin.example.com']) {
      const response = await harness.sub('POST', '/endpoints', { body: { CustomDomain: domain, Origin: { Addresses: origins } } });
      if (response.status !== 202) throw new Error(`create endpoint answered ${response.status}: ${response.text}`);
      const location = String(response.headers['operation-location']);
      const operation = await harness.waitForOperation(location.split('/operations/')[1]!.split('?')[0]!);
      if (operation.status !== 'Succeeded') throw new Error(`create endpoint ${operation.status}: ${operation.message}`);
      return response.body.EndpointID as string;
    },

    async waitForOperation(operationId) {
      for (let i = 0; i < 400; i++) {
        const operation = await store.operations.get(operationId);
        if (operation && (operation.status === 'Succeeded' || operation.status === 'Failed')) return operation;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`operation ${operationId} did not end within 4 s`);
    },

    async reset() {
      // An operation the last test left running would write while the rows go (on PostgreSQL the
      // two deadlock): stop the engine for the wipe and start it again if it ran.
      const wasRunning = plane.engine.running;
      await plane.engine.stop(1_000);
      await wipeStore(location);
      if (wasRunning) plane.engine.start();
      clock.set(startedAt);
      (harness as { subscriptionId: string }).subscriptionId = await harness.createSubscription();
      (harness as { key: SigningKey }).key = await harness.createKey();
    },

    async close() {
      await plane.api.close();
      await plane.engine.stop(1_000);
      await cleanup();
    },
  };
  (harness as { subscriptionId: string }).subscriptionId = await harness.createSubscription();
  (harness as { key: SigningKey }).key = await harness.createKey();
  return harness;
}
