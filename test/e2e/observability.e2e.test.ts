/**
 * Observability of a real `mooncdn serve`: /healthz, /readyz and /metrics on the API (for the
 * whole process, the edge included; none on the public edge port), one log line per request,
 * and no secret in the log of a full run.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';
import { ADMIN_URL } from '../support/postgres.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

let where: TestStoreLocation;
let origin: OriginServer;
let server: ServerProcess;
let client: SignedClient;
let edgePort: number;

beforeAll(async () => {
  where = await newStoreLocation('postgres');
  origin = await OriginServer.start();
  origin.otherwise({ body: 'x'.repeat(1000), headers: { 'cache-control': 'max-age=600' } });
  server = await startServer({ store: where.location, args: ['--edge-access-log'] });
  client = new SignedClient(server.url, server.credentials);
  edgePort = Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]);
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  await origin?.close();
  await where?.cleanup();
});

const text = async (url: string) => {
  const fetched = await fetch(url);
  return { status: fetched.status, body: await fetched.text() };
};

describe('health', () => {
  it('/healthz and /readyz answer on the API, unsigned, for the whole process (the edge included)', async () => {
    expect(await text(`${server.url}/healthz`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    const ready = await text(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, checks: { store: 'ok', workers: 'ok', edge: 'ok' } });
  });

  it('the public edge port has no status pages: a Host that is no endpoint\'s gets 404 whatever the path', async () => {
    for (const host of [`127.0.0.1:${edgePort}`, '127.0.0.1', 'localhost', '[::1]', 'unknown.example.com']) {
      for (const path of ['/metrics', '/healthz', '/readyz', '/']) {
        const response = await edgeGet(edgePort, host, path);
        expect(response.status, `${host}${path}`).toBe(404);
        expect(response.text).toContain('No endpoint serves the host');
        expect(response.text).not.toContain('mooncdn_');
      }
    }
  });
});

describe('metrics and the log', () => {
  it('counts requests, authentication failures, operations, edge results and bytes; the log holds no secret', async () => {
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'obs.example.com', Origin: { Addresses: [origin.address] } });
    const id = created.body.EndpointID;
    await client.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    await edgeGet(edgePort, 'obs.example.com', '/a.css');
    await edgeGet(edgePort, 'obs.example.com', '/a.css');
    const purge = await client.sub('POST', `/endpoints/${id}/purges`, { Files: ['http://obs.example.com/a.css'] });
    await client.waitForOperation(id, purge.body.AsyncInfo.TaskTrackId);
    const wrong = new SignedClient(server.url, { ...server.credentials, keyValue: 'y'.repeat(43) });
    await wrong.sub('GET', '/endpoints');
    await wrong.close();

    const api = (await text(`${server.url}/metrics`)).body;
    expect(api).toMatch(/mooncdn_api_requests_total\{route="\/subscriptions\/:subscriptionId\/endpoints",method="POST",status="202"\} 1/);
    expect(api).toMatch(/mooncdn_api_authentication_failures_total\{type="WrongSignature"\} 1/);
    expect(api).toMatch(/mooncdn_operations_total\{type="Purge",status="Succeeded"\} 1/);
    expect(api).toMatch(/mooncdn_operation_duration_seconds_count\{type="CreateEndpoint"\} 1/);
    expect(api).toMatch(/mooncdn_operations_unfinished 0/);
    expect(api).toMatch(/mooncdn_edge_requests_total\{result="MISS"\} 1/);
    expect(api).toMatch(/mooncdn_edge_requests_total\{result="HIT"\} 1/);
    expect(api).toMatch(/mooncdn_edge_sent_bytes_total 2000/);
    expect(api).toMatch(/mooncdn_edge_origin_bytes_total 1000/);
    expect(api).toMatch(/mooncdn_edge_origin_fetch_duration_seconds_count\{outcome="ok"\} 1/);
    expect(api).toMatch(/mooncdn_edge_endpoint_requests_total\{endpoint="obs.example.com",result="HIT"\} 1/);
    expect(api).toMatch(/mooncdn_edge_endpoint_sent_bytes_total\{endpoint="obs.example.com"\} 2000/);
    expect(api).toMatch(/mooncdn_edge_cache_objects 0/);
    expect(api).toMatch(/mooncdn_process_resident_memory_bytes \d+/);

    // The changes and the refused request are logged at info (the polls at debug); the log is
    // written asynchronously, so poll for it.
    const requestLines = () => server.output().split('\n').filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line));
    await vi.waitFor(() => expect(requestLines().map((line) => [line.method, line.status])).toEqual(expect.arrayContaining([['POST', 202], ['POST', 202], ['GET', 401]])));
    for (const line of requestLines()) expect(line.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    // --edge-access-log: one line per edge request.
    const accessLines = () => server.output().split('\n').filter((line) => line.includes('"msg":"edge request"')).map((line) => JSON.parse(line));
    await vi.waitFor(() =>
      expect(accessLines().filter((line) => line.host === 'obs.example.com').map((line) => [line.path, line.status, line.cache])).toEqual([
        ['/a.css', 200, 'MISS'],
        ['/a.css', 200, 'HIT'],
      ]),
    );
    const log = server.output();
    expect(log).not.toContain(server.credentials.keyValue);
    expect(log).not.toMatch(/AzureCDN [^"\s]+:[0-9A-Fa-f]{64}/);
  });
});

describe('fill memory', () => {
  it('mooncdn_edge_fill_bytes shows what fills in progress hold, and 0 once they are done', async () => {
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'fill.example.com', Origin: { Addresses: [origin.address] } });
    await client.waitForOperation(created.body.EndpointID, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    // Four chunks half a second apart: the fill holds the declared 100,000 bytes meanwhile.
    origin.on('/slow.bin', { body: Buffer.alloc(100_000, 1), headers: { 'cache-control': 'max-age=600' }, chunkDelayMs: 500 });
    const fetched = edgeGet(edgePort, 'fill.example.com', '/slow.bin');
    const fillBytes = async () => Number(/mooncdn_edge_fill_bytes (\d+)/.exec((await text(`${server.url}/metrics`)).body)?.[1]);
    await vi.waitFor(async () => expect(await fillBytes()).toBe(100_000), { timeout: 5_000, interval: 50 });
    expect((await fetched).body.length).toBe(100_000);
    await vi.waitFor(async () => expect(await fillBytes()).toBe(0), { timeout: 5_000, interval: 50 });
  });
});

describe('readiness', () => {
  it('/readyz answers 503 naming the store when the database goes away', async () => {
    const name = new URL(where.location.kind === 'postgres' ? where.location.connectionString : '').pathname.slice(1);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
    const ready = await text(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const report = JSON.parse(ready.body);
    expect(report.ready).toBe(false);
    expect(report.checks.store).not.toBe('ok');
    expect(report.checks.edge).toBe('ok');
    expect((await text(`${server.url}/healthz`)).status).toBe(200);
  });
});
