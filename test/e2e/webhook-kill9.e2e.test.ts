/**
 * kill -9 between an operation's end and its webhook's delivery loses nothing: the delivery is
 * written in the transaction that ends the operation, so after a restart the receiver gets
 * exactly one accepted delivery of it, correctly signed, and the delivery log shows the
 * attempts made before the kill and the one after. Run with real processes: `mooncdn serve` on
 * each store, and `mooncdn worker` (the process that delivers in the scaled shape) on PostgreSQL
 * behind a `mooncdn api` that stays up.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { verifyWebhookSignature } from '../../src/signing/index.js';
import { Store, type StoreLocation } from '../../src/store/store.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { startScaled } from '../support/scaled-processes.js';
import { newCredentials, startServer, type Credentials } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

const SECRET = 'a-webhook-secret-for-the-kill-test';

/** A receiver that answers every POST with `answer` and keeps what it got. */
class Receiver {
  answer = 500;
  readonly received: { operationId: string; status: number; signature: string; body: string }[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const status = this.answer;
      this.received.push({ operationId: String((JSON.parse(body) as { Id?: string }).Id), status, signature: String(req.headers['mooncdn-signature']), body });
      res.writeHead(status).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hooks`;
  }

  accepted(operationId: string) {
    return this.received.filter((r) => r.operationId === operationId && r.status >= 200 && r.status < 300);
  }

  close(): Promise<unknown> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

/** The process that ends operations and delivers webhooks, killed and started again. */
interface Deliverer {
  /** Where the signed API is (stays the same across restarts only where the API is another process). */
  url(): string;
  kill(): Promise<unknown>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function serveShape(location: StoreLocation, credentials: Credentials): Promise<Deliverer> {
  let server = await startServer({ store: location, credentials });
  return {
    url: () => server.url,
    kill: () => server.stop('SIGKILL'),
    restart: async () => {
      server = await startServer({ store: location, credentials });
    },
    close: async () => void (await server.stop()),
  };
}

async function workerShape(location: StoreLocation & { kind: 'postgres' }, credentials: Credentials, nats: NatsServer): Promise<Deliverer> {
  const options = { databaseUrl: location.connectionString, natsUrl: nats.url, credentials };
  const api = await startScaled('api', options);
  let worker = await startScaled('worker', options);
  return {
    url: () => api.url,
    kill: () => worker.stop('SIGKILL'),
    restart: async () => {
      worker = await startScaled('worker', options);
    },
    close: async () => void (await Promise.all([worker.stop(), api.stop()])),
  };
}

const SHAPES = [
  { name: 'mooncdn serve on SQLite', store: 'sqlite' as const },
  { name: 'mooncdn serve on PostgreSQL', store: 'postgres' as const },
  { name: 'mooncdn worker on PostgreSQL', store: 'postgres' as const, worker: true },
];

describe.each(SHAPES)('kill -9 before a webhook is delivered: $name', ({ store, worker }) => {
  let where: TestStoreLocation;
  let receiver: Receiver;
  let nats: NatsServer | undefined;
  let deliverer: Deliverer | undefined;
  const credentials = newCredentials();

  beforeAll(async () => {
    where = await newStoreLocation(store);
    receiver = new Receiver();
    if (worker) nats = await startNatsServer();
  });
  afterAll(async () => {
    await deliverer?.close();
    await Promise.all([receiver?.close(), nats?.close()]);
    await where?.cleanup();
  });

  it('delivers exactly once after the restart, signed, with every attempt in the delivery log', async () => {
    const hookUrl = await receiver.start();
    deliverer = worker
      ? await workerShape(where.location as StoreLocation & { kind: 'postgres' }, credentials, nats!)
      : await serveShape(where.location, credentials);
    let client = new SignedClient(deliverer.url(), credentials);
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'hooks-kill.example.com', Origin: { Addresses: ['127.0.0.1:9'] } });
    expect(created.status).toBe(202);
    const endpointId = created.body.EndpointID as string;
    await client.waitForOperation(endpointId, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!, 30_000);
    expect((await client.sub('PUT', '/webhooks/deploys', { Url: hookUrl, Secret: SECRET })).status).toBe(200);

    // The receiver answers 500: the purge ends, its delivery is attempted and stays Pending.
    const purge = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: ['http://hooks-kill.example.com/a.css'] });
    expect(purge.status).toBe(202);
    const operationId = purge.body.AsyncInfo.TaskTrackId as string;
    expect((await client.waitForOperation(endpointId, operationId, 30_000)).Status).toBe('Succeeded');
    await until(
      async () => (await client.sub('GET', '/webhooks/deploys/deliveries')).body.Deliveries as { OperationId: string; Attempts: number; Status: string }[],
      (deliveries) => deliveries.some((d) => d.OperationId === operationId && d.Attempts >= 1),
      'a failed attempt recorded',
    );
    expect(await deliverer.kill()).toBe('SIGKILL');
    await client.close();
    expect(receiver.accepted(operationId)).toEqual([]);

    // What the kill left: the delivery, not yet delivered.
    const left = await Store.open(where.location, new SecretBox(undefined));
    const stored = await left.webhooks.listDeliveries(credentials.subscriptionId, 'deploys');
    await left.close();
    expect(stored.filter((d) => d.operationId === operationId).map((d) => d.status)).toEqual(['Pending']);

    receiver.answer = 204;
    await deliverer.restart();
    client = new SignedClient(deliverer.url(), credentials);
    const delivered = await until(
      async () => ((await client.sub('GET', '/webhooks/deploys/deliveries')).body.Deliveries as { OperationId: string; Status: string; Attempts: number; LastStatusCode: number | null }[])
        .find((d) => d.OperationId === operationId),
      (d) => d?.Status === 'Delivered',
      'the delivery after the restart',
    );
    // The attempts before the kill (500) and the one after (204), in one delivery.
    expect(delivered).toMatchObject({ Status: 'Delivered', LastStatusCode: 204 });
    expect(delivered!.Attempts).toBeGreaterThanOrEqual(2);
    expect(delivered!.Attempts).toBe(receiver.received.filter((r) => r.operationId === operationId).length);
    const accepted = receiver.accepted(operationId);
    expect(accepted).toHaveLength(1);
    expect(verifyWebhookSignature(SECRET, accepted[0]!.signature, accepted[0]!.body)).toBe(true);
    expect(JSON.parse(accepted[0]!.body)).toMatchObject({ Id: operationId, Type: 'Purge', Status: 'Succeeded', EndpointId: endpointId });
    await client.close();
    // A kill during an attempt leaves its lease (twice the 10 s attempt timeout) to lapse first.
  }, 90_000);
});
