/**
 * Requests Node's HTTP parser refuses before Fastify sees them (issue 9, item 9) are answered
 * in the contract's error shape with an X-Correlation-Id, then the connection is closed; so are
 * those Node would answer itself (no Host, an unmet Expect). Sent as raw bytes over TCP to the
 * API listening on a free port.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectContractBody, expectContractError, sendBytes } from '../support/raw-http.js';

let harness: Harness;
let port: number;
beforeAll(async () => {
  harness = await startHarness();
  await harness.plane.api.listen({ host: '127.0.0.1', port: 0 });
  port = (harness.plane.api.server.address() as AddressInfo).port;
});
afterAll(() => harness.close());

const target = () => `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`;

describe("Node's HTTP parser errors", () => {
  it('a method that is not HTTP', async () => {
    expectContractError(await sendBytes(port, `G@T ${target()} HTTP/1.1\r\nHost: api\r\n\r\n`), 400, /method/);
  });

  it('lines ending in a bare LF', async () => {
    expectContractError(await sendBytes(port, `GET ${target()} HTTP/1.1\nHost: api\n\n`), 400, /CRLF/);
  });

  it('both Content-Length and Transfer-Encoding', async () => {
    const request = `POST ${target()} HTTP/1.1\r\nHost: api\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`;
    expectContractError(await sendBytes(port, request), 400, /Content-Length.*Transfer-Encoding|Transfer-Encoding.*Content-Length/);
  });

  it('a header value with a NUL', async () => {
    expectContractError(await sendBytes(port, `GET ${target()} HTTP/1.1\r\nHost: api\r\nX-A: a\u0000b\r\n\r\n`), 400, /header/);
  });

  it('headers over the size limit: 431, in the contract shape', async () => {
    const request = `GET ${target()} HTTP/1.1\r\nHost: api\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expectContractError(await sendBytes(port, request), 431, /headers are larger than/);
  });

  it('an HTTP/1.1 request without Host (Node answers it itself unless told not to)', async () => {
    expectContractBody(await sendBytes(port, `GET ${target()} HTTP/1.1\r\nX-Host: api\r\n\r\n`), 400, /no Host header/);
  });

  it('an Expect header other than 100-continue: 417, in the contract shape', async () => {
    const request = `GET ${target()} HTTP/1.1\r\nHost: api\r\nExpect: tea\r\nConnection: close\r\n\r\n`;
    expectContractBody(await sendBytes(port, request), 417, /Expect header "tea"/);
  });

  it('each answer has its own correlation id, and the server keeps serving', async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await sendBytes(port, 'NOT HTTP AT ALL\r\n\r\n')).headers['x-correlation-id']));
    expect(new Set(ids).size).toBe(3);
    const ok = await sendBytes(port, `GET /openapi.json HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n`);
    expect(ok.status).toBe(200);
  });
});
