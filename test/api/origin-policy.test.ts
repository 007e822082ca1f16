/**
 * With --edge-origin-deny, the API refuses at once an endpoint whose origin is an IP literal in
 * a denied range, on create and on an origin update (issue 9, item 7). Host names are
 * accepted: they are checked where they are resolved, at the edge, on every connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDenyList, type DeniedRange } from '../../src/edge/policy/origin-address.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectError } from './route-test-kit.js';

const PRIVATE = (parseDenyList('private') as { ranges: readonly DeniedRange[] }).ranges;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ settings: { edge: { originTimeoutMs: 1_000, originDeny: PRIVATE } } });
});
afterAll(() => harness.close());

const create = (domain: string, addresses: string[]) => harness.sub('POST', '/endpoints', { body: { CustomDomain: domain, Origin: { Addresses: addresses } } });

describe('an IP-literal origin in a denied range', () => {
  it.each(['169.254.169.254', '10.0.0.5:8080', '[::1]:7070', '[::ffff:127.0.0.1]:80'])('is refused on create: %s', async (address) => {
    const answer = await create('denied.example.com', ['203.0.113.10', address]);
    expectError(answer, 400, 'ParameterInvalid', `Origin.Addresses "${address}"`, /origin policy denies/);
  });

  it('is refused on an origin update, and the endpoint keeps its origin', async () => {
    const id = await harness.createEndpoint('update-denied.example.com', ['203.0.113.10']);
    const answer = await harness.sub('PUT', `/endpoints/${id}`, { body: { EndpointSettings: { Origin: { Addresses: ['192.168.1.1'] } }, UpdateFlag: 'Origin' } });
    expectError(answer, 400, 'ParameterInvalid', 'EndpointSettings.Origin.Addresses "192.168.1.1"', /origin policy denies/);
    const endpoint = await harness.sub('GET', `/endpoints/${id}`);
    expect(endpoint.body.Settings.Origin.Addresses).toEqual(['203.0.113.10']);
  });

  it('leaves public addresses and host names to be accepted (names are checked at connect time)', async () => {
    expect((await create('public.example.com', ['203.0.113.10:8080', '[2001:db8::1]:80'])).status).toBe(202);
    expect((await create('named.example.com', ['localhost:8080'])).status).toBe(202);
  });
});

describe('without a deny list', () => {
  it('accepts origins on 127.0.0.1, for local development', async () => {
    const open = await startHarness();
    try {
      const answer = await open.sub('POST', '/endpoints', { body: { CustomDomain: 'local.example.com', Origin: { Addresses: ['127.0.0.1:8081'] } } });
      expect(answer.status).toBe(202);
    } finally {
      await open.close();
    }
  });
});
