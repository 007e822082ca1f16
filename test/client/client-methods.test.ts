/**
 * Every method of MooncdnClient against a real `mooncdn serve` over http, reading the typed
 * shapes as a user of the SDK would.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccessControl,
  CachePolicy,
  Certificate,
  Endpoint,
  EndpointBandwidth,
  EndpointVolume,
  MooncdnClient,
  Operation,
  PreloadResult,
  PurgeResult,
  SubscriptionVolume,
} from '../../src/client/index.js';
import { certificateFor, edgeGet } from '../support/edge-client.js';
import { OriginServer } from '../support/origin-server.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';
import { clientFor, edgePorts, rejection, TIMESTAMP, UUID } from './client-kit.js';

const CERTS = join(import.meta.dirname, '../fixtures/certs');
const HOUR = 3_600_000;
const DAY = 86_400_000;

let where: TestStoreLocation;
let server: ServerProcess;
let origin: OriginServer;
let client: MooncdnClient;

beforeAll(async () => {
  origin = await OriginServer.start();
  where = await newStoreLocation('sqlite');
  server = await startServer({ store: where.location, args: ['--meter-flush-ms', '200'] });
  client = clientFor(server);
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  await origin?.close();
  await where?.cleanup();
});

/** A new endpoint on the test origin, created and waited for. */
async function newEndpoint(domain: string): Promise<string> {
  const created = await client.createEndpoint({ CustomDomain: domain, Origin: { Addresses: [origin.address] } });
  await client.waitForOperation(created.body.EndpointID, created.operationId, { pollMs: 50 });
  return created.body.EndpointID;
}

/** Runs an asynchronous change to its end and returns the operation. */
async function settle(endpointId: string, accepted: Promise<{ operationId: string }>): Promise<Operation> {
  return client.waitForOperation(endpointId, (await accepted).operationId, { pollMs: 50, timeoutMs: 15_000 });
}

describe('endpoints', () => {
  it('creates, lists, reads, updates, disables, enables and deletes an endpoint', async () => {
    expect(await client.listEndpoints()).toEqual([]);

    const created = await client.createEndpoint({ CustomDomain: 'life.example.com', Origin: { Addresses: [origin.address] }, ServiceType: 'Download' });
    const id = created.body.EndpointID;
    expect(id).toMatch(UUID);
    expect(created.operationId).toMatch(UUID);
    expect(created.body.Status.LifetimeStatus).toBe('Creating');
    expect(created.body.Setting).toMatchObject({ CustomDomain: 'life.example.com', ServiceType: 'Download', Origin: { Addresses: [origin.address] } });

    const op: Operation = await client.waitForOperation(id, created.operationId, { pollMs: 50 });
    expect(op).toMatchObject({
      Id: created.operationId,
      Type: 'CreateEndpoint',
      Status: 'Succeeded',
      Message: null,
      EndpointId: id,
      SubscriptionId: server.credentials.subscriptionId,
    });
    expect(op.Start).toMatch(TIMESTAMP);
    expect(op.End).toMatch(TIMESTAMP);
    expect(await client.getOperation(id, created.operationId)).toEqual(op);

    const endpoint: Endpoint = await client.getEndpoint(id);
    expect(endpoint.Setting.Host).toBe('life.example.com');
    expect(endpoint.Status).toMatchObject({ Enabled: true, LifetimeStatus: 'Normal' });
    expect(endpoint.Status.TimeLastUpdated).toMatch(TIMESTAMP);
    expect(await client.listEndpoints()).toEqual([endpoint]);

    const hostChange = await client.updateEndpoint(id, { EndpointSettings: { Host: 'origin.internal' }, UpdateFlag: 'HostHeader' });
    expect(hostChange.body).toEqual({ Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: hostChange.operationId, TaskStatus: 'Processing' } });
    expect(await client.waitForOperation(id, hostChange.operationId, { pollMs: 50 })).toMatchObject({ Type: 'UpdateEndpoint', Status: 'Succeeded' });
    expect((await client.getEndpoint(id)).Setting.Host).toBe('origin.internal');

    const addresses = [origin.address, 'backup.example.net:8080'];
    await settle(id, client.updateEndpoint(id, { EndpointSettings: { Origin: { Addresses: addresses } }, UpdateFlag: 'Origin' }));
    expect((await client.getEndpoint(id)).Setting.Origin.Addresses).toEqual(addresses);

    expect(await settle(id, client.disableEndpoint(id))).toMatchObject({ Type: 'DisableEndpoint', Status: 'Succeeded' });
    expect((await client.getEndpoint(id)).Status.Enabled).toBe(false);
    expect(await settle(id, client.enableEndpoint(id))).toMatchObject({ Type: 'EnableEndpoint', Status: 'Succeeded' });
    expect((await client.getEndpoint(id)).Status.Enabled).toBe(true);

    expect(await settle(id, client.deleteEndpoint(id))).toMatchObject({ Type: 'DeleteEndpoint', Status: 'Succeeded' });
    const gone = await rejection(client.getEndpoint(id));
    expect(gone).toMatchObject({ type: 'EndpointNotFound', status: 404 });
    expect((await client.listEndpoints()).map((e) => e.EndpointID)).not.toContain(id);
  });
});

