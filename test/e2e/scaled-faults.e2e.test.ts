/**
 * The scaled shape under faults, with real processes (two APIs, two workers, two edges on one
 * PostgreSQL and one NATS): an edge cut off from NATS, a NATS restart in the middle of a burst,
 * and kill -9 of an API, a worker and an edge. Nothing accepted is lost, every operation ends,
 * and no edge ever serves an object after its purge said Succeeded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { OriginServer } from '../support/origin-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startPurgeBurst } from '../support/purge-burst.js';
import { startScaled, type ScaledOptions, type ScaledProcess } from '../support/scaled-processes.js';
import { newCredentials } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const LEASE_MS = 1_500;
const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
const DOMAIN = 'faults.example.com';

let nats: NatsServer;
let proxy: TcpProxy;
let database: TestDatabase;
let origin: OriginServer;
let common: ScaledOptions;
const processes: ScaledProcess[] = [];
let apis: ScaledProcess[];
let workers: ScaledProcess[];
/** edge-a talks to NATS directly, edge-b through the proxy (to be cut off). */
let edges: ScaledProcess[];
let client: SignedClient;
let endpointId: string;
const credentials = newCredentials();
let version = 1;

beforeAll(async () => {
  [nats, database, origin] = await Promise.all([startNatsServer(), createTestDatabase(), OriginServer.start()]);
  proxy = await TcpProxy.start(nats.port);
  common = {
    databaseUrl: database.url,
    natsUrl: nats.url,
    credentials,
    env: {
      MOONCDN_EDGE_LEASE_MS: String(LEASE_MS),
      MOONCDN_EDGE_DEADLINE_MS: '5000',
      MOONCDN_OPERATION_LEASE_MS: '2000',
      MOONCDN_OPERATOR_TOKEN: OPERATOR_TOKEN,
      // A short log, so that an edge cut off for a while finds it no longer reaches back.
      MOONCDN_FLEET_LOG_MAX_MESSAGES: '30',
    },
  };
  apis = [await startScaled('api', common)];
  apis.push(await startScaled('api', common));
  workers = await Promise.all([startScaled('worker', common), startScaled('worker', common)]);
  edges = await Promise.all([
    startScaled('edge', { ...common, args: ['--edge-id', 'edge-a'] }),
    startScaled('edge', { ...common, natsUrl: `nats://127.0.0.1:${proxy.port}`, args: ['--edge-id', 'edge-b'] }),
  ]);
  processes.push(...apis, ...workers, ...edges);
  client = new SignedClient(apis[0]!.url, credentials);
  origin.otherwise({ body: 'other', headers: { 'cache-control': 'max-age=3600' } });
  origin.on('/page.html', () => ({ body: `v${version}`, headers: { 'cache-control': 'max-age=3600' } }));
  const created = await client.sub('POST', '/endpoints', { CustomDomain: DOMAIN, Origin: { Addresses: [origin.address] } });
  endpointId = created.body.EndpointID;
  await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!, 20_000);
  await until(async () => (await fleet()).every((edge) => edge.State === 'serving') && (await fleet()).length === 2, 'both edges serving');
}, 90_000);

