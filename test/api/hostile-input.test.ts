/**
 * Client mistakes are 400s that say what to fix, never 500s (issue 9, items 4 and 5): any
 * Content-Type, lone UTF-16 surrogates and control characters in strings that reach the store
 * or the edge, and path segments the store cannot look up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalString, formatAuthorizationHeader, formatRequestDate, REQUEST_DATE_HEADER, sign } from '../../src/signing/index.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectError, sendSigned } from './route-test-kit.js';

let harness: Harness;
let endpointId: string;
beforeAll(async () => {
  harness = await startHarness();
  endpointId = await harness.createEndpoint('hostile.example.com');
});
afterAll(() => harness.close());

let domains = 0;
const newEndpointBody = () => ({ CustomDomain: `ct-${++domains}.example.com`, Origin: { Addresses: ['origin.example.com'] } });

/** A signed POST /endpoints with exactly these headers besides the signature (no Content-Type unless given). */
async function createWithHeaders(headers: Record<string, string>) {
  const url = `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`;
  const requestDate = formatRequestDate(new Date(harness.clock.now()));
  const signature = sign(harness.key.keyValue, canonicalString({ method: 'POST', path: url.split('?')[0]!, query: 'apiVersion=1.0', requestDate }));
  const response = await harness.plane.api.inject({
    method: 'POST',
    url,
    headers: { authorization: formatAuthorizationHeader(harness.key.keyId, signature), [REQUEST_DATE_HEADER]: requestDate, ...headers },
    payload: JSON.stringify(newEndpointBody()),
  });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

describe('Content-Type', () => {
  it.each([
    ['missing', {}],
    ['empty', { 'content-type': '' }],
    ['";"', { 'content-type': ';' }],
    ['a list', { 'content-type': 'application/json, text/plain' }],
    ['garbage', { 'content-type': '}{ not a type' }],
    ['a bad parameter', { 'content-type': 'application/json; charset' }],
    ['another type with parameters', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['JSON in UTF-16 (the body is UTF-8 whatever it says)', { 'content-type': 'application/json; charset=utf-16' }],
  ])('%s: the body is read as JSON', async (_, headers) => {
    const response = await createWithHeaders(headers);
    expect(response).toMatchObject({ status: 202, body: { Setting: { CustomDomain: `ct-${domains}.example.com` } } });
  });
});

describe('lone UTF-16 surrogates and control characters', () => {
  it.each([
    ['purges', { Files: ['http://hostile.example.com/a\ud800.jpg'] }, 'Files[0]'],
    ['purges', { Directories: ['http://hostile.example.com/\udc00/'] }, 'Directories[0]'],
    ['preloads', { Files: ['http://hostile.example.com/a.jpg?v=\ud83d'] }, 'Files[0]'],
  ])('in a %s URL: ParameterInvalid naming the field', async (route, body, field) => {
    const response = await harness.sub('POST', `/endpoints/${endpointId}/${route}`, { body });
    expectError(response, 400, 'ParameterInvalid', field, /lone UTF-16 surrogate/);
  });

  it.each([
    ['a Dir item', { Rules: [{ Type: 'Dir', Items: ['/ok/', '/a\ud800/'], TTL: 60 }] }, 'Rules[0].Items[1]'],
    ['a FullUri item', { Rules: [{ Type: 'FullUri', Items: ['/\udfff.html'], TTL: 60 }] }, 'Rules[0].Items[0]'],
  ])('in %s of the cache rules: refused, and the rules stay as they were', async (_, body, field) => {
    const before = (await harness.sub('GET', `/endpoints/${endpointId}/cacherules`)).body;
    const response = await harness.sub('PUT', `/endpoints/${endpointId}/cacherules`, { body });
    expectError(response, 400, 'ParameterInvalid', field, /lone UTF-16 surrogate/);
    expect((await harness.sub('GET', `/endpoints/${endpointId}/cacherules`)).body).toEqual(before);
  });

  it.each([
    ['PathPatterns', { RefererControl: { Enabled: true, RefererControlType: 'AllowList', PathPatterns: ['/img/\ud800*'], Referers: ['*.example.com'] } }],
    ['Referers', { RefererControl: { Enabled: true, RefererControlType: 'AllowList', Referers: ['\udbff.example.com'] } }],
  ])('in RefererControl.%s: refused naming the entry', async (field, body) => {
    const response = await harness.sub('PUT', `/endpoints/${endpointId}/accesscontrol`, { body });
    expectError(response, 400, 'ParameterInvalid', `RefererControl.${field}[0]`, /lone UTF-16 surrogate/);
  });

  it.each([
    ['a lone surrogate', 'ICP \ud800', /lone UTF-16 surrogate/],
    ['NUL', 'ICP\u0000123', /control character/],
    ['a line break', 'ICP\n123', /control character/],
  ])('in ICP (%s): refused, and no endpoint is created', async (_, icp, why) => {
    const body = { ...newEndpointBody(), ICP: icp };
    expectError(await harness.sub('POST', '/endpoints', { body }), 400, 'ParameterInvalid', 'ICP', why);
    const domains = (await harness.sub('GET', '/endpoints')).body.map((e: { Setting: { CustomDomain: string } }) => e.Setting.CustomDomain);
    expect(domains).not.toContain(body.CustomDomain);
  });

  it.each([
    ['a lone surrogate', 'site \ud800', /lone UTF-16 surrogate/],
    ['NUL', 'site\u0000', /control character/],
  ])('in a certificate Name (%s): refused naming it', async (_, name, why) => {
    const body = { Name: name, PublicCertificate: 'not checked yet', PrivateKey: 'not checked yet' };
    expectError(await harness.sub('POST', '/https/certificates', { body }), 400, 'ParameterInvalid', 'Name', why);
  });
});

describe('path segments the store cannot look up', () => {
  it.each(['%00', 'not-a-uuid', '%C3%A9', `${'a'.repeat(90)}`])('a signed request for subscription %s is SubscriptionNotFound', async (id) => {
    const response = await sendSigned(harness, 'GET', `/subscriptions/${id}/endpoints?apiVersion=1.0`);
    expectError(response, 404, 'SubscriptionNotFound');
  });

  it('a path segment over 100 characters is ParameterInvalid saying so', async () => {
    const response = await sendSigned(harness, 'GET', `/subscriptions/${'a'.repeat(101)}/endpoints?apiVersion=1.0`);
    expectError(response, 400, 'ParameterInvalid', /longer than 100 characters/);
    expect(response.headers['x-correlation-id']).toBeDefined();
  });
});
