/** Endpoint routes: shapes, status codes and errors as a client sees them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /endpoints', () => {
  it('answers 202 with the Endpoint, Creating, and the operation URL', async () => {
    const response = await harness.sub('POST', '/endpoints', {
      body: { CustomDomain: 'Www.Example.COM', ICP: '京ICP备000000号', Origin: { Addresses: ['10.0.0.1:8080', 'origin.example.com'] }, ServiceType: 'Download' },
    });
    expect(response.status).toBe(202);
    const settings = {
      CustomDomain: 'www.example.com',
      Host: 'www.example.com',
      ICP: '京ICP备000000号',
      Origin: { Addresses: ['10.0.0.1:8080', 'origin.example.com'] },
      ServiceType: 'Download',
      AllowedScheme: 'Http',
      CName: 'www.example.com.mooncdn.localhost',
    };
    expect(response.body).toEqual({
      EndpointId: expect.stringMatching(UUID),
      EndpointID: response.body.EndpointId,
      Settings: settings,
      Setting: settings,
      Status: {
        Enabled: false,
        IcpVerifyStatus: 'IcpVerifying',
        LifetimeStatus: 'Creating',
        CNameConfigured: true,
        FreeTrialExpired: false,
        TimeLastUpdated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      },
    });
    expect(String(response.headers['operation-location'])).toMatch(
      new RegExp(`/subscriptions/${harness.subscriptionId}/endpoints/${response.body.EndpointID}/operations/[0-9a-f-]{36}\\?apiVersion=1\\.0$`),
    );
  });

  it('defaults Host to the first origin host name and ServiceType to Web', async () => {
    const response = await harness.sub('POST', '/endpoints', { body: { CustomDomain: 'img.example.com', Origin: { Addresses: ['bucket.blob.example.net'] } } });
    expect(response.body.Setting).toMatchObject({ Host: 'bucket.blob.example.net', ServiceType: 'Web', ICP: '' });
  });

  it.each([
    [{ Origin: { Addresses: ['o.example.com'] } }, 400, 'ParameterMissing', 'CustomDomain'],
    [{ CustomDomain: 'a.example.com' }, 400, 'ParameterMissing', 'Origin'],
    [{ CustomDomain: 'a.example.com', Origin: { Addresses: [] } }, 400, 'ParameterMissing', 'Origin.Addresses'],
    [{ CustomDomain: 'not a domain', Origin: { Addresses: ['o.example.com'] } }, 400, 'ParameterInvalid', 'CustomDomain'],
    [{ CustomDomain: '127.0.0.1', Origin: { Addresses: ['o.example.com'] } }, 400, 'ParameterInvalid', 'CustomDomain "127.0.0.1" is an IP address'],
    [{ CustomDomain: 'localhost', Origin: { Addresses: ['o.example.com'] } }, 400, 'ParameterInvalid', 'CustomDomain "localhost" names this machine'],
    [{ CustomDomain: 'a.example.com', Origin: { Addresses: ['http://o.example.com'] } }, 400, 'ParameterInvalid', 'without a scheme'],
    [{ CustomDomain: 'a.example.com', Origin: { Addresses: ['o.example.com:99999'] } }, 400, 'ParameterInvalid', 'port'],
    [{ CustomDomain: 'a.example.com', Origin: { Addresses: [42] } }, 400, 'ParameterInvalid', 'Origin.Addresses[0]'],
    [{ CustomDomain: 'a.example.com', Origin: { Addresses: ['o.example.com'] }, ServiceType: 'Streaming' }, 400, 'ParameterInvalid', 'ServiceType'],
    [[1, 2], 400, 'ParameterInvalid', 'JSON object'],
  ])('refuses %j with %i %s naming %s', async (body, status, type, named) => {
    const before = (await harness.sub('GET', '/endpoints')).body.length;
    const response = await harness.sub('POST', '/endpoints', { body });
    expect(response.status).toBe(status);
    expect(response.body.ErrorInfo.Type).toBe(type);
    expect(response.body.ErrorInfo.Message).toContain(named);
    expect((await harness.sub('GET', '/endpoints')).body.length).toBe(before);
  });

  it('refuses a body that is missing', async () => {
    const response = await harness.sub('POST', '/endpoints');
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo).toMatchObject({ Type: 'ParameterMissing' });
  });

  it('refuses a domain another live endpoint has', async () => {
    await harness.createEndpoint('taken.example.com');
    const response = await harness.sub('POST', '/endpoints', { body: { CustomDomain: 'TAKEN.example.com', Origin: { Addresses: ['o.example.com'] } } });
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo.Message).toContain('already used');
  });
});

describe('GET /endpoints and /endpoints/{id}', () => {
  it('lists the endpoints of the subscription only, oldest first', async () => {
    const other = await harness.createSubscription();
    const otherKey = await harness.createKey({ subscriptionId: other });
    await harness.request('POST', `/subscriptions/${other}/endpoints`, { key: otherKey, body: { CustomDomain: 'other.example.com', Origin: { Addresses: ['o.example.com'] } } });
    harness.clock.advance(1000);
    await harness.createEndpoint('older.example.com');
    harness.clock.advance(1000);
    await harness.createEndpoint('newer.example.com');
    const list = await harness.sub('GET', '/endpoints');
    expect(list.status).toBe(200);
    const domains = list.body.map((e: { Setting: { CustomDomain: string } }) => e.Setting.CustomDomain);
    expect(domains).not.toContain('other.example.com');
    expect(domains).toContain('www.example.com');
    expect(domains.indexOf('older.example.com')).toBeLessThan(domains.indexOf('newer.example.com'));
  });

  it('gets one endpoint by id in any case', async () => {
    const id = await harness.createEndpoint('get.example.com');
    const response = await harness.sub('GET', `/endpoints/${id.toUpperCase()}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ EndpointID: id, Status: { LifetimeStatus: 'Normal' } });
  });

  it('EndpointNotFound for an unknown id, EndpointDoesNotBelongToSubscription for another subscription\'s', async () => {
    const missing = await harness.sub('GET', '/endpoints/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.ErrorInfo.Type).toBe('EndpointNotFound');

    const other = await harness.createSubscription();
    const otherKey = await harness.createKey({ subscriptionId: other });
    const created = await harness.request('POST', `/subscriptions/${other}/endpoints`, {
      key: otherKey,
      body: { CustomDomain: 'theirs.example.com', Origin: { Addresses: ['o.example.com'] } },
    });
    const theirs = await harness.sub('GET', `/endpoints/${created.body.EndpointID}`);
    expect(theirs.status).toBe(403);
    expect(theirs.body.ErrorInfo.Type).toBe('EndpointDoesNotBelongToSubscription');
  });

  it('ParameterInvalid for an id that is not a UUID', async () => {
    const response = await harness.sub('GET', '/endpoints/not-a-uuid');
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo).toMatchObject({ Type: 'ParameterInvalid' });
    expect(response.body.ErrorInfo.Message).toContain('endpointId');
  });
});

describe('PUT /endpoints/{id}', () => {
  it('changes the origin with UpdateFlag Origin and the Host header with HostHeader', async () => {
    const id = await harness.createEndpoint('update.example.com', ['a.example.com']);
    const origin = await harness.sub('PUT', `/endpoints/${id}`, { body: { EndpointSettings: { Origin: { Addresses: ['b.example.com', '[2001:db8::1]:8080'] } }, UpdateFlag: 'Origin' } });
    expect(origin.status).toBe(202);
    expect(origin.body).toEqual({ Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: expect.stringMatching(UUID), TaskStatus: 'Processing' } });
    await harness.waitForOperation(origin.body.AsyncInfo.TaskTrackId);
    const host = await harness.sub('PUT', `/endpoints/${id}`, { body: { endpointsettings: { host: 'h.example.com' }, updateflag: 'HostHeader' } });
    await harness.waitForOperation(host.body.AsyncInfo.TaskTrackId);
    const endpoint = (await harness.sub('GET', `/endpoints/${id}`)).body;
    expect(endpoint.Setting).toMatchObject({ Host: 'h.example.com', Origin: { Addresses: ['b.example.com', '[2001:db8::1]:8080'] } });
  });

  it.each([
    [{ EndpointSettings: {}, UpdateFlag: 'Origin' }, 'ParameterMissing', 'EndpointSettings.Origin'],
    [{ EndpointSettings: { Origin: { Addresses: ['b.example.com'] } }, UpdateFlag: 'HostHeader' }, 'ParameterMissing', 'EndpointSettings.Host'],
    [{ EndpointSettings: { Host: 'x' }, UpdateFlag: 'Everything' }, 'ParameterInvalid', 'UpdateFlag'],
    [{ EndpointSettings: { Host: 'bad host' }, UpdateFlag: 'HostHeader' }, 'ParameterInvalid', 'EndpointSettings.Host'],
  ])('refuses %j', async (body, type, named) => {
    const id = await harness.createEndpoint();
    const response = await harness.sub('PUT', `/endpoints/${id}`, { body });
    expect(response.status).toBe(400);
    expect(response.body.ErrorInfo.Type).toBe(type);
    expect(response.body.ErrorInfo.Message).toContain(named);
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Status.LifetimeStatus).toBe('Normal');
  });
});

describe('cache rules and access control', () => {
  it('GET answers the defaults of a new endpoint', async () => {
    const id = await harness.createEndpoint();
    expect((await harness.sub('GET', `/endpoints/${id}/cacherules`)).body).toEqual({
      Rules: [],
      IgnoreCacheControl: false,
      IgnoreQueryString: false,
      IgnoreCookie: false,
    });
    expect((await harness.sub('GET', `/endpoints/${id}/accesscontrol`)).body).toEqual({
      ForbiddenIps: [],
      RefererControl: { Enabled: false, PathPatterns: [], Referers: [], RefererControlType: 'BlockList' },
    });
  });

  it('PUT is an operation; GET then shows the new policy in the spec\'s shapes', async () => {
    const id = await harness.createEndpoint();
    const rules = await harness.sub('PUT', `/endpoints/${id}/cacherules`, {
      body: { Rules: [{ Type: 'Suffix', Items: ['.jpg', 'png'], TTL: 3600 }, { type: 'Dir', items: ['/static/'], ttl: '0' }], IgnoreCacheControl: true, ignorequerystring: 'TRUE' },
    });
    expect(rules.status).toBe(202);
    expect((await harness.waitForOperation(rules.body.AsyncInfo.TaskTrackId)).type).toBe('UpdateCacheRules');
    expect((await harness.sub('GET', `/endpoints/${id}/cacherules`)).body).toEqual({
      Rules: [
        { Type: 'Suffix', Items: ['.jpg', 'png'], TTL: 3600 },
        { Type: 'Dir', Items: ['/static/'], TTL: 0 },
      ],
      IgnoreCacheControl: true,
      IgnoreQueryString: true,
      IgnoreCookie: false,
    });

    const acl = await harness.sub('PUT', `/endpoints/${id}/accesscontrol`, {
      body: { ForbiddenIps: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'], RefererControl: { Enabled: 'true', PathPatterns: ['/img/*'], Referers: ['*.example.com'], RefererControlType: 'AllowedList' } },
    });
    expect((await harness.waitForOperation(acl.body.AsyncInfo.TaskTrackId)).type).toBe('UpdateAccessControl');
    expect((await harness.sub('GET', `/endpoints/${id}/accesscontrol`)).body).toEqual({
      ForbiddenIps: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
      RefererControl: { Enabled: true, PathPatterns: ['/img/*'], Referers: ['*.example.com'], RefererControlType: 'AllowList' },
    });
  });

  it.each([
    ['cacherules', { Rules: [{ Type: 'Suffix', Items: ['.jpg'], TTL: -1 }] }, 'Rules[0].TTL'],
    ['cacherules', { Rules: [{ Type: 'Regex', Items: ['.jpg'], TTL: 1 }] }, 'Rules[0].Type'],
    ['cacherules', { Rules: [{ Type: 'Dir', Items: ['static'], TTL: 1 }] }, 'Rules[0].Items[0]'],
    ['cacherules', { IgnoreCookie: 'maybe' }, 'IgnoreCookie'],
    ['accesscontrol', { ForbiddenIps: ['300.1.1.1'] }, 'ForbiddenIps[0]'],
    ['accesscontrol', { ForbiddenIps: ['10.0.0.0/33'] }, 'ForbiddenIps[0]'],
    ['accesscontrol', { RefererControl: { Enabled: true, Referers: ['a.com'] } }, 'RefererControlType'],
  ])('PUT %s refuses %j naming %s, and changes nothing', async (resource, body, named) => {
    const id = await harness.createEndpoint();
    const before = (await harness.sub('GET', `/endpoints/${id}/${resource}`)).body;
    const response = await harness.sub('PUT', `/endpoints/${id}/${resource}`, { body });
    expect(response.status).toBe(400);
    expect(['ParameterInvalid', 'ParameterMissing']).toContain(response.body.ErrorInfo.Type);
    expect(response.body.ErrorInfo.Message).toContain(named);
    expect((await harness.sub('GET', `/endpoints/${id}/${resource}`)).body).toEqual(before);
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Status.LifetimeStatus).toBe('Normal');
  });
});