describe('cache rules and access control', () => {
  it('replaces and reads back the cache policy', async () => {
    const id = await newEndpoint('rules.example.com');
    const before: CachePolicy = await client.getCacheRules(id);
    expect(Array.isArray(before.Rules)).toBe(true);
    expect(typeof before.IgnoreQueryString).toBe('boolean');

    const op = await settle(
      id,
      client.updateCacheRules(id, {
        Rules: [
          { Type: 'Suffix', Items: ['.css', '.js'], TTL: 600 },
          { Type: 'Dir', Items: ['/img/'], TTL: '0' },
        ],
        IgnoreCacheControl: false,
        IgnoreQueryString: true,
        IgnoreCookie: 'false',
      }),
    );
    expect(op).toMatchObject({ Type: 'UpdateCacheRules', Status: 'Succeeded' });
    expect(await client.getCacheRules(id)).toEqual({
      Rules: [
        { Type: 'Suffix', Items: ['.css', '.js'], TTL: 600 },
        { Type: 'Dir', Items: ['/img/'], TTL: 0 },
      ],
      IgnoreCacheControl: false,
      IgnoreQueryString: true,
      IgnoreCookie: false,
    });
  });

  it('replaces and reads back the access control', async () => {
    const id = await newEndpoint('acl.example.com');
    const op = await settle(
      id,
      client.updateAccessControl(id, {
        ForbiddenIps: ['203.0.113.0/24'],
        RefererControl: { Enabled: true, PathPatterns: ['/img/*'], Referers: ['shop.example.com'], RefererControlType: 'AllowedList' },
      }),
    );
    expect(op).toMatchObject({ Type: 'UpdateAccessControl', Status: 'Succeeded' });
    const access: AccessControl = await client.getAccessControl(id);
    expect(access).toEqual({
      ForbiddenIps: ['203.0.113.0/24'],
      RefererControl: { Enabled: true, PathPatterns: ['/img/*'], Referers: ['shop.example.com'], RefererControlType: 'AllowList' },
    });
  });
});

describe('purge and preload', () => {
  it('preloads into the edge cache, purges it, and reads the status of each URL', async () => {
    const id = await newEndpoint('content.example.com');
    await settle(id, client.updateCacheRules(id, { Rules: [{ Type: 'Suffix', Items: ['.css'], TTL: 600 }] }));
    origin.on('/app.css', { body: 'body { margin: 0 }' });
    const edge = edgePorts(server).http;

    const preload = await client.preload(id, { Files: ['http://content.example.com/app.css'] });
    expect(preload.operationId).toMatch(UUID);
    expect(await client.waitForOperation(id, preload.operationId, { pollMs: 50 })).toMatchObject({ Type: 'Preload', Status: 'Succeeded' });
    const preloaded: PreloadResult = await client.getPreload(id, preload.operationId);
    expect(preloaded).toEqual({ Files: [{ Url: 'http://content.example.com/app.css', Status: 'Succeed' }], Edges: [{ EdgeId: 'edge-embedded', Status: 'Succeeded', Message: null }] });
    expect(origin.count('/app.css')).toBe(1);
    // The edge now answers from its cache: the origin sees nothing more.
    expect((await edgeGet(edge, 'content.example.com', '/app.css')).text).toBe('body { margin: 0 }');
    expect(origin.count('/app.css')).toBe(1);

    const purge = await client.purge(id, { Files: ['http://content.example.com/app.css'], Directories: ['http://content.example.com/img/'] });
    expect(await client.waitForOperation(id, purge.operationId, { pollMs: 50 })).toMatchObject({ Type: 'Purge', Status: 'Succeeded' });
    const purged: PurgeResult = await client.getPurge(id, purge.operationId);
    expect(purged).toEqual({
      Files: [{ Url: 'http://content.example.com/app.css', Status: 'Succeed' }],
      Directories: [{ Url: 'http://content.example.com/img/', Status: 'Succeed' }],
      Edges: [{ EdgeId: 'edge-embedded', Status: 'Succeeded', Message: null }],
    });
    // Purged: the next request goes to the origin again.
    await edgeGet(edge, 'content.example.com', '/app.css');
    expect(origin.count('/app.css')).toBe(2);
  });
});

