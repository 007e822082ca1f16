/**
 * The retry policy: 429 from a real server (a key limited to 60 requests a minute, and a daily
 * quota); 5xx answers and broken connections from a scripted stand-in.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MooncdnClient, type MooncdnError } from '../../src/client/index.js';
import type { StoreLocation } from '../../src/store/store.js';
import { OriginServer } from '../support/origin-server.js';
import { runCli, startServer, type Credentials, type ServerProcess } from '../support/server-process.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';
import { answer, clientFor, closedPort, rejection, scriptedApi, UUID } from './client-kit.js';

const clients: MooncdnClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function track(client: MooncdnClient): MooncdnClient {
  clients.push(client);
  return client;
}

describe('429 from a real server', () => {
  let where: TestStoreLocation;
  let server: ServerProcess;
  let origin: OriginServer;

  beforeAll(async () => {
    origin = await OriginServer.start();
    where = await newStoreLocation('sqlite');
    server = await startServer({ store: where.location, args: ['--quota-preloads', '1'] });
  });
  afterAll(async () => {
    await server?.stop();
    await origin?.close();
    await where?.cleanup();
  });

  /** A new key of the test subscription, limited to 60 requests a minute (bursts of 60). */
  async function limitedKey(): Promise<Credentials> {
    const dataDir = dirname((where.location as Extract<StoreLocation, { kind: 'sqlite' }>).file);
    const { subscriptionId } = server.credentials;
    const result = await runCli(['admin', 'key', 'create', '--subscription', subscriptionId, '--rate-per-minute', '60', '--data-dir', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    const key = JSON.parse(result.stdout) as { KeyId: string; KeyValue: string; RatePerMinute: number };
    expect(key.RatePerMinute).toBe(60);
    return { subscriptionId, keyId: key.KeyId, keyValue: key.KeyValue };
  }

  /** Spends the key's burst with a client that never retries; returns the calls that passed and the refusal. */
  async function exhaust(key: Credentials): Promise<{ passed: number; refusal: MooncdnError }> {
    const once = track(clientFor(server, { ...key, retry: { retries: 0 } }));
    for (let passed = 0; passed < 200; passed++) {
      try {
        await once.listEndpoints();
      } catch (error) {
        return { passed, refusal: error as MooncdnError };
      }
    }
    throw new Error('the key was never throttled');
  }

  it('with retries: 0, the call after the burst rejects with RequestThrottled, 429', async () => {
    const { passed, refusal } = await exhaust(await limitedKey());
    expect(passed).toBeGreaterThanOrEqual(60);
    expect(passed).toBeLessThan(70);
    expect(refusal).toMatchObject({ type: 'RequestThrottled', status: 429 });
    expect(refusal.message).toContain('limited to 60 requests a minute');
    expect(refusal.correlationId).toMatch(UUID);
  });

  it('with retries, the call after the burst waits for Retry-After (1 s) and succeeds', async () => {
    const key = await limitedKey();
    await exhaust(key);
    const patient = track(clientFor(server, key));
    const started = Date.now();
    expect(Array.isArray(await patient.listEndpoints())).toBe(true);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5_000);
  });

  it('a Retry-After longer than maxRetryAfterMs is not waited for', async () => {
    const key = await limitedKey();
    await exhaust(key);
    const hasty = track(clientFor(server, { ...key, retry: { retries: 3, maxRetryAfterMs: 500 } }));
    const started = Date.now();
    expect(await rejection(hasty.listEndpoints())).toMatchObject({ type: 'RequestThrottled', status: 429 });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a daily quota (Retry-After until midnight) is refused at once with the default options', async () => {
    const client = track(clientFor(server));
    const created = await client.createEndpoint({ CustomDomain: 'quota.example.com', Origin: { Addresses: [origin.address] } });
    const id = created.body.EndpointID;
    await client.waitForOperation(id, created.operationId, { pollMs: 50 });
    await client.preload(id, { Files: ['http://quota.example.com/one.css'] });
    const started = Date.now();
    const refusal = await rejection(client.preload(id, { Files: ['http://quota.example.com/two.css'] }));
    expect(refusal).toMatchObject({ type: 'RequestThrottled', status: 429 });
    expect(refusal.message).toContain('daily quota of 1 preloads');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

// A real mooncdn server cannot be made to answer 5xx or drop a connection on cue. These tests
// use a few lines of Node HTTP server that do, to test the client's retry policy, not the server.
describe('the retry policy, against a scripted server', () => {
  const credentials = { subscriptionId: randomUUID(), keyId: randomUUID(), keyValue: 'k'.repeat(43) };
  const failure = { Succeeded: false, ErrorInfo: { Type: 'InternalError', Message: 'The server failed; try again.' } };
  const acceptedBody = () => ({ Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: randomUUID(), TaskStatus: 'Processing' } });
  const clientOf = (url: string, retry = { retries: 3, baseDelayMs: 10 }) => track(new MooncdnClient({ baseUrl: url, ...credentials, retry }));

  it('repeats a GET answered 503 and returns the answer that follows', async () => {
    const api = await scriptedApi((_req, res, attempt) => (attempt <= 2 ? answer(res, 503, failure) : answer(res, 200, [])));
    try {
      expect(await clientOf(api.url).listEndpoints()).toEqual([]);
      expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    } finally {
      await api.close();
    }
  });

  it('gives up after `retries` more attempts with the last answer\'s error', async () => {
    const api = await scriptedApi((_req, res) => answer(res, 503, failure));
    try {
      const error = await rejection(clientOf(api.url, { retries: 2, baseDelayMs: 10 }).listEndpoints());
      expect(error).toMatchObject({ type: 'InternalError', status: 503, message: 'The server failed; try again.' });
      expect(error.correlationId).toMatch(UUID);
      expect(api.requests).toHaveLength(3);
    } finally {
      await api.close();
    }
  });

  it('does not repeat a POST answered 5xx: the change may have been made', async () => {
    const api = await scriptedApi((_req, res, attempt) => (attempt === 1 ? answer(res, 503, failure) : answer(res, 202, acceptedBody())));
    try {
      const error = await rejection(clientOf(api.url).purge(randomUUID(), { Files: ['http://a.example.com/x'] }));
      expect(error).toMatchObject({ type: 'InternalError', status: 503 });
      expect(api.requests).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('with idempotentRetries, repeats a POST answered 5xx or 409-in-flight with the same Idempotency-Key', async () => {
    const accepted = acceptedBody();
    const inFlight = { Succeeded: false, ErrorInfo: { Type: 'ParameterInvalid', Message: 'still being processed' } };
    const api = await scriptedApi((_req, res, attempt) =>
      attempt === 1 ? answer(res, 503, failure) : attempt === 2 ? answer(res, 409, inFlight, { 'retry-after': '0' }) : answer(res, 202, accepted),
    );
    try {
      const client = track(new MooncdnClient({ baseUrl: api.url, ...credentials, retry: { retries: 3, baseDelayMs: 10 }, idempotentRetries: true }));
      expect((await client.purge(randomUUID(), { Files: ['http://a.example.com/x'] })).body).toEqual(accepted);
      const keys = api.requests.map((r) => r.idempotencyKey);
      expect(keys).toHaveLength(3);
      expect(keys[0]).toMatch(UUID);
      expect(new Set(keys)).toEqual(new Set([keys[0]]));
      // Each call has a key of its own; GETs carry none.
      await client.purge(randomUUID(), { Files: ['http://a.example.com/y'] });
      expect(api.requests.at(-1)!.idempotencyKey).not.toBe(keys[0]);
    } finally {
      await api.close();
    }
  });

  it("sends the caller's own idempotencyKey on a change (and retries it on a 5xx), with or without idempotentRetries", async () => {
    const accepted = acceptedBody();
    const api = await scriptedApi((_req, res, attempt) => (attempt === 1 ? answer(res, 503, failure) : answer(res, 202, accepted)));
    try {
      const client = track(new MooncdnClient({ baseUrl: api.url, ...credentials, retry: { retries: 3, baseDelayMs: 10 } }));
      const endpointId = randomUUID();
      expect((await client.purge(endpointId, { Files: ['http://a.example.com/x'] }, { idempotencyKey: 'ci-run-42-purge' })).operationId).toBe(accepted.AsyncInfo.TaskTrackId);
      await client.deleteEndpoint(endpointId, { idempotencyKey: 'ci-run-42-delete' });
      await client.enableEndpoint(endpointId);
      expect(api.requests.map((r) => [r.method, r.idempotencyKey])).toEqual([
        ['POST', 'ci-run-42-purge'],
        ['POST', 'ci-run-42-purge'],
        ['DELETE', 'ci-run-42-delete'],
        // No key asked for, none made up (idempotentRetries is off).
        ['POST', undefined],
      ]);
      const generating = track(new MooncdnClient({ baseUrl: api.url, ...credentials, idempotentRetries: true }));
      await generating.preload(endpointId, { Files: ['http://a.example.com/x'] }, { idempotencyKey: 'mine' });
      expect(api.requests.at(-1)!.idempotencyKey).toBe('mine');
      // A key the header cannot carry is refused as the server would refuse it, before anything is sent.
      const sent = api.requests.length;
      const refused = await rejection(client.purge(endpointId, { Files: [] }, { idempotencyKey: 'line\nbreak' }));
      expect([refused.type, refused.message, api.requests.length]).toEqual(['ParameterInvalid', expect.stringContaining('printable ASCII'), sent]);
    } finally {
      await api.close();
    }
  });

  it('repeats a POST answered 429, backing off when there is no Retry-After', async () => {
    const first = acceptedBody();
    const api = await scriptedApi((_req, res, attempt) =>
      attempt === 1 ? answer(res, 429, { Succeeded: false, ErrorInfo: { Type: 'RequestThrottled', Message: 'Slow down.' } }) : answer(res, 202, first),
    );
    try {
      const accepted = await clientOf(api.url).purge(randomUUID(), { Files: ['http://a.example.com/x'] });
      expect(accepted.operationId).toBe(first.AsyncInfo.TaskTrackId);
      expect(api.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    } finally {
      await api.close();
    }
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const api = await scriptedApi((_req, res, attempt) =>
      attempt === 1
        ? answer(res, 429, { Succeeded: false, ErrorInfo: { Type: 'RequestThrottled', Message: 'Slow down.' } }, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() })
        : answer(res, 200, []),
    );
    try {
      const started = Date.now();
      expect(await clientOf(api.url).listEndpoints()).toEqual([]);
      // The date has whole seconds, so the wait is between 1 and 2 s.
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(api.requests).toHaveLength(2);
    } finally {
      await api.close();
    }
  });

  it('repeats any call whose connection was refused, until the server is there', async () => {
    const port = await closedPort();
    let api: Awaited<ReturnType<typeof scriptedApi>> | undefined;
    const late = new Promise<void>((resolve) =>
      setTimeout(() => void scriptedApi((_req, res) => answer(res, 202, acceptedBody()), port).then((started) => ((api = started), resolve())), 300),
    );
    try {
      const started = Date.now();
      // Backoff from 100 ms doubling: the fourth retry comes at least 750 ms after the first try.
      const accepted = await clientOf(`http://127.0.0.1:${port}`, { retries: 4, baseDelayMs: 100 }).purge(randomUUID(), { Files: ['http://a.example.com/x'] });
      expect(accepted.operationId).toMatch(UUID);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      // Only the attempt after the server started reached it.
      expect(api!.requests).toHaveLength(1);
    } finally {
      await late;
      await api?.close();
    }
  });

  it('repeats a GET whose connection broke, but not a POST that may have arrived', async () => {
    // Every first request on a path has its connection dropped without an answer.
    const seen = new Set<string>();
    const api = await scriptedApi((req, res) => {
      const path = req.url!.split('?')[0]!;
      if (!seen.has(path)) {
        seen.add(path);
        req.socket.destroy();
        return;
      }
      answer(res, req.method === 'GET' ? 200 : 202, req.method === 'GET' ? [] : acceptedBody());
    });
    try {
      const client = clientOf(api.url);
      expect(await client.listEndpoints()).toEqual([]);
      const error = await rejection(client.purge(randomUUID(), { Files: ['http://a.example.com/x'] }));
      expect(error).toMatchObject({ type: 'ConnectionError', status: 0 });
      expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
    } finally {
      await api.close();
    }
  });

  it('treats a connection that breaks in the middle of the answer\'s body the same way', async () => {
    // The first answer on each path announces 1000 bytes, sends a few, and drops the connection.
    const seen = new Set<string>();
    const api = await scriptedApi((req, res) => {
      const path = req.url!.split('?')[0]!;
      if (!seen.has(path)) {
        seen.add(path);
        res.writeHead(req.method === 'GET' ? 200 : 202, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"Succ', () => req.socket.destroy());
        return;
      }
      answer(res, req.method === 'GET' ? 200 : 202, req.method === 'GET' ? [] : acceptedBody());
    });
    try {
      const client = clientOf(api.url);
      expect(await client.listEndpoints()).toEqual([]);
      expect(await rejection(client.purge(randomUUID(), { Files: ['http://a.example.com/x'] }))).toMatchObject({ type: 'ConnectionError', status: 0 });
      expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
    } finally {
      await api.close();
    }
  });
});
