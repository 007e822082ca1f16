/**
 * What every response promises beyond its status: the request's log line carries the
 * correlation id the client saw (and no secret), the OpenAPI document describes every route,
 * and no body ever holds a stack trace (CONTRACT §1, §3; STYLE "Ours" 5).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newKeyValue } from '../../src/domain/api-key.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createControlPlane } from '../../src/server/control-plane.js';
import { signRequest } from '../../src/signing/index.js';
import { DEFAULT_SETTINGS, startHarness, type Harness, type Response } from '../support/api-harness.js';
import { TestClock } from '../support/clock.js';
import { openTestStore, TEST_STORE_KIND } from '../support/stores.js';
import { expectError, UUID } from './route-test-kit.js';

let harness: Harness;
// One harness for the file; each test starts on an empty store with its own subscription and key.
beforeAll(async () => {
  harness = await startHarness();
});
beforeEach(() => harness.reset());
afterAll(() => harness.close());

/** What a stack trace or source location in a body would look like. */
const STACK = /\n\s+at |\bat [\w$.<>]+ \(|\.(?:ts|js|mjs):\d+|node_modules|node:internal/;

describe('the log line of a request', () => {
  it('carries the correlation id sent to the client, and neither the key value nor the signature', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) });
    const { store, cleanup } = await openTestStore(TEST_STORE_KIND);
    const clock = new TestClock();
    const plane = await createControlPlane(store, DEFAULT_SETTINGS, clock, pino({ level: 'info' }, sink), new Metrics());
    try {
      const subscriptionId = randomUUID();
      const key = { keyId: randomUUID(), keyValue: newKeyValue() };
      await store.subscriptions.insert({ id: subscriptionId, name: 'log', createdAt: clock.now() });
      await store.apiKeys.insert({
        id: key.keyId, subscriptionId, value: key.keyValue, scope: 'full', expiresAt: null, ratePerMinute: null, revokedAt: null, createdAt: clock.now(),
      });
      const url = `/subscriptions/${subscriptionId}/endpoints?apiVersion=1.0`;
      const good = signRequest('GET', url, key, new Date(clock.now()));
      const bad = { ...good, authorization: good.authorization.replace(/.$/, (c) => (c === '0' ? '1' : '0')) };
      const responses = [
        await plane.api.inject({ method: 'GET', url, headers: { ...good } }),
        await plane.api.inject({ method: 'GET', url, headers: { ...bad } }),
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([200, 401]);

      const requestLines = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
      for (const response of responses) {
        const id = response.headers['x-correlation-id'];
        expect(requestLines.filter((line) => line.correlationId === id)).toHaveLength(1);
      }
      expect(requestLines.find((line) => line.correlationId === responses[1]!.headers['x-correlation-id'])).toMatchObject({ status: 401, errorType: 'WrongSignature' });
      const all = lines.join('');
      expect(all).not.toContain(key.keyValue);
      expect(all).not.toContain(good.authorization.split(':')[1]!);

      // Health checks, scrapes and operation polls are logged at debug, unless they fail.
      const createUrl = `/subscriptions/${subscriptionId}/endpoints?apiVersion=1.0`;
      const created = await plane.api.inject({
        method: 'POST', url: createUrl, headers: { ...signRequest('POST', createUrl, key, new Date(clock.now())), 'content-type': 'application/json' },
        payload: JSON.stringify({ CustomDomain: 'log.example.com', Origin: { Addresses: ['o.example.com'] } }),
      });
      const operationPath = new URL(String(created.headers['operation-location'])).pathname;
      const before = lines.length;
      const get = (url: string) => plane.api.inject({ method: 'GET', url, headers: { ...signRequest('GET', url, key, new Date(clock.now())) } });
      for (const path of ['/healthz', '/metrics']) expect((await plane.api.inject({ method: 'GET', url: path })).statusCode).toBe(200);
      expect((await get(`${operationPath}?apiVersion=1.0`)).statusCode).toBe(200);
      const missing = operationPath.replace(/[0-9a-f-]{36}$/, randomUUID());
      expect((await get(`${missing}?apiVersion=1.0`)).statusCode).toBe(404);
      const logged = lines.slice(before).map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
      expect(logged.map((line) => [line.path, line.status])).toEqual([[missing, 404]]);
    } finally {
      await plane.api.close();
      await plane.engine.stop(1_000);
      await cleanup();
    }
  });
});

