/** What a caller catches: one MooncdnError carrying the contract's Type, the status, Message and correlation id. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MooncdnClient, MooncdnError } from '../../src/client/index.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';
import { clientFor, closedPort, rejection, UUID } from './client-kit.js';

let where: TestStoreLocation;
let server: ServerProcess;
let origin: OriginServer;
let client: MooncdnClient;
let endpointId: string;

beforeAll(async () => {
  origin = await OriginServer.start();
  where = await newStoreLocation('sqlite');
  server = await startServer({ store: where.location });
  client = clientFor(server);
  const created = await client.createEndpoint({ CustomDomain: 'errors.example.com', Origin: { Addresses: [origin.address] } });
  endpointId = created.body.EndpointID;
  await client.waitForOperation(endpointId, created.operationId, { pollMs: 50 });
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  await origin?.close();
  await where?.cleanup();
});

/** The JSON log line the server wrote for a request, found by its correlation id. */
async function logLineOf(correlationId: string): Promise<Record<string, unknown>> {
  for (const deadline = Date.now() + 2_000; ; ) {
    const line = server.output().split('\n').find((l) => l.includes(correlationId));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`no log line with ${correlationId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('errors from the server', () => {
  it('a wrong key value: WrongSignature, 401, the server\'s Message and the response\'s correlation id', async () => {
    const wrong = { ...server.credentials, keyValue: 'x'.repeat(43) };
    const wrongClient = new MooncdnClient({ baseUrl: server.url, ...wrong });
    const error = await rejection(wrongClient.listEndpoints()).finally(() => wrongClient.close());

    expect(error).toBeInstanceOf(MooncdnError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MooncdnError');
    expect(error.type).toBe('WrongSignature');
    expect(error.status).toBe(401);
    // The same Message a raw request gets.
    const raw = new SignedClient(server.url, wrong);
    const rawResponse = await raw.sub('GET', '/endpoints').finally(() => raw.close());
    expect(rawResponse.body.ErrorInfo).toEqual({ Type: 'WrongSignature', Message: error.message });
    // The correlation id is the one of this response: the server logged it for this 401.
    expect(error.correlationId).toMatch(UUID);
    expect(await logLineOf(error.correlationId!)).toMatchObject({ correlationId: error.correlationId, status: 401, errorType: 'WrongSignature' });
  });

  it('an unknown key id: ApiKeyNotFound, 401', async () => {
    const stranger = new MooncdnClient({ baseUrl: server.url, ...server.credentials, keyId: randomUUID() });
    const error = await rejection(stranger.listEndpoints()).finally(() => stranger.close());
    expect(error).toMatchObject({ type: 'ApiKeyNotFound', status: 401 });
  });

  it('an unknown endpoint: EndpointNotFound, 404, naming the endpoint', async () => {
    const missing = randomUUID();
    const error = await rejection(client.getEndpoint(missing));
    expect(error).toMatchObject({ type: 'EndpointNotFound', status: 404 });
    expect(error.message).toContain(missing);
    expect(error.correlationId).toMatch(UUID);
    // The same for an asynchronous call on it.
    expect(await rejection(client.purge(missing, { Files: ['http://errors.example.com/a.css'] }))).toMatchObject({ type: 'EndpointNotFound', status: 404 });
  });

  it('bad input: ParameterInvalid, 400, with a message saying what is wrong', async () => {
    const badService = await rejection(
      // A value outside the contract's enum, as a JavaScript caller could send.
      client.createEndpoint({ CustomDomain: 'bad.example.com', Origin: { Addresses: [origin.address] }, ServiceType: 'Teleport' }),
    );
    expect(badService).toMatchObject({ type: 'ParameterInvalid', status: 400 });
    expect(badService.message).toMatch(/ServiceType/);

    const relative = await rejection(client.purge(endpointId, { Files: ['/a.css'] }));
    expect(relative).toMatchObject({ type: 'ParameterInvalid', status: 400 });
    expect(relative.message).toContain('/a.css');

    const badTime = await rejection(client.getEndpointVolume(endpointId, 'PerHour', { startTime: '2026-01-01 00:00:00', endTime: '2026-01-02T00:00:00Z' }));
    expect(badTime).toMatchObject({ type: 'ParameterInvalid', status: 400 });
    expect(badTime.message).toContain('startTime');

    const reversed = await rejection(client.getEndpointBandwidth(endpointId, { startTime: new Date('2026-01-02T00:00:00Z'), endTime: new Date('2026-01-01T00:00:00Z') }));
    expect(reversed).toMatchObject({ type: 'ParameterInvalid', status: 400 });
  });

  it('an unknown operation, purge or certificate id: ParameterInvalid, 404', async () => {
    expect(await rejection(client.getOperation(endpointId, randomUUID()))).toMatchObject({ type: 'ParameterInvalid', status: 404 });
    expect(await rejection(client.getPurge(endpointId, randomUUID()))).toMatchObject({ type: 'ParameterInvalid', status: 404 });
    expect(await rejection(client.getCertificate(randomUUID()))).toMatchObject({ type: 'ParameterInvalid', status: 404 });
  });

  it('a smuggled path: MaliciousItemPathDetected, 400', async () => {
    const error = await rejection(client.preload(endpointId, { Files: ['http://errors.example.com/a/../../etc/passwd'] }));
    expect(error).toMatchObject({ type: 'MaliciousItemPathDetected', status: 400 });
  });
});

describe('errors on this side', () => {
  it('an unreachable base URL: ConnectionError, status 0, naming the URL', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = new MooncdnClient({ baseUrl, ...server.credentials, retry: { retries: 1, baseDelayMs: 10 } });
    const error = await rejection(unreachable.listEndpoints()).finally(() => unreachable.close());
    expect(error).toMatchObject({ type: 'ConnectionError', status: 0, correlationId: undefined });
    expect(error.message).toContain(baseUrl);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a base URL that is not http or https is refused at once', () => {
    expect(() => new MooncdnClient({ baseUrl: 'ftp://127.0.0.1:21', ...server.credentials })).toThrow(MooncdnError);
  });
});
