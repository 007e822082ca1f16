/**
 * The scaled shape with real processes: two `mooncdn api`, two `mooncdn worker` and three
 * `mooncdn edge` on one PostgreSQL database and one NATS server (started for this file). What
 * one API accepts reaches every edge; a purge through the other API is done on every edge when
 * it says Succeeded; an edge that refuses a configuration fails the operation, naming itself;
 * the event stream through one API shows each edge's answer to a preload run by a worker as it
 * arrives (through PostgreSQL), before the final status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MooncdnClient, type EdgeResult } from '../../src/client/index.js';
import { edgeGet } from '../support/edge-client.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { OriginServer, type OriginAnswer, type OriginRequestSeen } from '../support/origin-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startScaled, type ScaledProcess } from '../support/scaled-processes.js';
import { newCredentials, runCli } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { until } from '../support/poll.js';

const LEASE_MS = 1_500;
const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';

let nats: NatsServer;
let database: TestDatabase;
let origin: OriginServer;
const processes: ScaledProcess[] = [];
let apis: ScaledProcess[];
let edges: ScaledProcess[];
let clients: SignedClient[];
const credentials = newCredentials();

beforeAll(async () => {
  [nats, database, origin] = await Promise.all([startNatsServer(), createTestDatabase(), OriginServer.start()]);
  const common = { databaseUrl: database.url, natsUrl: nats.url, credentials, env: { MOONCDN_EDGE_LEASE_MS: String(LEASE_MS), MOONCDN_METER_FLUSH_MS: '100', MOONCDN_EDGE_DEADLINE_MS: '5000', MOONCDN_OPERATOR_TOKEN: OPERATOR_TOKEN } };
  // The first API makes the schema; the rest start together.
  apis = [await startScaled('api', common)];
  apis.push(await startScaled('api', common));
  const workers = await Promise.all([startScaled('worker', common), startScaled('worker', common)]);
  edges = await Promise.all(
    ['edge-a', 'edge-b', 'edge-c'].map((id) =>
      startScaled('edge', {
        ...common,
        args: ['--edge-id', id, ...(id === 'edge-c' ? ['--edge-origin-deny', '10.0.0.0/8'] : []), ...(id === 'edge-b' ? ['--edge-tag-headers', 'Surrogate-Key,Cache-Tag'] : [])],
      }),
    ),
  );
  processes.push(...apis, ...workers, ...edges);
  clients = apis.map((api) => new SignedClient(api.url, credentials));
  // Every edge has told a worker it is serving.
  await until(async () => (await fleet()).filter((edge) => edge.State === 'serving').length === 3, 'three edges serving');
}, 90_000);

afterAll(async () => {
  await Promise.all(clients?.map((client) => client.close()) ?? []);
  await Promise.all(processes.map((process) => process.stop()));
  await Promise.all([nats?.close(), database?.drop(), origin?.close()]);
});

async function fleet(): Promise<{ EdgeId: string; State: string; AppliedSequence: number; Lag: number }[]> {
  const response = await fetch(`${apis[0]!.url}/edges`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  return ((await response.json()) as { Edges: { EdgeId: string; State: string; AppliedSequence: number; Lag: number }[] }).Edges;
}

async function operation(client: SignedClient, endpointId: string, method: string, path: string, body?: unknown) {
  const accepted = await client.sub(method, path, body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return client.waitForOperation(endpointId, accepted.body.AsyncInfo.TaskTrackId, 20_000);
}

describe('two APIs, two workers, three edges', () => {
  let endpointId: string;

  it('an endpoint created through one API is served by every edge, and a purge through the other is done on all of them when it says Succeeded', async () => {
    let version = 1;
    origin.on('/app.js', () => ({ body: `v${version}`, headers: { 'cache-control': 'max-age=3600' } }));
    const created = await clients[0]!.sub('POST', '/endpoints', { CustomDomain: 'scaled.example.com', Origin: { Addresses: [origin.address] } });
    expect(created.status).toBe(202);
    endpointId = created.body.EndpointID;
    const done = await clients[0]!.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!, 20_000);
    expect(done.Status).toBe('Succeeded');

    for (const edge of edges) {
      expect((await edgeGet(edge.httpPort, 'scaled.example.com', '/app.js')).headers['x-cache']).toBe('MISS');
      const hit = await edgeGet(edge.httpPort, 'scaled.example.com', '/app.js');
      expect([hit.headers['x-cache'], hit.text]).toEqual(['HIT', 'v1']);
    }

    version = 2;
    const purge = await clients[1]!.sub('POST', `/endpoints/${endpointId}/purges`, { Files: ['http://scaled.example.com/app.js'] });
    expect(purge.status).toBe(202);
    const purged = await clients[1]!.waitForOperation(endpointId, purge.body.AsyncInfo.TaskTrackId, 20_000);
    expect(purged.Status).toBe('Succeeded');
    for (const edge of edges) {
      const after = await edgeGet(edge.httpPort, 'scaled.example.com', '/app.js');
      expect([edge.output().length > 0, after.headers['x-cache'], after.text]).toEqual([true, 'MISS', 'v2']);
    }
    // The purge's per-edge status (extension), through either API.
    const result = await clients[0]!.sub('GET', `/endpoints/${endpointId}/purges/${purge.body.AsyncInfo.TaskTrackId}`);
    expect(result.body.Edges).toEqual(['edge-a', 'edge-b', 'edge-c'].map((id) => ({ EdgeId: id, Status: 'Succeeded', Message: null })));
  });

  it('a tag purge, hard or soft (extensions), is done on every edge: exactly the tagged objects, soft ones revalidated', async () => {
    const tagged = (tag: string) => (req: OriginRequestSeen): OriginAnswer =>
      req.headers['if-none-match'] === `"${tag}"`
        ? { status: 304, headers: { etag: `"${tag}"`, 'cache-control': 'max-age=3600' } }
        : { body: tag, headers: { etag: `"${tag}"`, 'cache-control': 'max-age=3600', 'cache-tag': tag, 'surrogate-key': `dark-${tag} any` } };
    origin.on('/t/red.js', tagged('red'));
    origin.on('/t/blue.js', tagged('blue'));
    for (const edge of edges) for (const path of ['/t/red.js', '/t/blue.js']) await edgeGet(edge.httpPort, 'scaled.example.com', path);

    await operation(clients[1]!, endpointId, 'POST', `/endpoints/${endpointId}/purges`, { Tags: ['red'] });
    for (const edge of edges) {
      const states = [];
      for (const path of ['/t/red.js', '/t/blue.js']) states.push((await edgeGet(edge.httpPort, 'scaled.example.com', path)).headers['x-cache']);
      expect(states).toEqual(['MISS', 'HIT']);
    }

    // Only edge-b reads Surrogate-Key (--edge-tag-headers): only there does its key purge.
    await operation(clients[0]!, endpointId, 'POST', `/endpoints/${endpointId}/purges`, { Tags: ['dark-red'] });
    const onEdges = [];
    for (const edge of edges) {
      const answer = await edgeGet(edge.httpPort, 'scaled.example.com', '/t/red.js');
      onEdges.push([answer.headers['x-cache'], answer.headers['surrogate-key'] !== undefined, answer.headers['cache-tag'] !== undefined]);
    }
    // And never shows the tag headers it reads to clients.
    expect(onEdges).toEqual([
      ['HIT', true, false],
      ['MISS', false, false],
      ['HIT', true, false],
    ]);

    await operation(clients[0]!, endpointId, 'POST', `/endpoints/${endpointId}/purges`, { Tags: ['blue'], Soft: true });
    const before = origin.requests.length;
    for (const edge of edges) expect((await edgeGet(edge.httpPort, 'scaled.example.com', '/t/blue.js')).text).toBe('blue');
    // One conditional request per edge: each kept its copy, stale.
    expect(origin.requests.slice(before).map((r) => [r.url, r.headers['if-none-match']])).toEqual(edges.map(() => ['/t/blue.js', '"blue"']));
  });

  it('a configuration one edge refuses fails the operation with a Message naming that edge, and the others keep the old one', async () => {
    const failed = await operation(clients[0]!, endpointId, 'PUT', `/endpoints/${endpointId}`, { EndpointSettings: { Origin: { Addresses: ['10.1.2.3'] } }, UpdateFlag: 'Origin' });
    expect(failed.Status).toBe('Failed');
    expect(failed.Message).toMatch(/edge "edge-c": .*10\.1\.2\.3/);
    expect(failed.Message).not.toMatch(/edge "edge-a"/);
    // Still served from the old origin everywhere.
    for (const edge of edges) expect((await edgeGet(edge.httpPort, 'scaled.example.com', '/app.js')).text).toBe('v2');
  });

  it('operators see the fleet in `mooncdn admin edges` and at GET /edges; tenants cannot', async () => {
    const listed = await runCli(['admin', 'edges', '--database-url', database.url, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as { EdgeId: string; State: string; Lag: number; Address: string }[];
    expect(rows.map((row) => [row.EdgeId, row.State])).toEqual([['edge-a', 'serving'], ['edge-b', 'serving'], ['edge-c', 'serving']]);
    expect(rows[0]!.Address).toMatch(/^127\.0\.0\.1:\d+$/);
    const table = await runCli(['admin', 'edges', '--database-url', database.url]);
    expect(table.stdout).toMatch(/^EDGE\s+ADDRESS\s+STATE\s+APPLIED\s+LAG\s+HEARTBEAT\nedge-a\s/);

    const refused = await fetch(`${apis[1]!.url}/edges`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { ErrorInfo: { Type: string } }).ErrorInfo.Type).toBe('InvalidAuthorizationHeader');
    const metrics = await (await fetch(`${apis[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(/mooncdn_fleet_edge_state\{edge="edge-b",state="serving"\} 1/);
  });

  it('the event stream through the other API shows each edge\'s answer as it arrives, before the final status', async () => {
    // The origin answers two edges' preload fetches at once and holds the third's until released.
    let fetches = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    origin.on('/progress.css', () => ({ body: 'p', headers: { 'cache-control': 'max-age=3600' }, ...(++fetches > 2 ? { until: held } : {}) }));
    const accepted = await clients[0]!.sub('POST', `/endpoints/${endpointId}/preloads`, { Files: ['http://scaled.example.com/progress.css'] });
    expect(accepted.status).toBe(202);
    const operationId = accepted.body.AsyncInfo.TaskTrackId as string;

    const sdk = new MooncdnClient({ baseUrl: apis[1]!.url, subscriptionId: credentials.subscriptionId, keyId: credentials.keyId, keyValue: credentials.keyValue });
    const events: string[] = [];
    const answered: EdgeResult[] = [];
    try {
      const watched = sdk.watchOperation(endpointId, operationId, {
        onStatus: (operation) => events.push(`status ${operation.Status}`),
        onEdge: (edge) => {
          events.push(`edge ${edge.Status}`);
          answered.push(edge);
        },
      });
      await until(async () => answered.length === 2, 'two edges\' answers on the stream');
      // The third edge still waits on the origin: the preload has not ended, through either API.
      expect(fetches).toBe(3);
      expect((await clients[0]!.sub('GET', `/endpoints/${endpointId}/operations/${operationId}`)).body.Status).toBe('Processing');
      expect(events).not.toContain('status Succeeded');
      release();
      const final = await watched;
      expect(final.Status).toBe('Succeeded');
      expect(events.slice(-2)).toEqual(['edge Succeeded', 'status Succeeded']);
      expect(answered.map((edge) => edge.EdgeId).sort()).toEqual(['edge-a', 'edge-b', 'edge-c']);
      expect(answered.every((edge) => edge.Status === 'Succeeded' && edge.Message === null)).toBe(true);
    } finally {
      release();
      await sdk.close();
    }
  });

  it('traffic metered on every edge reaches the store, summed over the edges', async () => {
    origin.on('/big.bin', { body: 'x'.repeat(100_000), headers: { 'cache-control': 'max-age=3600' } });
    for (const edge of edges) await edgeGet(edge.httpPort, 'scaled.example.com', '/big.bin');
    const start = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19) + 'Z';
    const end = new Date(Date.now() + 600_000).toISOString().slice(0, 19) + 'Z';
    // Each edge fetched it once from the origin and sent it once: 0.3 MB each way (MB = 10^6 bytes).
    await until(async () => {
      const volume = await clients[1]!.sub('GET', `/endpoints/${endpointId}/volume?granularity=PerDay&startTime=${start}&endTime=${end}`);
      return volume.status === 200 && volume.body.TotalCdnVolumeInMB >= 0.3 && volume.body.TotalOriginVolumeInMB >= 0.3;
    }, "three edges' traffic in the volume API");
  });
});
