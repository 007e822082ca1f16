/**
 * Black box: a real `mooncdn serve` process driven over HTTP by a signed client, once per
 * store (SQLite file, fresh PostgreSQL database).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OriginServer } from '../support/origin-server.js';
import { newStoreLocation, STORE_KINDS, type TestStoreLocation } from '../support/stores.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';

describe.each(STORE_KINDS)('mooncdn serve on %s', (kind) => {
  let where: TestStoreLocation;
  let server: ServerProcess;
  let client: SignedClient;
  let origin: OriginServer;

  beforeAll(async () => {
    origin = await OriginServer.start();
    origin.otherwise({ body: 'body { margin: 0 }', headers: { 'cache-control': 'max-age=600' } });
    where = await newStoreLocation(kind);
    server = await startServer({ store: where.location });
    client = new SignedClient(server.url, server.credentials);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await origin?.close();
    await where?.cleanup();
  });

  it('takes an endpoint through its life: create, configure, purge, preload, disable, enable, delete', async () => {
    const created = await client.sub('POST', '/endpoints', { CustomDomain: 'e2e.example.com', Origin: { Addresses: [origin.address] } });
    expect(created.status).toBe(202);
    const id = created.body.EndpointID;
    const createOp = String(created.headers['operation-location']).match(/operations\/([0-9a-f-]+)/)![1]!;
    expect(await client.waitForOperation(id, createOp)).toMatchObject({ Type: 'CreateEndpoint', Status: 'Succeeded', Message: null });

    const list = await client.sub('GET', '/endpoints');
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ EndpointID: id, Status: { LifetimeStatus: 'Normal', Enabled: true } });

    const steps: Array<[string, string, unknown, string]> = [
      ['PUT', `/endpoints/${id}`, { EndpointSettings: { Host: 'origin-host.example.com' }, UpdateFlag: 'HostHeader' }, 'UpdateEndpoint'],
      ['PUT', `/endpoints/${id}/cacherules`, { Rules: [{ Type: 'Suffix', Items: ['.css'], TTL: '600' }] }, 'UpdateCacheRules'],
      ['PUT', `/endpoints/${id}/accesscontrol`, { ForbiddenIps: ['203.0.113.0/24'] }, 'UpdateAccessControl'],
      ['POST', `/endpoints/${id}/purges`, { Files: ['http://e2e.example.com/a.css'], Directories: ['http://e2e.example.com/img/'] }, 'Purge'],
      ['POST', `/endpoints/${id}/preloads`, { Files: ['http://e2e.example.com/b.css'] }, 'Preload'],
      ['POST', `/endpoints/${id}/disable`, undefined, 'DisableEndpoint'],
      ['POST', `/endpoints/${id}/enable`, undefined, 'EnableEndpoint'],
    ];
    for (const [method, path, body, type] of steps) {
      const accepted = await client.sub(method, path, body);
      expect(accepted.status, `${method} ${path}`).toBe(202);
      expect(accepted.body).toMatchObject({ Succeeded: true, IsAsync: true, AsyncInfo: { TaskStatus: 'Processing' } });
      expect(await client.waitForOperation(id, accepted.body.AsyncInfo.TaskTrackId)).toMatchObject({ Type: type, Status: 'Succeeded' });
    }
    expect((await client.sub('GET', `/endpoints/${id}`)).body.Setting.Host).toBe('origin-host.example.com');
    expect((await client.sub('GET', `/endpoints/${id}/cacherules`)).body.Rules).toEqual([{ Type: 'Suffix', Items: ['.css'], TTL: 600 }]);
    expect((await client.sub('GET', `/endpoints/${id}/accesscontrol`)).body.ForbiddenIps).toEqual(['203.0.113.0/24']);

    const deleted = await client.sub('DELETE', `/endpoints/${id}`);
    expect(await client.waitForOperation(id, deleted.body.AsyncInfo.TaskTrackId)).toMatchObject({ Type: 'DeleteEndpoint', Status: 'Succeeded' });
    expect((await client.sub('GET', `/endpoints/${id}`)).status).toBe(404);
  });

  it('answers errors in the contract shape with a correlation id that is in the log line', async () => {
    const wrongKey = new SignedClient(server.url, { ...server.credentials, keyValue: 'x'.repeat(43) });
    const response = await wrongKey.sub('GET', '/endpoints');
    await wrongKey.close();
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ Succeeded: false, ErrorInfo: { Type: 'WrongSignature', Message: expect.any(String) } });
    const correlationId = String(response.headers['x-correlation-id']);
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    // The log is written asynchronously: poll for the line.
    const line = await vi.waitFor(() => {
      const found = server.output().split('\n').find((l) => l.includes(correlationId));
      expect(found).toBeDefined();
      return found!;
    });
    expect(JSON.parse(line)).toMatchObject({ correlationId, status: 401, errorType: 'WrongSignature', msg: 'request' });
  });

  it('never writes the key value to its output', () => {
    expect(server.output()).not.toContain(server.credentials.keyValue);
  });
});
