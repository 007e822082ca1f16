/**
 * CONTRACT §7: what the live service sent, and what clients written against it send. Each test
 * starts from a request such a client makes and asserts the exact JSON types it decodes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { ScriptedEdge } from '../support/scripted-edge.js';
import { expectError, sendSigned } from './route-test-kit.js';

const CERTS = join(import.meta.dirname, '..', 'fixtures', 'certs');

let harness: Harness;
let edge: ScriptedEdge;
beforeAll(async () => {
  edge = new ScriptedEdge();
  harness = await startHarness({ edges: [edge] });
});
afterAll(() => harness.close());

/** Holds the edge's configuration pushes until the returned function is called. */
function holdConfigPushes(): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  edge.behaviour = (call) => (call.kind === 'apply' ? held : undefined);
  return () => {
    edge.behaviour = () => undefined;
    release();
  };
}

describe('the Endpoint, as the live service sent it', () => {
  it('has EndpointId and EndpointID, Settings and Setting, AllowedScheme and CName (a JavaScript client reads EndpointId and Settings)', async () => {
    const id = await harness.createEndpoint('file.example.cn', ['devstorage.blob.example.cn']);
    const endpoint = (await harness.sub('GET', `/endpoints/${id}`)).body;
    expect(endpoint.EndpointId).toBe(id);
    expect(endpoint.EndpointID).toBe(id);
    expect(endpoint.Settings).toEqual({
      CustomDomain: 'file.example.cn',
      Host: 'devstorage.blob.example.cn',
      ICP: '',
      Origin: { Addresses: ['devstorage.blob.example.cn'] },
      ServiceType: 'Web',
      AllowedScheme: 'Http',
      CName: 'file.example.cn.mooncdn.localhost',
    });
    expect(endpoint.Setting).toEqual(endpoint.Settings);
    expect(endpoint.Status).toEqual({
      Enabled: true,
      IcpVerifyStatus: 'IcpVerified',
      LifetimeStatus: 'Normal',
      CNameConfigured: true,
      FreeTrialExpired: false,
      TimeLastUpdated: expect.stringMatching(/Z$/),
    });
    const listed = (await harness.sub('GET', '/endpoints')).body.find((e: { EndpointId: string }) => e.EndpointId === id);
    expect(listed).toEqual(endpoint);
  });

  it('has the CName of the configured suffix', async () => {
    const other = await startHarness({ settings: { cnameSuffix: 'edge.example.net' } });
    try {
      const id = await other.createEndpoint('static.example.cn');
      expect((await other.sub('GET', `/endpoints/${id}`)).body.Settings.CName).toBe('static.example.cn.edge.example.net');
    } finally {
      await other.close();
    }
  });

  it('is not Enabled and IcpVerifying while Creating, then Enabled and IcpVerified', async () => {
    const release = holdConfigPushes();
    let created;
    try {
      created = await harness.sub('POST', '/endpoints', { body: { CustomDomain: 'new.example.cn', Origin: { Addresses: ['o.example.cn'] } } });
      expect(created.status).toBe(202);
      expect(created.body.Status).toMatchObject({ Enabled: false, IcpVerifyStatus: 'IcpVerifying', LifetimeStatus: 'Creating' });
      expect((await harness.sub('GET', `/endpoints/${created.body.EndpointId}`)).body.Status).toMatchObject({ Enabled: false, IcpVerifyStatus: 'IcpVerifying' });
    } finally {
      release();
    }
    const id = created.body.EndpointId as string;
    const operationId = String(created.headers['operation-location']).match(/operations\/([^?]+)/)![1]!;
    expect((await harness.waitForOperation(operationId)).status).toBe('Succeeded');
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Status).toMatchObject({ Enabled: true, IcpVerifyStatus: 'IcpVerified', LifetimeStatus: 'Normal' });
  });

  it('says HttpAndHttps once a certificate is bound (a C# client uploads with CertificateName, whole PEM texts and Format)', async () => {
    const id = await harness.createEndpoint('cdn.example.com');
    const upload = await harness.sub('POST', '/https/certificates', {
      body: {
        CertificateName: 'wildcard',
        PublicCertificate: readFileSync(join(CERTS, 'rsa.crt'), 'utf8'),
        PrivateKey: readFileSync(join(CERTS, 'rsa.key'), 'utf8'),
        Format: 'Pem',
      },
    });
    expect(upload.status).toBe(200);
    expect(upload.body).toMatchObject({
      SubscriptionId: harness.subscriptionId,
      CertificateName: 'wildcard',
      CertificateId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Name: 'wildcard',
      DnsNames: ['cdn.example.com', '*.img.example.com'],
    });
    const binding = await harness.sub('POST', '/https/bindings', { body: { CertificateId: upload.body.CertificateId, EndpointId: id } });
    expect(binding.status).toBe(202);
    expect((await harness.waitForOperation(binding.body.AsyncInfo.TaskTrackId)).status).toBe('Succeeded');
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Settings.AllowedScheme).toBe('HttpAndHttps');
  });

  it('uploads a certificate given as the bare base64 body of its PEM, and refuses another Format', async () => {
    const body = (file: string) => readFileSync(join(CERTS, file), 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    const upload = await harness.sub('POST', '/https/certificates', { body: { Name: 'bare', PublicCertificate: body('rsa.crt'), PrivateKey: body('rsa.key') } });
    expect(upload.status).toBe(200);
    expect(upload.body.CertificateName).toBe('bare');
    const pfx = await harness.sub('POST', '/https/certificates', { body: { Name: 'pfx', PublicCertificate: body('rsa.crt'), PrivateKey: body('rsa.key'), Format: 'Pfx' } });
    expectError(pfx, 400, 'ParameterInvalid', 'Format', /Pem/);
  });
});