describe('traffic', () => {
  it('reports volume and bandwidth for Date and string ranges', async () => {
    const id = await newEndpoint('traffic.example.com');
    await settle(id, client.updateCacheRules(id, { Rules: [{ Type: 'Suffix', Items: ['.bin'], TTL: 600 }] }));
    origin.on('/big.bin', { body: Buffer.alloc(50_000, 7) });
    const edge = edgePorts(server).http;
    const servedAt = Date.now();
    for (let i = 0; i < 2; i++) expect((await edgeGet(edge, 'traffic.example.com', '/big.bin')).body.length).toBe(50_000);

    const hour = Math.floor(servedAt / HOUR) * HOUR;
    // Dates are sent as yyyy-MM-ddTHH:mm:ssZ; the milliseconds here are dropped.
    const dateRange = { startTime: new Date(hour - HOUR + 123), endTime: new Date(hour + 2 * HOUR) };
    let volume: EndpointVolume = await client.getEndpointVolume(id, 'PerHour', dateRange);
    for (const deadline = Date.now() + 10_000; volume.TotalCdnVolumeInMB < 0.1 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      volume = await client.getEndpointVolume(id, 'PerHour', dateRange);
    }
    expect(volume.DomainName).toBe('traffic.example.com');
    expect(volume.Items.map((item) => item.Timestamp)).toEqual([hour - HOUR, hour, hour + HOUR].map((t) => new Date(t).toISOString()));
    // Two answers of 50 kB to clients, one fetch of 50 kB from the origin (MB = 10^6 bytes).
    expect(volume.TotalCdnVolumeInMB).toBeGreaterThanOrEqual(0.1);
    expect(volume.TotalOriginVolumeInMB).toBeGreaterThanOrEqual(0.05);
    expect(volume.TotalOriginVolumeInMB).toBeLessThan(volume.TotalCdnVolumeInMB);
    expect(volume.Items.reduce((sum, item) => sum + item.VolumeInMB, 0)).toBeCloseTo(volume.TotalCdnVolumeInMB, 5);

    const day = Math.floor(servedAt / DAY) * DAY;
    const iso = (t: number) => `${new Date(t).toISOString().slice(0, 19)}Z`;
    const subscription: SubscriptionVolume = await client.getSubscriptionVolume('PerDay', { startTime: iso(day), endTime: iso(day + DAY) });
    const details = subscription.Details['traffic.example.com'];
    expect(details?.Items).toEqual([{ Timestamp: new Date(day).toISOString(), VolumeInMB: volume.TotalCdnVolumeInMB, OriginVolumeInMB: volume.TotalOriginVolumeInMB }]);
    expect(subscription.TotalCdnVolumeInMB).toBeGreaterThanOrEqual(volume.TotalCdnVolumeInMB);

    const bandwidth: EndpointBandwidth = await client.getEndpointBandwidth(id, { startTime: iso(hour), endTime: iso(hour + HOUR) });
    expect(bandwidth.DomainName).toBe('traffic.example.com');
    expect(bandwidth.Items).toHaveLength(12);
    expect(bandwidth.Items[0]).toEqual({ Timestamp: new Date(hour).toISOString(), BandwidthInMbps: expect.any(Number), OriginBandwidthInMbps: expect.any(Number) });
    expect(bandwidth.PeakBandwidthInMbps).toBeGreaterThan(0);
    expect(bandwidth.PeakBandwidthInMbps).toBe(Math.max(...bandwidth.Items.map((item) => item.BandwidthInMbps)));
    expect(bandwidth.ValleyBandwidthInMbps).toBeLessThanOrEqual(bandwidth.PeakBandwidthInMbps);
  });
});

describe('certificates', () => {
  it('uploads, lists and reads a certificate, and binds it to an endpoint', async () => {
    const pem = readFileSync(join(CERTS, 'rsa.crt'));
    const privateKey = readFileSync(join(CERTS, 'rsa.pkcs8.der')).toString('base64');
    const certificate: Certificate = await client.uploadCertificate({
      Name: 'cdn wildcard',
      PublicCertificate: readFileSync(join(CERTS, 'rsa.crt.der')).toString('base64'),
      PrivateKey: privateKey,
    });
    const x509 = new X509Certificate(pem);
    expect(certificate).toEqual({
      CertificateId: expect.stringMatching(UUID),
      SubscriptionId: server.credentials.subscriptionId,
      CertificateName: 'cdn wildcard',
      Name: 'cdn wildcard',
      Subject: expect.stringContaining('cdn.example.com'),
      Issuer: expect.stringContaining('cdn.example.com'),
      Thumbprint: x509.fingerprint.replace(/:/g, ''),
      DnsNames: ['cdn.example.com', '*.img.example.com'],
      NotBefore: new Date(x509.validFrom).toISOString(),
      NotAfter: new Date(x509.validTo).toISOString(),
    });
    expect(JSON.stringify(certificate)).not.toContain(privateKey.slice(0, 40));
    expect(await client.listCertificates()).toEqual([certificate]);
    expect(await client.getCertificate(certificate.CertificateId)).toEqual(certificate);

    const id = await newEndpoint('cdn.example.com');
    const binding = await client.createHttpsBinding(certificate.CertificateId, id);
    expect(binding.body.AsyncInfo.TaskTrackId).toBe(binding.operationId);
    expect(await client.waitForOperation(id, binding.operationId, { pollMs: 50 })).toMatchObject({ Type: 'CreateHttpsBinding', Status: 'Succeeded' });
    // The edge now presents that certificate for the endpoint's domain.
    const presented = await certificateFor(edgePorts(server).https, 'cdn.example.com');
    expect(presented.fingerprint).toBe(x509.fingerprint);
    expect((await client.getEndpoint(id)).Settings.AllowedScheme).toBe('HttpAndHttps');
  });
});
