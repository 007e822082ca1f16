/**
 * How often terminating PostgreSQL's backends in the middle of a burst of purges kills
 * `mooncdn serve` (issue 9, item 1): TRIES times, a fresh database and server, a burst from 8
 * clients, one `pg_terminate_backend` of every backend once 40 purges are accepted, then 40
 * more (or the process's death, or 15 s). Counts the tries whose process died, the purges
 * refused with 503, and how long the slowest took to accept 40 more. Needs PostgreSQL on
 * 127.0.0.1:5432.
 *
 *   npm run build && npx tsx bench/connection-loss.ts [tries=13]
 */
import { terminateBackends, databaseName } from '../test/support/postgres-faults.js';
import { startPurgeBurst } from '../test/support/purge-burst.js';
import { startServer } from '../test/support/server-process.js';
import { SignedClient } from '../test/support/signed-client.js';
import { newStoreLocation } from '../test/support/stores.js';
import { createEndpoint } from './lib/serve.js';

const TRIES = Number(process.argv[2] ?? 13);

let killed = 0;
let refused = 0;
const recoveryMs: number[] = [];
for (let i = 0; i < TRIES; i++) {
  const where = await newStoreLocation('postgres');
  const server = await startServer({ store: where.location, env: { MOONCDN_LOG_LEVEL: 'warn', MOONCDN_QUOTA_FILE_PURGES: '1000000' } });
  const client = new SignedClient(server.url, server.credentials);
  const alive = () => server.child.exitCode === null && server.child.signalCode === null;
  try {
    const endpointId = await createEndpoint(client, 'loss.example.com', 'o.example.com');
    const burst = startPurgeBurst(client, endpointId, 'loss.example.com', 8);
    const until = async (count: number) => {
      const deadline = Date.now() + 15_000;
      while (burst.accepted.length < count && alive() && burst.failures.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
    await until(40);
    await terminateBackends(databaseName(where.location.kind === 'postgres' ? where.location.connectionString : ''));
    const terminatedAt = Date.now();
    await until(80);
    if (burst.accepted.length >= 80) recoveryMs.push(Date.now() - terminatedAt);
    await burst.stop();
    // The process may still be dying from the 'error' event.
    await new Promise((r) => setTimeout(r, 200));
    if (!alive()) killed++;
    refused += burst.refused.length;
  } finally {
    await client.close();
    await server.stop();
    await where.cleanup();
  }
}
console.log(
  JSON.stringify(
    {
      benchmark: 'pg_terminate_backend during a burst of purges',
      tries: TRIES,
      processKilled: killed,
      purgesRefused503: refused,
      // From the termination to the next 40 purges accepted, in the tries the process survived.
      slowestRecoveryMs: recoveryMs.length > 0 ? Math.max(...recoveryMs) : null,
    },
    null,
    2,
  ),
);