describe('JSON booleans and numbers in every shape', () => {
  it('cache rules: TTL a number, the flags booleans; strings and native values both accepted', async () => {
    const id = await harness.createEndpoint();
    const put = await harness.sub('PUT', `/endpoints/${id}/cacherules`, {
      body: { Rules: [{ Type: 'Suffix', Items: ['.jpg'], TTL: 86400 }, { Type: 'Dir', Items: ['/static/'], TTL: '600' }], IgnoreCacheControl: false, IgnoreQueryString: 'true' },
    });
    expect(put.status).toBe(202);
    await harness.waitForOperation(put.body.AsyncInfo.TaskTrackId);
    expect((await harness.sub('GET', `/endpoints/${id}/cacherules`)).body).toEqual({
      Rules: [
        { Type: 'Suffix', Items: ['.jpg'], TTL: 86400 },
        { Type: 'Dir', Items: ['/static/'], TTL: 600 },
      ],
      IgnoreCacheControl: false,
      IgnoreQueryString: true,
      IgnoreCookie: false,
    });
  });

  it('access control: RefererControl.Enabled a boolean', async () => {
    const id = await harness.createEndpoint();
    const put = await harness.sub('PUT', `/endpoints/${id}/accesscontrol`, {
      body: { ForbiddenIps: [], RefererControl: { Enabled: 'True', PathPatterns: ['/img/*'], Referers: ['*.example.cn'], RefererControlType: 'AllowedList' } },
    });
    await harness.waitForOperation(put.body.AsyncInfo.TaskTrackId);
    expect((await harness.sub('GET', `/endpoints/${id}/accesscontrol`)).body.RefererControl).toEqual({
      Enabled: true,
      PathPatterns: ['/img/*'],
      Referers: ['*.example.cn'],
      RefererControlType: 'AllowList',
    });
  });

  it('volume and bandwidth: every figure a number', async () => {
    const id = await harness.createEndpoint();
    await harness.store.traffic.add([{ endpointId: id, bucketStart: Date.parse('2026-11-21T10:00:00Z'), cdnBytes: 3_000_000, originBytes: 1_000_000 }]);
    const range = 'startTime=2026-11-21T10:00:00Z&endTime=2026-11-21T10:10:00Z';
    const volume = (await harness.sub('GET', `/endpoints/${id}/volume?granularity=PerFiveMinutes&${range}`)).body;
    expect(volume).toMatchObject({ TotalCdnVolumeInMB: 3, TotalOriginVolumeInMB: 1 });
    expect(volume.Items[0]).toMatchObject({ VolumeInMB: 3, OriginVolumeInMB: 1 });
    const subscription = (await harness.sub('GET', `/volume?granularity=PerDay&${range}`)).body;
    expect(subscription.TotalCdnVolumeInMB).toBe(3);
    const bandwidth = (await harness.sub('GET', `/endpoints/${id}/bandwidth?${range}`)).body;
    expect(bandwidth.Items[0]).toEqual({ Timestamp: '2026-11-21T10:00:00.000Z', BandwidthInMbps: 0.08, OriginBandwidthInMbps: 0.026667 });
    expect(bandwidth).toMatchObject({ PeakBandwidthInMbps: 0.08, ValleyBandwidthInMbps: 0 });
  });
});

