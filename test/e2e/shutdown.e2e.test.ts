/** SIGTERM: stop accepting, finish requests in flight, exit 0; the store stays consistent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';
import { startServer } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';

let where: TestStoreLocation;
beforeAll(async () => {
  where = await newStoreLocation('sqlite');
});
afterAll(() => where.cleanup());

describe('SIGTERM', () => {
  it('answers the requests in flight, then exits 0; operations accepted before it end after a restart', async () => {
    const server = await startServer({ store: where.location });
    const client = new SignedClient(server.url, server.credentials);
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'term.example.com', Origin: { Addresses: ['o.example.com'] } });
    const endpointId = created.body.EndpointID;
    await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);

    const inFlight = Array.from({ length: 20 }, (_, i) =>
      client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://term.example.com/${i}`] }).catch((error: Error) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const exit = server.stop('SIGTERM');
    const results = await Promise.all(inFlight);
    expect(await exit).toBe(0);
    await client.close();

    // Each request either got its answer or was refused before it began; none hangs or half-applies.
    const accepted = results.filter((r): r is Exclude<typeof r, Error> => !(r instanceof Error) && r.status === 202);
    for (const r of results) if (!(r instanceof Error)) expect([202, 409, 503]).toContain(r.status);
    expect(accepted.length, 'some purges should have been in flight when SIGTERM came').toBeGreaterThan(0);
    expect(server.output()).toContain('shutting down');

    const again = await startServer({ store: where.location, credentials: server.credentials });
    const client2 = new SignedClient(again.url, again.credentials);
    for (const r of accepted) {
      expect(await client2.waitForOperation(endpointId, r.body.AsyncInfo.TaskTrackId)).toMatchObject({ Status: 'Succeeded' });
    }
    await client2.close();
    expect(await again.stop()).toBe(0);
  });
});
