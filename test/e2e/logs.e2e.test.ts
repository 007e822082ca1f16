/** The log of `mooncdn serve`: JSON lines for collectors, pretty lines for a person, as asked. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

let where: TestStoreLocation | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  await where?.cleanup();
});

async function requestLog(logFormat: string): Promise<string[]> {
  where = await newStoreLocation('sqlite');
  server = await startServer({ store: where.location, args: ['--log-format', logFormat] });
  const client = new SignedClient(server.url, server.credentials);
  expect((await client.sub('GET', '/endpoints')).status).toBe(200);
  await client.close();
  const lines = () => server!.output().split('\n').filter((line) => line.includes('request') && line.includes('/endpoints'));
  await vi.waitFor(() => expect(lines()).toHaveLength(1));
  return lines();
}

describe('--log-format', () => {
  it('json writes one JSON object a line', async () => {
    const [line] = await requestLog('json');
    expect(JSON.parse(line!)).toMatchObject({ level: 30, msg: 'request', method: 'GET', status: 200 });
  });

  it('pretty writes lines a person reads: time, level, message, then the fields', async () => {
    const [line] = await requestLog('pretty');
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: request/);
    expect(() => JSON.parse(line!)).toThrow();
  });
});