describe('input as clients send it', () => {
  it('a Go client purging only files sends "Directories": null; one purging only directories sends "Files": null', async () => {
    const id = await harness.createEndpoint('go.example.cn');
    const filesOnly = await harness.sub('POST', `/endpoints/${id}/purges`, { rawBody: '{"Files":["http://go.example.cn/a.png"],"Directories":null}' });
    expect(filesOnly.status).toBe(202);
    const directoriesOnly = await harness.sub('POST', `/endpoints/${id}/purges`, { rawBody: '{"Files":null,"Directories":["http://go.example.cn/img/"]}' });
    expect(directoriesOnly.status).toBe(202);
    await harness.waitForOperation(directoriesOnly.body.AsyncInfo.TaskTrackId);
    expect((await harness.sub('GET', `/endpoints/${id}/purges/${filesOnly.body.AsyncInfo.TaskTrackId}`)).body).toEqual({
      Files: [{ Url: 'http://go.example.cn/a.png', Status: 'Succeed' }],
      Directories: [],
      Edges: [{ EdgeId: 'edge-test', Status: 'Succeeded', Message: null }],
    });
  });

  it('null for a required property is a missing property, and a body of nulls names what is missing', async () => {
    const id = await harness.createEndpoint();
    const preload = await harness.sub('POST', `/endpoints/${id}/preloads`, { rawBody: '{"Files":null}' });
    expectError(preload, 400, 'ParameterMissing', 'Files');
    const purge = await harness.sub('POST', `/endpoints/${id}/purges`, { rawBody: '{"Files":null,"Directories":null}' });
    expectError(purge, 400, 'ParameterMissing', 'Files, Directories', 'null counts as absent');
    const create = await harness.sub('POST', '/endpoints', { rawBody: '{"CustomDomain":"n.example.cn","Host":null,"ICP":null,"ServiceType":null,"Origin":{"Addresses":["o.example.cn"]}}' });
    expect(create.status).toBe(202);
    expect(create.body.Settings).toMatchObject({ Host: 'o.example.cn', ICP: '', ServiceType: 'Web' });
  });

  it('a directory purge URL without a trailing "/" purges that directory', async () => {
    const id = await harness.createEndpoint('dir.example.cn');
    const accepted = await harness.sub('POST', `/endpoints/${id}/purges`, { body: { Directories: ['http://dir.example.cn/img'] } });
    expect(accepted.status).toBe(202);
    const operationId = accepted.body.AsyncInfo.TaskTrackId;
    expect((await harness.waitForOperation(operationId)).status).toBe('Succeeded');
    expect(edge.calls.at(-1)).toEqual({ kind: 'purge', endpointId: id, target: { files: [], directories: ['/img/'], patterns: [] } });
    expect((await harness.sub('GET', `/endpoints/${id}/purges/${operationId}`)).body.Directories).toEqual([{ Url: 'http://dir.example.cn/img', Status: 'Succeed' }]);
  });

  it('a request date without zero padding, as the live service wrote it, signed verbatim', async () => {
    harness.clock.set('2026-07-06T05:07:08Z');
    try {
      const response = await sendSigned(harness, 'GET', `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`, { requestDate: '2026-7-6 5:7:8' });
      expect(response.status).toBe(200);
    } finally {
      harness.clock.set('2026-11-22T08:00:00Z');
    }
  });

  it('an update whose settings are under Settings, as in the Endpoint shape', async () => {
    const id = await harness.createEndpoint();
    const accepted = await harness.sub('PUT', `/endpoints/${id}`, { body: { Settings: { Host: 'renamed.example.cn' }, UpdateFlag: 'HostHeader' } });
    expect(accepted.status).toBe(202);
    await harness.waitForOperation(accepted.body.AsyncInfo.TaskTrackId);
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Settings.Host).toBe('renamed.example.cn');
    const both = await harness.sub('PUT', `/endpoints/${id}`, { body: { EndpointSettings: { Host: 'a.example.cn' }, Setting: { Host: 'b.example.cn' }, UpdateFlag: 'HostHeader' } });
    expectError(both, 400, 'ParameterInvalid', 'EndpointSettings', 'twice');
  });
});

