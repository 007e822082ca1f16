/**
 * waitForOperation against a real server: preloads whose origin answers, answers 404, or hangs
 * (the server waits long for origins and edges, so that preload stays Processing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MooncdnClient, Operation, OperationStatus } from '../../src/client/index.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';
import { clientFor, rejection } from './client-kit.js';

let where: TestStoreLocation;
let server: ServerProcess;
let origin: OriginServer;
let client: MooncdnClient;
/** Operations of one endpoint run in order, so the hanging preload gets an endpoint of its own. */
let endpointId: string;
let stuckEndpointId: string;
let stuckOperationId: string;

async function newEndpoint(domain: string): Promise<string> {
  const created = await client.createEndpoint({ CustomDomain: domain, Origin: { Addresses: [origin.address] } });
  await client.waitForOperation(created.body.EndpointID, created.operationId, { pollMs: 50 });
  const cached = await client.updateCacheRules(created.body.EndpointID, { Rules: [{ Type: 'Suffix', Items: ['.css'], TTL: 600 }] });
  await client.waitForOperation(created.body.EndpointID, cached.operationId, { pollMs: 50 });
  return created.body.EndpointID;
}

beforeAll(async () => {
  origin = await OriginServer.start();
  origin.on('/ok.css', { body: 'p { color: red }', delayMs: 300 });
  origin.on('/missing.css', { status: 404, body: 'not here' });
  origin.on('/hang.css', { hang: true });
  where = await newStoreLocation('sqlite');
  server = await startServer({ store: where.location, args: ['--edge-origin-timeout-ms', '120000', '--edge-deadline-ms', '120000'] });
  client = clientFor(server);
  endpointId = await newEndpoint('wait.example.com');
  stuckEndpointId = await newEndpoint('stuck.example.com');
  stuckOperationId = (await client.preload(stuckEndpointId, { Files: ['http://stuck.example.com/hang.css'] })).operationId;
});
afterAll(async () => {
  await client?.close();
  // Closing the origin ends the hanging fetch, so the server can stop promptly.
  await origin?.close();
  await server?.stop();
  await where?.cleanup();
});

