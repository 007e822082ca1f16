/**
 * CONTRACT §1 and §3 as a client meets them: correlation ids, apiVersion, repeated query
 * names, case-insensitive input and PascalCase output, identifiers in any case, malformed
 * input, unknown routes and methods.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type Response } from '../support/api-harness.js';
import { expectError, sendRaw, UUID } from './route-test-kit.js';

let harness: Harness;
// One harness for the file; each test starts on an empty store with its own subscription and key.
beforeAll(async () => {
  harness = await startHarness();
});
beforeEach(() => harness.reset());
afterAll(() => harness.close());

const newEndpointBody = (domain = 'basics.example.com') => ({ CustomDomain: domain, Origin: { Addresses: ['origin.example.com'] } });

/** Every property name in a JSON value, at any depth. */
function propertyNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(propertyNames);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, child]) => [name, ...propertyNames(child)]);
}

describe('X-Correlation-Id', () => {
  it('is a new UUID on every response: success, async, errors, 404, 405, 413 and the OpenAPI document', async () => {
    const endpointId = await harness.createEndpoint();
    const responses: Response[] = [
      await harness.sub('GET', '/endpoints'),
      await harness.sub('GET', '/endpoints'),
      await harness.sub('POST', `/endpoints/${endpointId}/disable`),
      await sendRaw(harness, 'GET', `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`, {}),
      await harness.sub('GET', '/endpoints', { apiVersion: false }),
      await harness.sub('GET', '/nothing-here'),
      await harness.sub('PATCH', '/endpoints'),
      await harness.sub('POST', '/endpoints', { rawBody: JSON.stringify({ CustomDomain: 'x'.repeat(1024 * 1024) }) }),
      await harness.sub('POST', '/endpoints', { rawBody: '{' }),
      await harness.request('GET', '/openapi.json', { unsigned: true, apiVersion: false }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 202, 401, 400, 404, 405, 413, 400, 200]);
    const ids = responses.map((r) => r.headers['x-correlation-id']);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('apiVersion', () => {
  it('is required: ParameterMissing naming it and the version', async () => {
    expectError(await harness.sub('GET', '/endpoints', { apiVersion: false }), 400, 'ParameterMissing', /apiVersion/, /1\.0/);
  });

  it.each(['2.0', '1', '1.00', ''])('refuses apiVersion=%j with ParameterInvalid', async (value) => {
    const response = await harness.sub('GET', `/endpoints?apiVersion=${value}`, { apiVersion: false });
    expectError(response, 400, 'ParameterInvalid', /apiVersion/, `"${value}"`, /only version is 1\.0/);
  });

  it.each(['apiversion', 'APIVERSION', 'ApiVersion'])('is looked up case-insensitively: %s=1.0 works', async (name) => {
    expect((await harness.sub('GET', `/endpoints?${name}=1.0`, { apiVersion: false })).status).toBe(200);
  });

  it('is looked up case-insensitively beside other query parameters', async () => {
    const query = 'apiversion=1.0&granularity=PerDay&startTime=2026-11-21T00:00:00Z&endTime=2026-11-22T00:00:00Z';
    const response = await harness.sub('GET', `/volume?${query}`, { apiVersion: false });
    expect(response.status).toBe(200);
    expect(response.body).toHaveProperty('TotalCdnVolumeInMB');
  });
});

describe('a query name given twice', () => {
  it.each([
    ['apiVersion', 'apiVersion=1.0&apiVersion=1.0'],
    ['apiVersion', 'apiVersion=1.0&APIVERSION=2.0'],
    ['note', 'apiVersion=1.0&note=a&note=b'],
  ])('is ParameterInvalid naming %s (%s)', async (name, query) => {
    const response = await harness.sub('GET', `/endpoints?${query}`, { apiVersion: false });
    expectError(response, 400, 'ParameterInvalid', new RegExp(`${name} is given more than once`, 'i'));
  });
});

describe('property names', () => {
  it('are matched case-insensitively on input, at any depth', async () => {
    const body = { customdomain: 'lower.example.com', ORIGIN: { addresses: ['origin.example.com'] }, servicetype: 'Download', host: 'h.example.com' };
    const created = await harness.sub('POST', '/endpoints', { body });
    expect(created.status).toBe(202);
    expect(created.body.Setting).toEqual({
      CustomDomain: 'lower.example.com',
      Host: 'h.example.com',
      ICP: '',
      Origin: { Addresses: ['origin.example.com'] },
      ServiceType: 'Download',
      AllowedScheme: 'Http',
      CName: 'lower.example.com.mooncdn.localhost',
    });
  });

  it('refuses two properties that differ only in case', async () => {
    const rawBody = '{"CustomDomain":"a.example.com","customdomain":"b.example.com","Origin":{"Addresses":["o.example.com"]}}';
    expectError(await harness.sub('POST', '/endpoints', { rawBody }), 400, 'ParameterInvalid', /CustomDomain/, /twice/);
  });

  it('are always written PascalCase', async () => {
    const endpointId = await harness.createEndpoint();
    const accepted = await harness.sub('PUT', `/endpoints/${endpointId}/cacherules`, { body: { rules: [{ type: 'Suffix', items: ['.js'], ttl: 60 }] } });
    expect(accepted.status).toBe(202);
    const operationId = accepted.body.AsyncInfo.TaskTrackId as string;
    const bodies = [
      (await harness.sub('POST', '/endpoints', { body: { customdomain: 'p.example.com', origin: { addresses: ['o.example.com'] } } })).body,
      (await harness.sub('GET', '/endpoints')).body,
      (await harness.sub('GET', `/endpoints/${endpointId}`)).body,
      accepted.body,
      (await harness.sub('GET', `/endpoints/${endpointId}/operations/${operationId}`)).body,
      (await harness.sub('GET', `/endpoints/${endpointId}/cacherules`)).body,
      (await harness.sub('GET', `/endpoints/${endpointId}/accesscontrol`)).body,
      (await harness.sub('GET', '/endpoints', { apiVersion: false })).body,
    ];
    const names = bodies.flatMap(propertyNames);
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((name) => !/^[A-Z]/.test(name))).toEqual([]);
  });
});

describe('identifiers', () => {
  it('are accepted in upper case and written in lower case', async () => {
    const endpointId = await harness.createEndpoint();
    const accepted = await harness.sub('POST', `/endpoints/${endpointId.toUpperCase()}/disable`);
    expect(accepted.status).toBe(202);
    const operationId = accepted.body.AsyncInfo.TaskTrackId as string;
    expect(operationId).toMatch(UUID);

    const endpoint = await harness.request('GET', `/subscriptions/${harness.subscriptionId.toUpperCase()}/endpoints/${endpointId.toUpperCase()}`);
    expect(endpoint.status).toBe(200);
    expect(endpoint.body.EndpointID).toBe(endpointId);

    const operation = await harness.sub('GET', `/endpoints/${endpointId.toUpperCase()}/operations/${operationId.toUpperCase()}`);
    expect(operation.status).toBe(200);
    expect(operation.body).toMatchObject({ Id: operationId, EndpointId: endpointId, SubscriptionId: harness.subscriptionId });
  });

  it.each([
    ['endpointId', () => `/endpoints/not-a-uuid`, 'GET'],
    ['endpointId', (e: string) => `/endpoints/${e}0`, 'DELETE'],
    ['endpointId', (e: string) => `/endpoints/${e.replace(/-/g, '')}/cacherules`, 'GET'],
    ['operationId', (e: string) => `/endpoints/${e}/operations/12345`, 'GET'],
  ])('a malformed %s is ParameterInvalid 400 naming it', async (name, path, method) => {
    const endpointId = await harness.createEndpoint();
    const response = await harness.sub(method, path(endpointId));
    expectError(response, 400, 'ParameterInvalid', new RegExp(`\\b${name}\\b`), /UUID/);
  });
});

describe('malformed bodies', () => {
  it('a JSON syntax error is ParameterInvalid saying where, whatever the Content-Type', async () => {
    const rawBody = '{"CustomDomain": "a.example.com", }';
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const response = await harness.sub('POST', '/endpoints', { rawBody, headers: { 'content-type': contentType } });
      expectError(response, 400, 'ParameterInvalid', /not valid JSON/, /position 34/);
      expect(response.body.ErrorInfo.Message).not.toMatch(/content-type/i);
    }
    expect((await harness.sub('GET', '/endpoints')).body).toEqual([]);
  });

  it('a JSON body is read whatever the Content-Type says', async () => {
    const rawBody = JSON.stringify(newEndpointBody());
    expect((await harness.sub('POST', '/endpoints', { rawBody, headers: { 'content-type': 'text/plain' } })).status).toBe(202);
  });

  it.each([
    ['__proto__', '{"__proto__": {"polluted": true}, "CustomDomain": "a.example.com", "Origin": {"Addresses": ["o.example.com"]}}'],
    ['constructor', '{"constructor": {"prototype": {"polluted": true}}, "CustomDomain": "a.example.com", "Origin": {"Addresses": ["o.example.com"]}}'],
  ])('a body with the prototype-poisoning key %s is ParameterInvalid naming it', async (name, rawBody) => {
    const response = await harness.sub('POST', '/endpoints', { rawBody });
    expectError(response, 400, 'ParameterInvalid', name);
    expect(response.body.ErrorInfo.Message).not.toMatch(/not valid JSON/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a body over 1 MiB is 413 with type ParameterInvalid, and nothing is created', async () => {
    const body = { CustomDomain: 'big.example.com', Origin: { Addresses: ['origin.example.com'] }, ICP: 'x'.repeat(1024 * 1024) };
    const response = await harness.sub('POST', '/endpoints', { body });
    expectError(response, 413, 'ParameterInvalid', /1048576 bytes/);
    expect((await harness.sub('GET', '/endpoints')).body).toEqual([]);
  });

  it('an unsigned body over the limit is refused by authentication, before it is read', async () => {
    const response = await sendRaw(harness, 'POST', `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`, {}, { ICP: 'x'.repeat(2 * 1024 * 1024) });
    expectError(response, 401, 'MissingAuthorizationHeader');
  });
});

describe('unknown routes and methods', () => {
  it.each(['/nothing-here', '/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/nothing'])('an unknown route %s is 404 ParameterInvalid', async (path) => {
    const response = await harness.sub('GET', path);
    expectError(response, 404, 'ParameterInvalid', /No route GET/, path, /openapi\.json/);
  });

  it('an unknown route outside /subscriptions is 404 too', async () => {
    expectError(await harness.request('GET', '/nothing-here', { unsigned: true, apiVersion: false }), 404, 'ParameterInvalid');
  });

  it('a wrong method on a known path is 405 with Allow', async () => {
    const list = await harness.sub('DELETE', '/endpoints');
    expectError(list, 405, 'ParameterInvalid', /DELETE is not allowed/, /GET or POST/);
    expect(list.headers.allow).toBe('GET, POST');

    const one = await harness.sub('PATCH', '/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0');
    expectError(one, 405, 'ParameterInvalid', /PATCH is not allowed/);
    expect(String(one.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'PUT']);
  });
});
