/**
 * Two processes on one PostgreSQL database, as two Store instances with a control plane each
 * (store/notifications.ts): what A accepts or writes reaches B at once by LISTEN/NOTIFY, not at
 * B's next poll, which these tests set to a minute so that only a notice can explain B acting.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { newKeyValue } from '../../src/domain/api-key.js';
import { SecretBox } from '../../src/domain/secret-box.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createControlPlane, type ControlPlane } from '../../src/server/control-plane.js';
import { signRequest, type SigningKey } from '../../src/signing/index.js';
import { Store } from '../../src/store/store.js';
import { DEFAULT_SETTINGS } from '../support/api-harness.js';
import { TestClock } from '../support/clock.js';
import { allowConnections, databaseName, terminateBackends } from '../support/postgres-faults.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** Longer than any test may take: a worker that acts did not do it on its poll. */
const POLL_MS = 60_000;

const clock = new TestClock();
const log = pino({ level: process.env.MOONCDN_TEST_LOG ?? 'silent' });
let database: TestDatabase;
let a: Store;
let b: Store;
let planeA: ControlPlane;
let planeB: ControlPlane;
let subscriptionId: string;
/** Credential notices B has heard (from before A's first write, so none is missed). */
let heard: number;

beforeEach(async () => {
  database = await createTestDatabase();
  const location = { kind: 'postgres' as const, connectionString: database.url };
  a = await Store.open(location, new SecretBox(undefined));
  b = await Store.open(location, new SecretBox(undefined));
  heard = 0;
  b.onCredentialsChanged(() => heard++);
  const engine = { pollMs: POLL_MS, listenedPollMs: POLL_MS };
  // A only accepts (its engine never starts); B's engine is the only worker.
  planeA = await createControlPlane(a, DEFAULT_SETTINGS, clock, log, new Metrics(), engine);
  planeB = await createControlPlane(b, DEFAULT_SETTINGS, clock, log, new Metrics(), engine);
  subscriptionId = randomUUID();
  await a.subscriptions.insert({ id: subscriptionId, name: 'test', createdAt: clock.now() });
});

afterEach(async () => {
  await planeB.engine.stop(1_000);
  await Promise.all([planeA.api.close(), planeB.api.close()]);
  await Promise.all([a.close(), b.close()]);
  await database.drop();
});

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts B's worker and waits until it has looked for work once and sleeps. */
async function startIdleWorkerB(): Promise<void> {
  planeB.engine.start();
  await until("B's worker sleeps", () => planeB.engine.idle);
}

/** Accepts an endpoint through A and waits for the operation to end (only B's worker can end it). */
async function createEndpointThroughA(): Promise<string> {
  const { operation } = await planeA.commands.createEndpoint(subscriptionId, {
    CustomDomain: `cdn-${randomUUID().slice(0, 8)}.example.com`,
    Origin: { Addresses: ['origin.example.com'] },
  });
  await until('the operation ends', async () => ['Succeeded', 'Failed'].includes((await a.operations.get(operation.id))!.status));
  return (await a.operations.get(operation.id))!.status;
}

describe('workers on PostgreSQL wake on LISTEN/NOTIFY', () => {
  test("an operation accepted through A is run by B's worker at once, not at B's poll a minute later", async () => {
    await startIdleWorkerB();
    expect(b.listening).toBe(true);
    expect(await createEndpointThroughA()).toBe('Succeeded');
  });

  test("after B's listening connection is terminated, B listens again and still runs what A accepts", async () => {
    await startIdleWorkerB();
    const connects = b.listenerConnects;
    await terminateBackends(databaseName(database.url));
    await until('B listens again', () => b.listening && b.listenerConnects > connects);
    // The reconnection woke B's worker once (notices may have been missed); it sleeps again.
    await until("B's worker sleeps again", () => planeB.engine.idle);
    expect(await createEndpointThroughA()).toBe('Succeeded');
  });

  test('while the database refuses connections B keeps trying to listen, and listens again once they are allowed', async () => {
    await startIdleWorkerB();
    const connects = b.listenerConnects;
    await allowConnections(databaseName(database.url), false);
    try {
      await until('B has lost its listening connection', () => !b.listening);
    } finally {
      await allowConnections(databaseName(database.url), true);
    }
    await until('B listens again', () => b.listening && b.listenerConnects > connects);
    await until("B's worker sleeps again", () => planeB.engine.idle);
    expect(await createEndpointThroughA()).toBe('Succeeded');
  });
});

describe('credentials on PostgreSQL', () => {
  async function getEndpointsThroughB(key: SigningKey): Promise<number> {
    const url = `/subscriptions/${subscriptionId}/endpoints?apiVersion=1.0`;
    const response = await planeB.api.inject({ method: 'GET', url, headers: { ...signRequest('GET', url, key, new Date(clock.now())) } });
    return response.statusCode;
  }

  test("a key revoked through A is refused by B's API as soon as B hears of it, though B cached it", async () => {
    const key = { keyId: randomUUID(), keyValue: newKeyValue() };
    await a.apiKeys.insert({
      id: key.keyId, subscriptionId, value: key.keyValue, scope: 'full', expiresAt: null, ratePerMinute: null, revokedAt: null, createdAt: clock.now(),
    });
    // The subscription's insert (beforeEach), then the key's.
    await until('B heard of the key', () => heard >= 2);
    expect(await getEndpointsThroughB(key)).toBe(200);
    expect(await getEndpointsThroughB(key)).toBe(200); // from B's cache now

    await a.apiKeys.revoke(key.keyId, clock.now());
    await until('B heard of the revocation', () => heard >= 3);
    expect(await getEndpointsThroughB(key)).toBe(401);
  });
});