afterAll(async () => {
  await client?.close();
  await Promise.all(processes.map((process) => process.stop()));
  await proxy?.close();
  await Promise.all([nats?.close(), database?.drop(), origin?.close()]);
});

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function fleet(): Promise<{ EdgeId: string; State: string }[]> {
  const response = await fetch(`${apis[0]!.url}/edges`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  return ((await response.json()) as { Edges: { EdgeId: string; State: string }[] }).Edges;
}

/** Caches /page.html on both edges as the current version. */
async function cacheEverywhere(): Promise<void> {
  for (const edge of edges) {
    await until(async () => {
      const response = await edgeGet(edge.httpPort, DOMAIN, '/page.html');
      return response.headers['x-cache'] === 'HIT' && response.text === `v${version}`;
    }, `a HIT of v${version} on ${edge.kind} ${edge.httpPort}`);
  }
}

async function purgePage(through = client) {
  const accepted = await through.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://${DOMAIN}/page.html`] });
  expect(accepted.status).toBe(202);
  return accepted.body.AsyncInfo.TaskTrackId as string;
}

describe('faults in the scaled shape', () => {
  it('a purge completes while an edge is cut off, which serves nothing purged from its cache, then or after it returns', async () => {
    await cacheEverywhere();
    proxy.cut();
    version = 2;
    const purgeId = await purgePage();
    const done = await client.waitForOperation(endpointId, purgeId, 20_000);
    expect(done.Status).toBe('Succeeded');
    const result = await client.sub('GET', `/endpoints/${endpointId}/purges/${purgeId}`);
    expect(result.body.Edges.map((edge: { EdgeId: string; Status: string }) => [edge.EdgeId, edge.Status])).toEqual([['edge-a', 'Succeeded'], ['edge-b', 'Fenced']]);
    expect((await fleet()).find((edge) => edge.EdgeId === 'edge-b')?.State).toBe('fenced');

    // Cut off, edge-b passes to the origin: the new version, never its cached v1.
    const during = await edgeGet(edges[1]!.httpPort, DOMAIN, '/page.html');
    expect([during.text, during.headers['x-cache']]).toEqual(['v2', 'MISS']);

    proxy.heal();
    await until(async () => (await fleet()).find((edge) => edge.EdgeId === 'edge-b')?.State === 'serving', 'edge-b serving again');
    const after = await edgeGet(edges[1]!.httpPort, DOMAIN, '/page.html');
    expect([after.text, after.headers['x-cache']]).toEqual(['v2', 'MISS']);
  });

  it('an edge cut off for longer than the log reaches back resyncs in full, and serves nothing it had cached', async () => {
    await cacheEverywhere();
    proxy.cut();
    version = 20;
    const ids = [await purgePage()];
    for (let i = 0; i < 40; i++) {
      const accepted = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://${DOMAIN}/other-${i}.css`] });
      ids.push(accepted.body.AsyncInfo.TaskTrackId);
      // One at a time, so each is a change of its own in the log (consecutive purges group).
      await client.waitForOperation(endpointId, accepted.body.AsyncInfo.TaskTrackId, 20_000);
    }
    for (const id of ids) expect((await client.waitForOperation(endpointId, id, 20_000)).Status).toBe('Succeeded');
    proxy.heal();
    await until(async () => (await fleet()).find((edge) => edge.EdgeId === 'edge-b')?.State === 'serving', 'edge-b serving again');
    expect(edges[1]!.output()).toMatch(/the fleet log no longer holds the next change; resyncing/);
    const after = await edgeGet(edges[1]!.httpPort, DOMAIN, '/page.html');
    expect([after.text, after.headers['x-cache']]).toEqual(['v20', 'MISS']);
  });

  it('a NATS restart in the middle of a purge burst: every accepted purge ends, and the fleet recovers by itself', async () => {
    const burst = startPurgeBurst(client, endpointId, DOMAIN, 4);
    await until(async () => burst.accepted.length >= 20, 'purges accepted before the restart');
    await nats.restart();
    await until(async () => burst.accepted.length >= 60, 'purges accepted after the restart');
    await burst.stop();
    expect(burst.failures).toEqual([]);
    for (const id of burst.accepted) {
      const operation = await client.waitForOperation(endpointId, id, 30_000);
      expect(operation.Status, `${id}: ${operation.Message}`).toBe('Succeeded');
    }
    await until(async () => (await fleet()).every((edge) => edge.State === 'serving'), 'both edges serving after the restart');
    await cacheEverywhere();
    version = 3;
    expect((await client.waitForOperation(endpointId, await purgePage(), 20_000)).Status).toBe('Succeeded');
    for (const edge of edges) expect((await edgeGet(edge.httpPort, DOMAIN, '/page.html')).text).toBe('v3');
  });

  it('kill -9 of an API, a worker and an edge in the middle of purge bursts: every accepted purge ends, no edge serves a purged object', async () => {
    await cacheEverywhere();
    const other = new SignedClient(apis[1]!.url, credentials);
    const bursts = [startPurgeBurst(client, endpointId, DOMAIN, 3), startPurgeBurst(other, endpointId, DOMAIN, 3)];
    await until(async () => bursts[0]!.accepted.length + bursts[1]!.accepted.length >= 30, 'purges accepted');
    version = 4;
    const pagePurge = await purgePage();
    await Promise.all([apis[1]!.stop('SIGKILL'), workers[0]!.stop('SIGKILL'), edges[0]!.stop('SIGKILL')]);
    await until(async () => bursts[0]!.accepted.length >= 60, 'purges accepted after the kills');
    await Promise.all(bursts.map((burst) => burst.stop()));
    await other.close();
    expect(bursts[0]!.failures).toEqual([]);

    // edge-a comes back (a restart: its cache is empty, it resyncs from the bucket).
    edges[0] = await startScaled('edge', { ...common, args: ['--edge-id', 'edge-a'] });
    processes.push(edges[0]);
    for (const id of [pagePurge, ...bursts.flatMap((burst) => burst.accepted)]) {
      const operation = await client.waitForOperation(endpointId, id, 30_000);
      expect(operation.Status, `${id}: ${operation.Message}`).toBe('Succeeded');
    }
    await until(async () => (await fleet()).every((edge) => edge.State === 'serving'), 'both edges serving');
    for (const edge of edges) expect((await edgeGet(edge.httpPort, DOMAIN, '/page.html')).text).toBe('v4');
  });
});
