/**
 * Operation-Location (CONTRACT §4, extension) is built from --public-url, or else from the URL
 * the API listens on; never from the request's Host header, which the client chooses
 * (issue 9, item 14).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/signing/index.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { sendBytes } from '../support/raw-http.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const body = { CustomDomain: 'loc.example.com', Origin: { Addresses: ['origin.example.com'] } };
const OPERATION_PATH = /^\/subscriptions\/[0-9a-f-]{36}\/endpoints\/[0-9a-f-]{36}\/operations\/[0-9a-f-]{36}\?apiVersion=1\.0$/;

describe('Operation-Location', () => {
  it('is under --public-url, path included, whatever Host the request names', async () => {
    harness = await startHarness({ settings: { publicUrl: 'https://cdn-api.example.com/mooncdn' } });
    const created = await harness.sub('POST', '/endpoints', { body, headers: { host: 'evil.example.com' } });
    await harness.waitForOperation(String(created.headers['operation-location']).split('/operations/')[1]!.split('?')[0]!);
    const disabled = await harness.sub('POST', `/endpoints/${created.body.EndpointID}/disable`, { headers: { host: 'evil.example.com' } });
    expect([created.status, disabled.status]).toEqual([202, 202]);
    for (const response of [created, disabled]) {
      const location = String(response.headers['operation-location']);
      expect(location.startsWith('https://cdn-api.example.com/mooncdn/subscriptions/')).toBe(true);
      expect(location.slice('https://cdn-api.example.com/mooncdn'.length)).toMatch(OPERATION_PATH);
    }
  });

  it('without --public-url, is the URL the API listens on, not the Host header', async () => {
    harness = await startHarness();
    await harness.plane.api.listen({ host: '127.0.0.1', port: 0 });
    const { port } = harness.plane.api.server.address() as AddressInfo;
    const path = `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`;
    const headers = signRequest('POST', path, harness.key, new Date(harness.clock.now()));
    const payload = JSON.stringify(body);
    const response = await sendBytes(
      port,
      `POST ${path} HTTP/1.1\r\nHost: evil.example.com\r\nAuthorization: ${headers.authorization}\r\n` +
        `x-azurecdn-request-date: ${headers['x-azurecdn-request-date']}\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n${payload}`,
    );
    expect(response.status).toBe(202);
    const location = response.headers['operation-location']!;
    expect(location.startsWith(`http://127.0.0.1:${port}/subscriptions/`)).toBe(true);
    expect(location.slice(`http://127.0.0.1:${port}`.length)).toMatch(OPERATION_PATH);
  });
});
