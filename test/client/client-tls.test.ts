/**
 * The client against a real `mooncdn serve` whose API is served over TLS with the fixture
 * certificate (self-signed for cdn.example.com), reached at https://127.0.0.1:PORT.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MooncdnClient, TlsOptions } from '../../src/client/index.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';
import { clientFor, rejection } from './client-kit.js';

const CERTS = join(import.meta.dirname, '../fixtures/certs');
const CA = readFileSync(join(CERTS, 'rsa.crt'));

let where: TestStoreLocation;
let server: ServerProcess;
let origin: OriginServer;
const clients: MooncdnClient[] = [];

beforeAll(async () => {
  origin = await OriginServer.start();
  where = await newStoreLocation('sqlite');
  server = await startServer({ store: where.location, args: ['--tls-cert', join(CERTS, 'rsa.crt'), '--tls-key', join(CERTS, 'rsa.key')] });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.stop();
  await origin?.close();
  await where?.cleanup();
});

function tlsClient(tls: TlsOptions | undefined, retries?: number): MooncdnClient {
  const client = clientFor(server, { ...(tls ? { tls } : {}), ...(retries !== undefined ? { retry: { retries } } : {}) });
  clients.push(client);
  return client;
}

describe('the client over https', () => {
  it('verifies the server against the given CA and the name the certificate covers', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = tlsClient({ ca: CA, servername: 'cdn.example.com' });
    expect(await client.listEndpoints()).toEqual([]);
    const created = await client.createEndpoint({ CustomDomain: 'tls.example.com', Origin: { Addresses: [origin.address] } });
    const op = await client.waitForOperation(created.body.EndpointID, created.operationId, { pollMs: 50 });
    expect(op).toMatchObject({ Type: 'CreateEndpoint', Status: 'Succeeded' });
    expect((await client.getEndpoint(created.body.EndpointID)).Status.LifetimeStatus).toBe('Normal');
  });

  it('works with insecureSkipVerify and no CA', async () => {
    const client = tlsClient({ insecureSkipVerify: true });
    expect((await client.listEndpoints()).map((e) => e.Setting.CustomDomain)).toContain('tls.example.com');
  });

  it('refuses a server it cannot verify: no CA given', async () => {
    const error = await rejection(tlsClient(undefined, 0).listEndpoints());
    expect(error).toMatchObject({ type: 'ConnectionError', status: 0 });
    expect(error.message).toMatch(/SELF_SIGNED|self-signed|UNABLE_TO_VERIFY/i);
  });

  it('refuses a certificate that does not cover the name it connects to', async () => {
    // The CA is right, but the certificate names cdn.example.com, not 127.0.0.1.
    const error = await rejection(tlsClient({ ca: CA }, 0).listEndpoints());
    expect(error).toMatchObject({ type: 'ConnectionError', status: 0 });
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('does not retry a certificate that fails verification: it would fail the same way again', async () => {
    // A plain HTTPS server that counts handshakes the client refuses (it tests the client's retry policy).
    let refusedHandshakes = 0;
    const untrusted = createServer({ cert: CA, key: readFileSync(join(CERTS, 'rsa.key')) }, (_, res) => res.end('{}'));
    untrusted.on('tlsClientError', () => refusedHandshakes++);
    await new Promise<void>((resolve) => untrusted.listen(0, '127.0.0.1', resolve));
    try {
      const client = clientFor(server, { baseUrl: `https://127.0.0.1:${(untrusted.address() as AddressInfo).port}`, retry: { retries: 3 } });
      clients.push(client);
      const error = await rejection(client.listEndpoints());
      expect(error.type).toBe('ConnectionError');
      // Retries, had there been any, were made before the call gave up; the server may hear of them a little later.
      await vi.waitFor(() => expect(refusedHandshakes).toBeGreaterThanOrEqual(1));
      expect(refusedHandshakes).toBe(1);
    } finally {
      untrusted.close();
    }
  });

  it('refuses a certificate signed by another CA than the one given', async () => {
    const error = await rejection(tlsClient({ ca: readFileSync(join(CERTS, 'ca.crt')), servername: 'cdn.example.com' }, 0).listEndpoints());
    expect(error).toMatchObject({ type: 'ConnectionError', status: 0 });
  });

  it('does not fall back to plain http', async () => {
    const plain = clientFor(server, { baseUrl: server.url.replace('https:', 'http:'), retry: { retries: 0 } });
    clients.push(plain);
    const error = await rejection(plain.listEndpoints());
    expect(error.type).toBe('ConnectionError');
  });
});
