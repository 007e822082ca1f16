/**
 * A fleet of mixed versions, with real processes (one API, one worker, two edges on PostgreSQL
 * and NATS): an edge older than tag, soft and wildcard purges would ignore them and ACK, so a
 * purge that needs one fails naming that edge and what to upgrade, while the other edge still
 * carries it out; plain purges succeed on both; once upgraded, the edge counts again. The old
 * edge is a real one whose heartbeats name no features (MOONCDN_TEST_EDGE_FEATURES, test-only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { OriginServer } from '../support/origin-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startScaled, type ScaledOptions, type ScaledProcess } from '../support/scaled-processes.js';
import { newCredentials } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { until } from '../support/poll.js';

const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
const DOMAIN = 'mixed.example.com';
const ALL_FEATURES = ['purge-tags', 'purge-soft', 'purge-wildcards'];

let nats: NatsServer;
let database: TestDatabase;
let origin: OriginServer;
let common: ScaledOptions;
const processes: ScaledProcess[] = [];
let api: ScaledProcess;
let newEdge: ScaledProcess;
let oldEdge: ScaledProcess;
let client: SignedClient;
let endpointId: string;
const credentials = newCredentials();

beforeAll(async () => {
  [nats, database, origin] = await Promise.all([startNatsServer(), createTestDatabase(), OriginServer.start()]);
  common = { databaseUrl: database.url, natsUrl: nats.url, credentials, env: { MOONCDN_EDGE_LEASE_MS: '1500', MOONCDN_EDGE_DEADLINE_MS: '5000', MOONCDN_OPERATOR_TOKEN: OPERATOR_TOKEN } };
  api = await startScaled('api', common);
  processes.push(api, await startScaled('worker', common));
  [newEdge, oldEdge] = await Promise.all([
    startScaled('edge', { ...common, args: ['--edge-id', 'edge-new'] }),
    startScaled('edge', { ...common, env: { ...common.env, MOONCDN_TEST_EDGE_FEATURES: '' }, args: ['--edge-id', 'edge-old'] }),
  ]);
  processes.push(newEdge, oldEdge);
  client = new SignedClient(api.url, credentials);
  await until(async () => (await fleet()).filter((edge) => edge.State === 'serving').length === 2, 'both edges serving');

  origin.on('/red.js', { body: 'red', headers: { 'cache-control': 'max-age=3600', 'cache-tag': 'red' } });
  origin.on('/plain.js', { body: 'plain', headers: { 'cache-control': 'max-age=3600' } });
  const created = await client.sub('POST', '/endpoints', { CustomDomain: DOMAIN, Origin: { Addresses: [origin.address] } });
  expect(created.status).toBe(202);
  endpointId = created.body.EndpointID;
  const done = await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!, 20_000);
  expect(done.Status).toBe('Succeeded');
}, 90_000);

afterAll(async () => {
  await client?.close();
  await Promise.all(processes.map((process) => process.stop()));
  await Promise.all([nats?.close(), database?.drop(), origin?.close()]);
});

async function fleet(): Promise<{ EdgeId: string; State: string; Features: string[] }[]> {
  const response = await fetch(`${api.url}/edges`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  return ((await response.json()) as { Edges: { EdgeId: string; State: string; Features: string[] }[] }).Edges;
}

/** Submits a purge and waits for its end: the operation and the purge's result (per-edge). */
async function purge(body: unknown) {
  const accepted = await client.sub('POST', `/endpoints/${endpointId}/purges`, body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const id = accepted.body.AsyncInfo.TaskTrackId as string;
  const operation = await client.waitForOperation(endpointId, id, 20_000);
  const result = await client.sub('GET', `/endpoints/${endpointId}/purges/${id}`);
  return { operation, edges: result.body.Edges as { EdgeId: string; Status: string; Message: string | null }[] };
}

async function cacheEverywhere(path: string): Promise<void> {
  for (const edge of [newEdge, oldEdge]) {
    await edgeGet(edge.httpPort, DOMAIN, path);
    expect((await edgeGet(edge.httpPort, DOMAIN, path)).headers['x-cache'], `${path} cached`).toBe('HIT');
  }
}

describe('an edge older than tag, soft and wildcard purges', () => {
  it('is seen as such by operators: GET /edges lists what each edge says it can do', async () => {
    expect((await fleet()).map((edge) => [edge.EdgeId, edge.Features])).toEqual([
      ['edge-new', ALL_FEATURES],
      ['edge-old', []],
    ]);
  });

  it('fails a tag purge, naming itself and what to upgrade, while the other edge still purges', async () => {
    await cacheEverywhere('/red.js');
    const { operation, edges } = await purge({ Tags: ['red'] });
    expect(operation.Status).toBe('Failed');
    expect(operation.Message).toMatch(/edge "edge-old": cannot purge by tag \(Tags\): .*upgrade mooncdn on that edge/);
    expect(operation.Message).not.toMatch(/edge "edge-new"/);
    expect(edges.map((edge) => [edge.EdgeId, edge.Status])).toEqual([
      ['edge-new', 'Succeeded'],
      ['edge-old', 'Failed'],
    ]);
    expect((await edgeGet(newEdge.httpPort, DOMAIN, '/red.js')).headers['x-cache']).toBe('MISS');
  });

  it('fails a soft purge and a wildcard purge the same way', async () => {
    const soft = await purge({ Files: [`http://${DOMAIN}/plain.js`], Soft: true });
    expect([soft.operation.Status, soft.operation.Message]).toEqual(['Failed', expect.stringMatching(/edge "edge-old": cannot purge softly \(Soft\)/)]);
    const wildcard = await purge({ Files: [`http://${DOMAIN}/*.js`] });
    expect([wildcard.operation.Status, wildcard.operation.Message]).toEqual(['Failed', expect.stringMatching(/edge "edge-old": cannot purge by wildcard/)]);
  });

  it('still does plain purges: Succeeded on both edges', async () => {
    await cacheEverywhere('/plain.js');
    const { operation, edges } = await purge({ Files: [`http://${DOMAIN}/plain.js`] });
    expect(operation.Status).toBe('Succeeded');
    expect(edges.map((edge) => edge.Status)).toEqual(['Succeeded', 'Succeeded']);
    for (const edge of [newEdge, oldEdge]) expect((await edgeGet(edge.httpPort, DOMAIN, '/plain.js')).headers['x-cache']).toBe('MISS');
  });

  it('once upgraded (restarted naming its features), takes tag purges again', async () => {
    await oldEdge.stop();
    oldEdge = await startScaled('edge', { ...common, args: ['--edge-id', 'edge-old'] });
    processes.push(oldEdge);
    await until(async () => (await fleet()).every((edge) => edge.State === 'serving' && edge.Features.length === ALL_FEATURES.length), 'the upgraded edge serving');
    await cacheEverywhere('/red.js');
    const { operation, edges } = await purge({ Tags: ['red'] });
    expect(operation.Status).toBe('Succeeded');
    expect(edges.map((edge) => edge.Status)).toEqual(['Succeeded', 'Succeeded']);
    for (const edge of [newEdge, oldEdge]) expect((await edgeGet(edge.httpPort, DOMAIN, '/red.js')).headers['x-cache']).toBe('MISS');
  });
});
