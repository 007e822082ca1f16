/**
 * A real `mooncdn serve` on PostgreSQL rides out lost connections (a failover, a restart):
 * backends terminated in the middle of a burst of purges leave the process up, every purge it
 * answered 202 ends Succeeded, and what it could not accept is a 503 that says to retry.
 * While the database refuses connections /readyz is 503 naming the store; then 200 again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allowConnections, databaseName, terminateBackends } from '../support/postgres-faults.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { startPurgeBurst } from '../support/purge-burst.js';
import { SignedClient, type HttpResponse } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

const CONCURRENCY = 8;
const TERMINATIONS = 3;

let where: TestStoreLocation;
let database: string;
let server: ServerProcess;
let client: SignedClient;
let endpointId: string;

beforeAll(async () => {
  where = await newStoreLocation('postgres');
  database = databaseName(where.location.kind === 'postgres' ? where.location.connectionString : '');
  server = await startServer({ store: where.location, env: { MOONCDN_QUOTA_FILE_PURGES: '1000000' } });
  client = new SignedClient(server.url, server.credentials);
  const created = await client.sub('POST', '/endpoints', { CustomDomain: 'failover.example.com', Origin: { Addresses: ['o.example.com'] } });
  endpointId = created.body.EndpointID;
  await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
});
afterAll(async () => {
  await allowConnections(database, true).catch(() => undefined);
  await client?.close();
  await server?.stop();
  await where?.cleanup();
});

const alive = () => server.child.exitCode === null && server.child.signalCode === null;
const purge = (n: number) => client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://failover.example.com/${n}.png`] });

/** What the server may answer when the store is away: InternalError, 503, saying to retry. */
function expectStoreUnavailable(response: HttpResponse): void {
  expect(response.status, JSON.stringify(response.body)).toBe(503);
  expect(response.body.ErrorInfo.Type).toBe('InternalError');
  expect(response.body.ErrorInfo.Message).toMatch(/store.*retry/i);
}

describe('PostgreSQL connections lost in the middle of a burst', () => {
  it('keeps the process up; every 202 ends Succeeded; the rest are 503s that say to retry', async () => {
    const burst = startPurgeBurst(client, endpointId, 'failover.example.com', CONCURRENCY);
    /** Polls until `count` purges have been accepted, failing at once if the server stops answering. */
    const acceptedAtLeast = async (count: number) => {
      const deadline = Date.now() + 20_000;
      while (burst.accepted.length < count) {
        if (burst.failures.length > 0 || !alive()) throw new Error(`the server stopped answering (${burst.failures[0]?.message}):\n${server.output().slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`only ${burst.accepted.length} of ${count} purges accepted in 20 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    try {
      for (let i = 0; i < TERMINATIONS; i++) {
        // Mid-burst: purges are being accepted (and run) when the connections go.
        await acceptedAtLeast(burst.accepted.length + 40);
        expect(await terminateBackends(database)).toBeGreaterThan(0);
      }
      await acceptedAtLeast(burst.accepted.length + 40);
    } finally {
      await burst.stop();
    }

    expect(alive(), server.output().slice(-3000)).toBe(true);
    expect(burst.failures).toEqual([]);
    for (const response of burst.refused) expectStoreUnavailable(response);
    for (const id of burst.accepted) {
      const operation = await client.waitForOperation(endpointId, id, 60_000);
      expect(operation.Status, `${id}: ${operation.Message}`).toBe('Succeeded');
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    // Its own deadlines (20 s a step) say what failed; on a loaded machine the whole may take longer than 30 s.
  }, 120_000);
});

describe('PostgreSQL refusing connections for a while', () => {
  it('/readyz is 503 naming the store while it is away, requests get 503, and all is well when it returns', async () => {
    await allowConnections(database, false);
    try {
      await vi.waitFor(
        async () => {
          const response = await fetch(`${server.url}/readyz`);
          expect(response.status).toBe(503);
          const report = (await response.json()) as { checks: Record<string, string> };
          expect(report.checks.store).toMatch(new RegExp(`PostgreSQL .*${database}`));
          expect(report.checks.edge).toBe('ok');
        },
        { timeout: 10_000, interval: 50 },
      );
      expectStoreUnavailable(await purge(-1));
      expect(alive()).toBe(true);
    } finally {
      await allowConnections(database, true);
    }

    await vi.waitFor(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), { timeout: 10_000, interval: 50 });
    const response = await purge(-2);
    expect(response.status).toBe(202);
    expect(await client.waitForOperation(endpointId, response.body.AsyncInfo.TaskTrackId)).toMatchObject({ Status: 'Succeeded' });
  });
});
