/**
 * An operation whose run threw (a store or programming error) is given back with a backoff
 * (engine.ts): the worker looks again when the backoff ends, not at its next poll, which is 10 s
 * while it listens for notices. Here the poll is a minute, so only that wake can explain the retry.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { DEFAULT_QUOTAS } from '../../src/domain/quota.js';
import { InProcessFleet } from '../../src/fleet/in-process-fleet.js';
import { OperationCommands } from '../../src/operations/commands.js';
import { OperationEngine } from '../../src/operations/engine.js';
import { HANDLERS } from '../../src/operations/handlers/index.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore, TEST_STORE_KIND } from '../support/stores.js';

let done: (() => Promise<void>) | undefined;
afterEach(() => done?.());

/** An engine whose CreateEndpoint run throws the first time, polling only every minute; returns a started engine's operation id. */
async function createEndpointThatBreaksOnce(patch: (store: Store) => void = () => undefined) {
  const { store, cleanup } = await openTestStore(TEST_STORE_KIND);
  patch(store);
  let runs = 0;
  const engine = new OperationEngine({
    store,
    fleet: new InProcessFleet(2_000, 1_000),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    handlers: {
      ...HANDLERS,
      CreateEndpoint: {
        ...HANDLERS.CreateEndpoint,
        run: (ctx) => (++runs === 1 ? Promise.reject(new Error('the first run breaks')) : HANDLERS.CreateEndpoint.run(ctx)),
      },
    },
    pollMs: 60_000,
    listenedPollMs: 60_000,
    leaseMs: 60_000,
  });
  done = async () => {
    await engine.stop(1_000);
    await cleanup();
  };
  const subscriptionId = randomUUID();
  await store.subscriptions.insert({ id: subscriptionId, name: 'test', createdAt: systemClock.now() });
  const commands = new OperationCommands(store, systemClock, { maxUrlsPerRequest: 100, quotas: DEFAULT_QUOTAS }, (id, type) => engine.notify(id, type));
  engine.start();
  const { operation } = await commands.createEndpoint(subscriptionId, { CustomDomain: 'retry.example.com', Origin: { Addresses: ['origin.example.com'] } });
  return { store, operationId: operation.id, runs: () => runs };
}

/** Polls until the operation ends; it must end Succeeded on its second run, well inside the minute's poll and lease. */
async function expectRetried(store: Store, operationId: string, runs: () => number): Promise<void> {
  for (const deadline = Date.now() + 15_000; ; ) {
    const current = (await store.operations.get(operationId))!;
    if (current.status === 'Succeeded' || current.status === 'Failed') {
      expect(current.status).toBe('Succeeded');
      expect(current.attempts).toBe(2);
      break;
    }
    if (Date.now() > deadline) throw new Error(`the operation was not retried (status ${current.status}, runs ${runs()})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(runs()).toBe(2);
}

it('an operation whose run threw once is retried when its backoff ends, though the worker polls every minute', async () => {
  const { store, operationId, runs } = await createEndpointThatBreaksOnce();
  // The first backoff is one second.
  await expectRetried(store, operationId, runs);
});

it('is given back even when the store fails that too at first (a failover), not left to its lease', async () => {
  let refusals = 0;
  const { store, operationId, runs } = await createEndpointThatBreaksOnce((store) => {
    const retryLater = store.operations.retryLater.bind(store.operations);
    store.operations.retryLater = (...args) => (++refusals <= 2 ? Promise.reject(new Error('connection terminated')) : retryLater(...args));
  });
  await expectRetried(store, operationId, runs);
  expect(refusals).toBe(3);
});

it('a claim the store failed (a failover) is tried again soon, not at the next poll (a minute here)', async () => {
  const { store, cleanup } = await openTestStore(TEST_STORE_KIND);
  const engine = new OperationEngine({ store, fleet: new InProcessFleet(2_000, 1_000), clock: systemClock, log: pino({ level: 'silent' }), handlers: HANDLERS, pollMs: 60_000, listenedPollMs: 60_000 });
  done = async () => {
    await engine.stop(1_000);
    await cleanup();
  };
  const subscriptionId = randomUUID();
  await store.subscriptions.insert({ id: subscriptionId, name: 'test', createdAt: systemClock.now() });
  // Accepted while no engine runs: the engine's first claim finds it, and that claim fails.
  const commands = new OperationCommands(store, systemClock, { maxUrlsPerRequest: 100, quotas: DEFAULT_QUOTAS }, () => undefined);
  const { operation } = await commands.createEndpoint(subscriptionId, { CustomDomain: 'claim.example.com', Origin: { Addresses: ['origin.example.com'] } });
  let refusals = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = ((work: Parameters<Store['transaction']>[0]) => (++refusals === 1 ? Promise.reject(new Error('connection terminated')) : transaction(work))) as Store['transaction'];
  engine.start();
  await vi.waitFor(async () => expect((await store.operations.get(operation.id))!.status).toBe('Succeeded'), { timeout: 10_000, interval: 20 });
  expect(refusals).toBeGreaterThan(1);
});