describe('waitForOperation', () => {
  it('resolves with the Succeeded operation, reporting each status it reads', async () => {
    const { operationId } = await client.preload(endpointId, { Files: ['http://wait.example.com/ok.css'] });
    const seen: OperationStatus[] = [];
    const operation: Operation = await client.waitForOperation(endpointId, operationId, {
      pollMs: 50,
      timeoutMs: 10_000,
      onProgress: (op) => seen.push(op.Status as OperationStatus),
    });
    expect(operation).toMatchObject({ Id: operationId, Type: 'Preload', Status: 'Succeeded', Message: null, EndpointId: endpointId });
    expect(operation.End).not.toBeNull();
    // The origin takes 300 ms, so at least one poll saw it unfinished; the last saw it end.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe('Succeeded');
    expect(seen.slice(0, -1).every((status) => status === 'NotSet' || status === 'Processing')).toBe(true);
  });

  it('long-polls: after the first read, one request waits for the end (extension wait=N) instead of a poll every pollMs', async () => {
    const read = async (longPoll: boolean) => {
      const { operationId } = await client.preload(endpointId, { Files: ['http://wait.example.com/ok.css'] });
      const seen: string[] = [];
      await client.waitForOperation(endpointId, operationId, { pollMs: 10, timeoutMs: 10_000, longPoll, onProgress: (op) => seen.push(op.Status) });
      return seen;
    };
    // The origin takes 300 ms: polling every 10 ms reads it many times, long-polling twice.
    const longPolled = await read(true);
    expect(longPolled).toHaveLength(2);
    expect(longPolled.at(-1)).toBe('Succeeded');
    expect((await read(false)).length).toBeGreaterThan(5);
  });

  it('rejects with OperationFailed carrying the operation and its Message', async () => {
    const { operationId } = await client.preload(endpointId, { Files: ['http://wait.example.com/missing.css'] });
    const error = await rejection(client.waitForOperation(endpointId, operationId, { pollMs: 50, timeoutMs: 10_000 }));
    expect(error.type).toBe('OperationFailed');
    expect(error.operation).toMatchObject({ Id: operationId, Type: 'Preload', Status: 'Failed' });
    expect(error.operation!.Message).toContain('http://wait.example.com/missing.css');
    expect(error.operation!.Message).toContain('404');
    expect(error.message).toContain(error.operation!.Message!);
    expect(await client.getPreload(endpointId, operationId)).toMatchObject({ Files: [{ Url: 'http://wait.example.com/missing.css', Status: 'Failed' }], Edges: [{ EdgeId: 'edge-embedded', Status: 'Failed' }] });
  });

  it('rejects with OperationTimedOut, carrying the operation as last seen, when it does not end in time', async () => {
    const seen: string[] = [];
    const started = Date.now();
    const error = await rejection(
      client.waitForOperation(stuckEndpointId, stuckOperationId, { pollMs: 100, timeoutMs: 1_000, onProgress: (op) => seen.push(op.Status) }),
    );
    const waited = Date.now() - started;
    expect(error.type).toBe('OperationTimedOut');
    expect(error.operation).toMatchObject({ Id: stuckOperationId, Type: 'Preload', Status: 'Processing', End: null });
    expect(error.message).toContain(stuckOperationId);
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(3_000);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen)).toEqual(new Set(['Processing']));
  });

  it('stops with Aborted when the signal fires, between polls or before the first', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const error = await rejection(client.waitForOperation(stuckEndpointId, stuckOperationId, { pollMs: 100, timeoutMs: 60_000, signal: controller.signal }));
    expect(error.type).toBe('Aborted');
    expect(Date.now() - started).toBeLessThan(1_500);

    let polled = 0;
    const already = await rejection(
      client.waitForOperation(stuckEndpointId, stuckOperationId, { signal: AbortSignal.abort(), onProgress: () => polled++ }),
    );
    expect(already.type).toBe('Aborted');
    expect(polled).toBe(0);
  });

  it('stops at once when the signal fires during a long pause between polls', async () => {
    // A poll interval far longer than the test: only the abort can end the wait.
    const controller = new AbortController();
    let firstPoll!: () => void;
    const polled = new Promise<void>((resolve) => (firstPoll = resolve));
    const waiting = client.waitForOperation(stuckEndpointId, stuckOperationId, { pollMs: 60_000, timeoutMs: 120_000, signal: controller.signal, onProgress: () => firstPoll() });
    await polled;
    controller.abort();
    expect((await rejection(waiting)).type).toBe('Aborted');
  });
});

describe('getPreload and getPurge with waitSeconds (long-poll, extension)', () => {
  it('answers once the preload has ended, with every URL\'s final status', async () => {
    const { operationId } = await client.preload(endpointId, { Files: ['http://wait.example.com/ok.css?waited'] });
    // The origin takes 300 ms: without the wait the URL would not be done yet.
    expect(await client.getPreload(endpointId, operationId, { waitSeconds: 20 })).toMatchObject({
      Files: [{ Url: 'http://wait.example.com/ok.css?waited', Status: 'Succeed' }],
    });
    const { operationId: purgeId } = await client.purge(endpointId, { Files: ['http://wait.example.com/ok.css'] });
    expect((await client.getPurge(endpointId, purgeId, { waitSeconds: 20 })).Files).toEqual([{ Url: 'http://wait.example.com/ok.css', Status: 'Succeed' }]);
  });

  it('answers after waitSeconds with the state then', async () => {
    const started = performance.now();
    const result = await client.getPreload(stuckEndpointId, stuckOperationId, { waitSeconds: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(result.Files).toEqual([{ Url: 'http://stuck.example.com/hang.css', Status: 'Running' }]);
  });
});