describe('/openapi.json', () => {
  const ROUTES = [
    'get /endpoints', 'post /endpoints', 'get /endpoints/{endpointId}', 'put /endpoints/{endpointId}',
    'delete /endpoints/{endpointId}', 'post /endpoints/{endpointId}/enable', 'post /endpoints/{endpointId}/disable',
    'get /endpoints/{endpointId}/cacherules', 'put /endpoints/{endpointId}/cacherules',
    'get /endpoints/{endpointId}/accesscontrol', 'put /endpoints/{endpointId}/accesscontrol',
    'post /endpoints/{endpointId}/purges', 'get /endpoints/{endpointId}/purges/{purgeId}',
    'post /endpoints/{endpointId}/preloads', 'get /endpoints/{endpointId}/preloads/{preloadId}',
    'get /endpoints/{endpointId}/operations/{operationId}', 'get /endpoints/{endpointId}/volume', 'get /volume',
    'get /endpoints/{endpointId}/bandwidth', 'post /https/certificates', 'post /https/bindings',
  ];
  const NO_BODY = new Set(['post /endpoints/{endpointId}/enable', 'post /endpoints/{endpointId}/disable']);

  it('answers unsigned, lists every route of CONTRACT §5, and gives every route its schemas', async () => {
    const response = await harness.request('GET', '/openapi.json', { unsigned: true, apiVersion: false });
    expect(response.status).toBe(200);
    const paths = response.body.paths as Record<string, Record<string, any>>;

    const documented = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path.replace('/subscriptions/{subscriptionId}', '')}`),
    );
    expect(documented).toEqual(expect.arrayContaining(ROUTES));

    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string; required?: boolean; schema?: unknown }>;
        // The operator's fleet route is no part of the tenant API and takes no apiVersion.
        if (path !== '/edges') expect(parameters.find((p) => p.in === 'query' && p.name === 'apiVersion'), where).toMatchObject({ required: true });
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          expect(parameters.find((p) => p.in === 'path' && p.name === name)?.schema, `${where} path ${name}`).toBeDefined();
        }
        const success = Object.entries(operation.responses ?? {}).find(([code]) => /^2\d\d$/.test(code));
        const content = (success?.[1] as any)?.content;
        expect((path.endsWith('/events') ? content?.['text/event-stream'] : content?.['application/json'])?.schema, `${where} success`).toBeDefined();
        expect(operation.responses?.default?.content?.['application/json']?.schema?.properties, `${where} error`).toHaveProperty('ErrorInfo');
        const key = `${method} ${path.replace('/subscriptions/{subscriptionId}', '')}`;
        if (method === 'post' || method === 'put' || method === 'delete') {
          expect(parameters.find((p) => p.in === 'header' && p.name === 'Idempotency-Key'), `${where} Idempotency-Key`).toMatchObject({ required: false });
        }
        if ((method === 'post' || method === 'put') && !NO_BODY.has(key)) {
          expect(operation.requestBody?.content?.['application/json']?.schema, `${where} body`).toBeDefined();
        }
      }
    }
  });
});

describe('no stack traces', () => {
  it('no error body contains a stack trace or a source location', async () => {
    const endpointId = await harness.createEndpoint();
    const base = `/subscriptions/${harness.subscriptionId}`;
    const responses: Response[] = [
      await harness.request('GET', `${base}/%E0%A4%A/endpoints`),
      await harness.sub('POST', '/endpoints', { rawBody: '{"__proto__": {"polluted": true}, "CustomDomain": "a.example.com"}' }),
      await harness.sub('POST', '/endpoints', { rawBody: '{"constructor": {"prototype": {"polluted": true}}}' }),
      await harness.sub('POST', '/endpoints', { rawBody: '[]' }),
      await harness.sub('POST', '/endpoints', { rawBody: '"just a string"' }),
      await harness.sub('POST', '/endpoints', { rawBody: 'null' }),
      await harness.sub('POST', '/endpoints', { rawBody: '[' .repeat(5000) + ']'.repeat(5000) }),
      await harness.sub('POST', '/endpoints', { body: { CustomDomain: 42, Origin: 'nope' } }),
      await harness.sub('POST', `/endpoints/${endpointId}/purges`, { body: { Files: ['http://evil.example.com/../../etc/passwd'] } }),
      await harness.sub('PUT', `/endpoints/${endpointId}/cacherules`, { body: { Rules: [{ Type: 'Suffix', Items: ['.js'], TTL: -1 }] } }),
      await harness.sub('POST', '/endpoints', { rawBody: '\uFEFF{', headers: { 'content-type': 'text/plain' } }),
      await harness.sub('GET', '/volume?granularity=PerYear&startTime=yesterday&endTime=today'),
      await harness.sub('GET', `/endpoints/${endpointId}/operations/46fecf3c-e874-49aa-891d-0d4dc93213e0`),
    ];
    for (const response of responses) {
      expect(response.status, response.text).toBeGreaterThanOrEqual(400);
      expect(response.status, response.text).toBeLessThan(500);
      expect(response.body?.Succeeded, response.text).toBe(false);
      expect(response.text).not.toMatch(STACK);
    }
  });

  it('an unexpected failure is InternalError 500 quoting the correlation id, and nothing more', async () => {
    const broken = await startHarness();
    try {
      await broken.store.close();
      const response = await broken.sub('GET', '/endpoints');
      expectError(response, 500, 'InternalError', String(response.headers['x-correlation-id']));
      expect(response.headers['x-correlation-id']).toMatch(UUID);
      expect(response.text).not.toMatch(STACK);
      expect(response.text).not.toMatch(/sqlite|kysely|destroy|SELECT/i);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});
