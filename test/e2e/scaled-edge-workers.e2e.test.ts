/**
 * `mooncdn edge --edge-workers 2` in the scaled shape (real api, worker and edge processes on
 * PostgreSQL and NATS): the primary holds the NATS link; a purge is acknowledged only once both
 * workers dropped the object, and a preload makes it a hit whichever worker answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids } from '../support/child-processes.js';
import { edgeGet } from '../support/edge-client.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { OriginServer } from '../support/origin-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startScaled, type ScaledProcess } from '../support/scaled-processes.js';
import { newCredentials } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';

const DOMAIN = 'scaled-workers.example.com';
const ROUNDS = 12;

let nats: NatsServer;
let database: TestDatabase;
let origin: OriginServer;
const processes: ScaledProcess[] = [];
let edge: ScaledProcess;
let client: SignedClient;
let endpointId: string;
const credentials = newCredentials();

async function operation(method: string, path: string, body?: unknown) {
  const accepted = await client.sub(method, path, body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return client.waitForOperation(endpointId, accepted.body.AsyncInfo.TaskTrackId, 20_000);
}

/** ROUNDS requests, each on a connection of its own (round-robin, set for this suite, hands them to the workers in turn). */
async function many(path: string): Promise<{ bodies: string[]; results: string[] }> {
  const responses = [];
  for (let i = 0; i < ROUNDS; i++) responses.push(await edgeGet(edge.httpPort, DOMAIN, path));
  return { bodies: responses.map((r) => r.text), results: responses.map((r) => String(r.headers['x-cache'])) };
}

beforeAll(async () => {
  [nats, database, origin] = await Promise.all([startNatsServer(), createTestDatabase(), OriginServer.start()]);
  const common = { databaseUrl: database.url, natsUrl: nats.url, credentials, env: { MOONCDN_EDGE_LEASE_MS: '2000', MOONCDN_EDGE_DEADLINE_MS: '5000' } };
  const api = await startScaled('api', common);
  processes.push(api, await startScaled('worker', common));
  edge = await startScaled('edge', { ...common, env: { ...common.env, NODE_CLUSTER_SCHED_POLICY: 'rr' }, args: ['--edge-id', 'edge-w', '--edge-workers', '2'] });
  processes.push(edge);
  client = new SignedClient(api.url, credentials);
  const created = await client.sub('POST', '/endpoints', { CustomDomain: DOMAIN, Origin: { Addresses: [origin.address] } });
  endpointId = created.body.EndpointID;
  const done = await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!, 20_000);
  expect(done.Status, done.Message).toBe('Succeeded');
  await operation('PUT', `/endpoints/${endpointId}/cacherules`, { Rules: [{ Type: 'Dir', Items: ['/'], TTL: 3600 }] });
}, 90_000);

afterAll(async () => {
  await client?.close();
  await Promise.all(processes.map((process) => process.stop()));
  await Promise.all([nats?.close(), database?.drop(), origin?.close()]);
});

describe('mooncdn edge --edge-workers 2', () => {
  it('runs two workers, each caching on its own once the link serves from cache', async () => {
    expect(childPids(edge.child.pid!)).toHaveLength(2);
    origin.on('/a.js', { body: 'a1' });
    // Until the link has caught up, requests pass to the origin: wait for hits.
    for (const deadline = Date.now() + 20_000; !(await many('/a.js')).results.includes('HIT'); ) {
      if (Date.now() > deadline) throw new Error('the edge never served from cache');
    }
    const before = origin.count('/a.js');
    const seen = await many('/a.js');
    expect(seen.results).toEqual(Array(ROUNDS).fill('HIT'));
    expect(origin.count('/a.js')).toBe(before);
  });

  it('a purge evicts in both workers before it is Succeeded', async () => {
    origin.on('/p.js', { body: 'old' });
    await many('/p.js');
    expect(origin.count('/p.js')).toBe(2);
    origin.on('/p.js', { body: 'new' });
    const purged = await operation('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://${DOMAIN}/p.js`] });
    expect(purged.Status, purged.Message).toBe('Succeeded');
    expect((await many('/p.js')).bodies).toEqual(Array(ROUNDS).fill('new'));
    expect(origin.count('/p.js')).toBe(4);
  });

  it('a preload makes the object a hit whichever worker answers', async () => {
    origin.on('/pre.js', { body: 'pre' });
    const preloaded = await operation('POST', `/endpoints/${endpointId}/preloads`, { Files: [`http://${DOMAIN}/pre.js`] });
    expect(preloaded.Status, preloaded.Message).toBe('Succeeded');
    expect(origin.count('/pre.js')).toBe(2);
    const seen = await many('/pre.js');
    expect(seen.results).toEqual(Array(ROUNDS).fill('HIT'));
    expect(origin.count('/pre.js')).toBe(2);
  });
});
