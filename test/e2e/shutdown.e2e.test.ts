/**
 * SIGTERM: stop accepting, answer every request already received (on the API and on the
 * edge), close idle keep-alive connections, exit 0; accepted operations end after a restart.
 */
import { request, Agent, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/signing/index.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

const N = 20;

let where: TestStoreLocation;
let origin: OriginServer;
beforeAll(async () => {
  where = await newStoreLocation('sqlite');
  origin = await OriginServer.start();
});
afterAll(async () => {
  await origin?.close();
  await where?.cleanup();
});

interface Sent {
  /** The request is written: handed to the operating system, so in the server's socket buffer. */
  readonly written: Promise<void>;
  readonly response: Promise<{ status: number; body: string }>;
}

/** A request over `agent`'s connections (false: a new connection). */
function send(agent: Agent | false, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Sent {
  const req = request(url, { method: options.method ?? 'GET', agent, headers: options.headers ?? {} });
  const written = new Promise<void>((resolve, reject) => {
    req.on('finish', resolve);
    req.on('error', reject);
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
  });
  req.end(options.body);
  return { written, response };
}

/** A signed API request. */
function sendSigned(agent: Agent, server: ServerProcess, method: string, path: string, body?: unknown): Sent {
  const url = `${server.url}/subscriptions/${server.credentials.subscriptionId}${path}?apiVersion=1.0`;
  const headers = { ...signRequest(method, url, server.credentials), 'content-type': 'application/json' };
  return send(agent, url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** Settles every response; fails naming those that got no answer (a reset). */
async function answersTo(sent: readonly Sent[]): Promise<Array<{ status: number; body: string }>> {
  const results = await Promise.allSettled(sent.map((s) => s.response));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`request ${i}: ${String(r.reason)}`] : []));
  expect(failures, 'every request received must get its answer, not a reset').toEqual([]);
  return results.map((r) => (r as PromiseFulfilledResult<{ status: number; body: string }>).value);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls until a new connection to the port is refused (the server stops accepting). */
async function waitUntilRefused(port: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await refused(port))) {
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a new connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM', () => {
  it('answers every API request already received, on new and on kept-alive connections, then exits 0; the operations end after a restart', async () => {
    const server = await startServer({ store: where.location });
    const client = new SignedClient(server.url, server.credentials);
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'term.example.com', Origin: { Addresses: ['o.example.com'] } });
    const endpointId = created.body.EndpointID;
    await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    await client.close();

    // Half on connections the server has served once and keeps alive, half on new ones.
    const kept = new Agent({ keepAlive: true, maxSockets: N / 2 });
    const fresh = new Agent({ keepAlive: true, maxSockets: N / 2 });
    const warm = Array.from({ length: N / 2 }, () => sendSigned(kept, server, 'GET', `/endpoints/${endpointId}`));
    for (const sent of warm) expect((await sent.response).status).toBe(200);

    // Every purge is written (in the server's socket buffers) before the signal.
    const inFlight = Array.from({ length: N }, (_, i) =>
      sendSigned(i % 2 === 0 ? kept : fresh, server, 'POST', `/endpoints/${endpointId}/purges`, { Files: [`http://term.example.com/${i}`] }),
    );
    await Promise.all(inFlight.map((sent) => sent.written));
    const exit = server.stop('SIGTERM');
    const answers = await answersTo(inFlight);
    expect(await exit).toBe(0);
    kept.destroy();
    fresh.destroy();
    for (const answer of answers) expect(answer.status, answer.body).toBe(202);
    expect(server.output()).toContain('shutting down');

    const again = await startServer({ store: where.location, credentials: server.credentials });
    const client2 = new SignedClient(again.url, again.credentials);
    for (const answer of answers) {
      expect(await client2.waitForOperation(endpointId, JSON.parse(answer.body).AsyncInfo.TaskTrackId)).toMatchObject({ Status: 'Succeeded' });
    }
    await client2.close();
    expect(await again.stop()).toBe(0);
  });

  it('stops accepting on both ports and lets every edge request in flight (a slow origin) finish, complete, then exits 0', async () => {
    const server = await startServer({ store: where.location });
    const client = new SignedClient(server.url, server.credentials);
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'slow.example.com', Origin: { Addresses: [origin.address] } });
    const endpointId = created.body.EndpointID;
    await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
    await client.close();
    const edgePort = Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]);
    const apiPort = Number(new URL(server.url).port);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const body = 'b'.repeat(256 * 1024);
    origin.otherwise({ body, until: released });
    const seen = origin.requests.length;
    // N requests the edge is fetching from the origin, and N more written on new connections.
    const edgeUrl = (i: number) => `http://127.0.0.1:${edgePort}/file-${i}.bin`;
    const host = { host: 'slow.example.com' };
    const fetching = Array.from({ length: N }, (_, i) => send(false, edgeUrl(i), { headers: host }));
    await waitFor(() => origin.requests.length - seen === N, 'the origin to get every request');
    const arriving = Array.from({ length: N }, (_, i) => send(false, edgeUrl(N + i), { headers: host }));
    await Promise.all(arriving.map((sent) => sent.written));

    const exit = server.stop('SIGTERM');
    await waitFor(() => server.output().includes('shutting down'), 'the shutdown to begin');
    await waitUntilRefused(edgePort);
    await waitUntilRefused(apiPort);
    release();

    for (const answer of await answersTo([...fetching, ...arriving])) {
      expect(answer.status).toBe(200);
      expect(answer.body.length).toBe(body.length);
    }
    expect(await exit).toBe(0);
  });
});