describe('no silent reset', () => {
  it.each([
    ['PUT', 'cacherules', 'Rules, IgnoreCacheControl, IgnoreQueryString, IgnoreCookie'],
    ['PUT', 'accesscontrol', 'ForbiddenIps, RefererControl'],
  ])('%s /%s with the body wrapped in another object is ParameterMissing, and changes nothing', async (method, route, named) => {
    const id = await harness.createEndpoint();
    const before = (await harness.sub('GET', `/endpoints/${id}/${route}`)).body;
    const wrapped = { EndpointID: id, Body: route === 'cacherules' ? { Rules: [{ Type: 'Suffix', Items: ['.js'], TTL: 60 }] } : { ForbiddenIps: ['192.0.2.1'] } };
    const response = await harness.sub(method, `/endpoints/${id}/${route}`, { body: wrapped });
    expectError(response, 400, 'ParameterMissing', named, '"EndpointID", "Body"');
    const empty = await harness.sub(method, `/endpoints/${id}/${route}`, { body: {} });
    expectError(empty, 400, 'ParameterMissing', named);
    expect((await harness.sub('GET', `/endpoints/${id}`)).body.Status.LifetimeStatus).toBe('Normal');
    expect((await harness.sub('GET', `/endpoints/${id}/${route}`)).body).toEqual(before);
  });

  it('an explicit empty policy still clears the rules', async () => {
    const id = await harness.createEndpoint();
    const set = await harness.sub('PUT', `/endpoints/${id}/cacherules`, { body: { Rules: [{ Type: 'Suffix', Items: ['.js'], TTL: 60 }] } });
    await harness.waitForOperation(set.body.AsyncInfo.TaskTrackId);
    const cleared = await harness.sub('PUT', `/endpoints/${id}/cacherules`, { body: { Rules: [] } });
    expect(cleared.status).toBe(202);
    await harness.waitForOperation(cleared.body.AsyncInfo.TaskTrackId);
    expect((await harness.sub('GET', `/endpoints/${id}/cacherules`)).body.Rules).toEqual([]);
  });
});

describe('two changes to one endpoint sent at once', () => {
  it('accepts one and refuses the other with EndpointNotInActiveState, every time', async () => {
    const id = await harness.createEndpoint();
    for (let attempt = 0; attempt < 10; attempt++) {
      const release = holdConfigPushes();
      const rules = (ttl: number) => ({ body: { Rules: [{ Type: 'Suffix', Items: ['.css'], TTL: ttl }] } });
      let answers;
      try {
        // The first change stays queued (its configuration push is held) while the second arrives.
        answers = await Promise.all([harness.sub('PUT', `/endpoints/${id}/cacherules`, rules(100 + attempt)), harness.sub('PUT', `/endpoints/${id}/cacherules`, rules(200 + attempt))]);
        expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
      } finally {
        release();
      }
      const [winner, loser] = answers[0]!.status === 202 ? answers : [answers[1]!, answers[0]!];
      expect(loser!.body.ErrorInfo.Type).toBe('EndpointNotInActiveState');
      await harness.waitForOperation(winner!.body.AsyncInfo.TaskTrackId);
      const expectedTtl = answers[0]!.status === 202 ? 100 + attempt : 200 + attempt;
      expect((await harness.sub('GET', `/endpoints/${id}/cacherules`)).body.Rules[0].TTL).toBe(expectedTtl);
    }
  });
});
