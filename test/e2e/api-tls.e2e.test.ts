/** The management API over HTTPS (`--tls-cert`, `--tls-key`): the official clients hard-code https. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

const CERTS = join(import.meta.dirname, '../fixtures/certs');

let where: TestStoreLocation;
let server: ServerProcess;

beforeAll(async () => {
  where = await newStoreLocation('sqlite');
  server = await startServer({ store: where.location, args: ['--tls-cert', join(CERTS, 'rsa.crt'), '--tls-key', join(CERTS, 'rsa.key')] });
});
afterAll(async () => {
  await server?.stop();
  await where?.cleanup();
});

describe('the API over HTTPS', () => {
  it('serves signed requests over TLS with the given certificate', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new SignedClient(server.url, server.credentials, { ca: readFileSync(join(CERTS, 'rsa.crt')), servername: 'cdn.example.com' });
    try {
      const response = await client.sub('GET', '/endpoints');
      expect(response.status).toBe(200);
      expect(response.body).toEqual([]);
      expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await client.close();
    }
  });

  it('the mooncdn command reaches it with --ca and --tls-servername, and refuses it without', async () => {
    const env = {
      MOONCDN_API_URL: server.url,
      MOONCDN_SUBSCRIPTION_ID: server.credentials.subscriptionId,
      MOONCDN_KEY_ID: server.credentials.keyId,
      MOONCDN_KEY_VALUE: server.credentials.keyValue,
    };
    const verified = await runCli(['endpoint', 'list', '--json', '--ca', join(CERTS, 'rsa.crt'), '--tls-servername', 'cdn.example.com'], env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual([]);
    const unverified = await runCli(['endpoint', 'list'], env);
    expect(unverified.code).toBe(1);
    expect(unverified.stderr).toMatch(/^ConnectionError: /);
  });

  it('does not answer plain HTTP on that port', async () => {
    await expect(fetch(server.url.replace('https:', 'http:') + '/openapi.json')).rejects.toThrow();
  });
});
