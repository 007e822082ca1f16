/**
 * Webhooks (extension): registration routes, and deliveries of ended operations to a real
 * receiver, signed, retried until it accepts one. The harness clock is moved past each backoff.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/signing/index.js';
import { parseDenyList } from '../../src/edge/policy/origin-address.js';
import { DEFAULT_SETTINGS, startHarness, type Harness } from '../support/api-harness.js';
import { expectError } from './route-test-kit.js';

let harness: Harness;
let receiver: Server;
let receiverUrl: string;
/** What the receiver got, and how it answers the n-th request (1-based). */
let received: Array<{ headers: Record<string, unknown>; body: string }>;
let answerStatus: (n: number) => number;

const SECRET = 'whsec-0123456789abcdef';

beforeAll(async () => {
  harness = await startHarness();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answerStatus(received.length), { 'content-type': 'text/plain' });
      res.end(received.length < 3 ? 'not yet' : 'ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/cdn`;
});
afterAll(async () => {
  await harness.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  await harness.reset();
  received = [];
  answerStatus = () => 200;
});

async function until(condition: () => boolean | Promise<boolean>, what: string, step?: () => void): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    step?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('registration', () => {
  it('PUT registers, GET and the list show it without its secret, DELETE removes it', async () => {
    const put = await harness.sub('PUT', '/webhooks/ops', { body: { Url: receiverUrl, Secret: SECRET } });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({ Name: 'ops', Url: receiverUrl, CreatedAt: expect.any(String) });
    expect((await harness.sub('GET', '/webhooks/ops')).body).toEqual(put.body);
    expect((await harness.sub('GET', '/webhooks')).body).toEqual([put.body]);
    expect(JSON.stringify((await harness.sub('GET', '/webhooks')).body)).not.toContain(SECRET);
    expect((await harness.sub('DELETE', '/webhooks/ops')).status).toBe(200);
    expectError(await harness.sub('GET', '/webhooks/ops'), 404, 'ParameterInvalid', /Webhook "ops" does not exist/);
  });

  it.each([
    [{ Url: 'ftp://x.example.com/', Secret: SECRET }, /http or https/],
    [{ Url: 'not a url', Secret: SECRET }, /absolute URL/],
    [{ Url: 'https://user:pw@x.example.com/', Secret: SECRET }, /user information/],
    [{ Url: 'https://x.example.com/', Secret: 'short' }, /Secret must be 16/],
  ])('refuses %j with ParameterInvalid saying what to fix', async (body, message) => {
    expectError(await harness.sub('PUT', '/webhooks/ops', { body }), 400, 'ParameterInvalid', message);
  });

  it('refuses a bad name', async () => {
    expectError(await harness.sub('PUT', '/webhooks/-bad', { body: { Url: receiverUrl, Secret: SECRET } }), 400, 'ParameterInvalid', /Webhook name/);
  });
});

describe('deliveries', () => {
  it('a receiver that fails twice then succeeds gets the ended Operation, signed, and exactly one accepted delivery', async () => {
    answerStatus = (n) => (n <= 2 ? 500 : 204);
    await harness.sub('PUT', '/webhooks/ops', { body: { Url: receiverUrl, Secret: SECRET } });
    const endpointId = await harness.createEndpoint();
    const create = (await harness.sub('GET', `/endpoints/${endpointId}/operations`)).body.Operations[0];

    // Each failed attempt is retried after a backoff of the harness clock: move it on and wake the deliverer.
    await until(() => received.length >= 3, 'the receiver accepts a delivery', () => {
      harness.clock.advance(2_500);
      harness.plane.webhooks.notify();
    });
    const log = async () => (await harness.sub('GET', '/webhooks/ops/deliveries')).body.Deliveries;
    await until(async () => (await log())[0]?.Status === 'Delivered', 'the log shows it delivered');
    const [delivery] = await log();
    expect(delivery).toMatchObject({ OperationId: create.Id, Status: 'Delivered', Attempts: 3, LastStatusCode: 204, LastError: null, NextAttemptAt: null });
    // Nothing more after the accepted one.
    harness.clock.advance(60 * 60_000);
    harness.plane.webhooks.notify();
    expect(received).toHaveLength(3);

    for (const request of received) {
      expect(JSON.parse(request.body)).toEqual({ ...create, Status: 'Succeeded' });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['mooncdn-signature']))!;
      expect(v1).toBe(createHmac('sha256', SECRET).update(`${t}.${request.body}`).digest('hex'));
      expect(verifyWebhookSignature(SECRET, String(request.headers['mooncdn-signature']), request.body, { nowMs: Number(t) * 1000 })).toBe(true);
      expect(verifyWebhookSignature('another-secret-0123', String(request.headers['mooncdn-signature']), request.body, { nowMs: Number(t) * 1000 })).toBe(false);
      expect(request.headers['content-type']).toBe('application/json');
    }
  });

  it('gives a delivery up as Failed once it has been retried for a day, saying why', async () => {
    answerStatus = () => 503;
    await harness.sub('PUT', '/webhooks/ops', { body: { Url: receiverUrl, Secret: SECRET } });
    await harness.createEndpoint();
    const log = async () => (await harness.sub('GET', '/webhooks/ops/deliveries')).body.Deliveries;
    await until(async () => (await log())[0]?.Status === 'Failed', 'the delivery fails for good', () => {
      harness.clock.advance(60 * 60_000);
      harness.plane.webhooks.notify();
    });
    const [delivery] = await log();
    expect(delivery.LastStatusCode).toBe(503);
    expect(delivery.LastError).toMatch(/receiver answered 503/);
    expect(delivery.Attempts).toBeGreaterThan(3);
  });
});

describe('the origin address policy', () => {
  it('a webhook whose URL is in a denied range is never reached', async () => {
    const denied = parseDenyList('private');
    if (!('ranges' in denied)) throw new Error(denied.problem);
    const guarded = await startHarness({ settings: { edge: { ...DEFAULT_SETTINGS.edge, originDeny: denied.ranges } } });
    try {
      await guarded.sub('PUT', '/webhooks/inside', { body: { Url: receiverUrl, Secret: SECRET } });
      await guarded.createEndpoint();
      const log = async () => (await guarded.sub('GET', '/webhooks/inside/deliveries')).body.Deliveries;
      await until(async () => (await log())[0]?.Attempts >= 1, 'an attempt is made');
      const [delivery] = await log();
      expect(delivery.Status).toBe('Pending');
      expect(delivery.LastStatusCode).toBeNull();
      expect(delivery.LastError).toMatch(/could not be reached: 127\.0\.0\.1:\d+ is denied by the origin policy/);
      expect(received).toEqual([]);
    } finally {
      await guarded.close();
    }
  });
});
