/**
 * Cross-process wake on PostgreSQL: two stores on one database, as two processes would hold
 * them. A accepts a purge (its worker is not started); B's worker runs it. Measured: from A's
 * accept returning to the operation reading Succeeded (the store read every 2 ms), with B
 * listening (LISTEN/NOTIFY) and with B's listener off (the 1 s poll, as before).
 *
 *   npx tsx bench/notify-wake.ts [purges=40]
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { SecretBox } from '../src/domain/secret-box.js';
import { Metrics } from '../src/observability/metrics.js';
import { createControlPlane } from '../src/server/control-plane.js';
import { Store } from '../src/store/store.js';
import { DEFAULT_SETTINGS } from '../test/support/api-harness.js';
import { TestClock } from '../test/support/clock.js';
import { createTestDatabase } from '../test/support/postgres.js';

const PURGES = Number(process.argv[2] ?? 40);
const clock = new TestClock();
const log = pino({ level: 'silent' });

async function run(listen: boolean): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> {
  const database = await createTestDatabase();
  const location = { kind: 'postgres' as const, connectionString: database.url };
  const a = await Store.open(location, new SecretBox(undefined));
  const b = await Store.open(location, new SecretBox(undefined), { listen });
  const planeA = await createControlPlane(a, DEFAULT_SETTINGS, clock, log, new Metrics());
  const planeB = await createControlPlane(b, DEFAULT_SETTINGS, clock, log, new Metrics());
  try {
    const subscriptionId = randomUUID();
    await a.subscriptions.insert({ id: subscriptionId, name: 'bench', createdAt: clock.now() });
    planeB.engine.start();
    const { endpoint, operation: created } = await planeA.commands.createEndpoint(subscriptionId, {
      CustomDomain: 'wake.example.com',
      Origin: { Addresses: ['origin.example.com'] },
    });
    await ended(a, created.id);
    const times: number[] = [];
    for (let i = 0; i < PURGES; i++) {
      const operation = await planeA.commands.purge(subscriptionId, endpoint.id, { Files: [`http://wake.example.com/${i}.png`] });
      const started = performance.now();
      await ended(a, operation.id);
      times.push(performance.now() - started);
    }
    times.sort((x, y) => x - y);
    const at = (q: number): number => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
  } finally {
    await planeB.engine.stop(1_000);
    await Promise.all([planeA.api.close(), planeB.api.close()]);
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  }
}

async function ended(store: Store, id: string): Promise<void> {
  for (;;) {
    const operation = await store.operations.get(id);
    if (operation?.status === 'Succeeded' || operation?.status === 'Failed') return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const listening = await run(true);
const polling = await run(false);
console.log(JSON.stringify({ benchmark: 'purge accepted by process A to Succeeded by process B (PostgreSQL)', purges: PURGES, listening, polling }, null, 2));
