/**
 * The embedded server (what `mooncdn serve` runs) refuses an origin at its own API, even with
 * an empty --edge-origin-deny: otherwise anyone could read the API's /metrics through the
 * public edge by creating an endpoint that points at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../src/config/serve-config.js';
import { startEmbeddedServer, type RunningServer } from '../../src/server/embedded.js';
import { edgeGet } from '../support/edge-client.js';
import { SignedClient } from '../support/signed-client.js';

const CREDENTIALS = { subscriptionId: '6a0bf4d4-0d2c-4b8e-9a43-3c1d0f3b7e21', keyId: 'own-listeners', keyValue: 'k'.repeat(40) };

let dir: string;
let server: RunningServer;
let client: SignedClient;
let apiPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mooncdn-own-listeners-'));
  const config = loadServeConfig(
    { port: '0', edgePort: '0', edgeTlsPort: '0', dataDir: dir, edgeOriginTimeoutMs: '2000', edgeDeadlineMs: '2000' },
    { MOONCDN_SUBSCRIPTION_ID: CREDENTIALS.subscriptionId, MOONCDN_KEY_ID: CREDENTIALS.keyId, MOONCDN_KEY_VALUE: CREDENTIALS.keyValue },
  );
  expect(config.edge.originDeny).toEqual([]);
  server = await startEmbeddedServer(config, pino({ level: 'silent' }));
  client = new SignedClient(server.apiUrl, CREDENTIALS);
  apiPort = Number(new URL(server.apiUrl).port);
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function endpoint(domain: string, address: string): Promise<string> {
  const created = await client.sub('POST', '/endpoints', { CustomDomain: domain, Origin: { Addresses: [address] } });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  const id = created.body.EndpointID as string;
  const operation = await client.waitForOperation(id, String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!);
  expect(operation.Status).toBe('Succeeded');
  return id;
}

describe("an origin at the server's own API", () => {
  it('is refused by address and by name, so /metrics does not come back through the edge', async () => {
    await endpoint('api-by-address.example.com', `127.0.0.1:${apiPort}`);
    await endpoint('api-by-name.example.com', `localhost:${apiPort}`);

    for (const domain of ['api-by-address.example.com', 'api-by-name.example.com']) {
      const answer = await edgeGet(server.edgeHttpPort, domain, '/metrics');
      expect(answer.status).toBe(502);
      expect(answer.text).toBe("The origin address is not allowed by this edge's origin policy.\n");
    }
    // The API itself answers /metrics: what the edge refused was really there.
    const metrics = await fetch(`${server.apiUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('mooncdn_');
  });

  it('fails a preload with a Message saying the origin address is denied by policy', async () => {
    const id = await endpoint('api-preload.example.com', `127.0.0.1:${apiPort}`);
    const accepted = await client.sub('POST', `/endpoints/${id}/preloads`, { Files: ['http://api-preload.example.com/metrics'] });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const operation = await client.waitForOperation(id, accepted.body.AsyncInfo.TaskTrackId);
    expect(operation.Status).toBe('Failed');
    expect(operation.Message).toContain("origin address is denied by this edge's origin policy");
  });
});
