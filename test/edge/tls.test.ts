/**
 * HTTPS at the edge: the listener picks, by SNI, the certificate bound to the CustomDomain
 * asked for; a name with no bound certificate fails the handshake. Fixture certificates from
 * test/fixtures/certs (both cover cdn.example.com and *.img.example.com).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateFor, edgeGet } from '../support/edge-client.js';
import { CACHE_ALL_RULES, closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const CERTS = join(import.meta.dirname, '../fixtures/certs');
const pem = (name: string) => readFileSync(join(CERTS, name), 'utf8');
const RSA = { id: 'cert-rsa', certificatePem: pem('rsa.crt'), privateKeyPem: pem('rsa.key') };
const EC = { id: 'cert-ec', certificatePem: pem('ec.crt'), privateKeyPem: pem('ec.key') };
const fingerprint = (certificatePem: string) => new X509Certificate(certificatePem).fingerprint256;

async function tlsEdge() {
  const origin = await startOrigin();
  origin.otherwise({ body: 'secure content' });
  const edge = await startEdge();
  await edge.endpoint({ customDomain: 'cdn.example.com', originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES, certificate: RSA });
  await edge.endpoint({ customDomain: 'photos.img.example.com', originAddresses: [origin.address], certificate: EC });
  await edge.endpoint({ customDomain: 'plain.example.com', originAddresses: [origin.address] });
  return { origin, edge };
}

describe('TLS by SNI', () => {
  it('presents the certificate bound to each name', async () => {
    const { edge } = await tlsEdge();
    expect((await certificateFor(edge.httpsPort, 'cdn.example.com')).fingerprint256).toBe(fingerprint(RSA.certificatePem));
    expect((await certificateFor(edge.httpsPort, 'photos.img.example.com')).fingerprint256).toBe(fingerprint(EC.certificatePem));
    expect((await certificateFor(edge.httpsPort, 'CDN.EXAMPLE.COM')).fingerprint256).toBe(fingerprint(RSA.certificatePem));
  });

  it('serves content over HTTPS that a client trusting the certificate accepts, cached as over HTTP', async () => {
    const { origin, edge } = await tlsEdge();
    const first = await edgeGet(edge.httpsPort, 'cdn.example.com', '/s.js', { https: { ca: RSA.certificatePem } });
    const second = await edgeGet(edge.httpsPort, 'cdn.example.com', '/s.js', { https: { ca: RSA.certificatePem } });
    const overHttp = await edge.get('cdn.example.com', '/s.js');
    expect([first.status, first.text, first.headers['x-cache']]).toEqual([200, 'secure content', 'MISS']);
    expect([second.headers['x-cache'], overHttp.headers['x-cache']]).toEqual(['HIT', 'HIT']);
    expect(origin.count('/s.js')).toBe(1);
  });

  it('fails the handshake for a name with no certificate, and for a name no endpoint serves', async () => {
    const { edge } = await tlsEdge();
    await expect(certificateFor(edge.httpsPort, 'plain.example.com')).rejects.toThrow();
    await expect(certificateFor(edge.httpsPort, 'unknown.example.com')).rejects.toThrow();
    // The plain endpoint is still served over HTTP.
    expect((await edge.get('plain.example.com', '/x')).status).toBe(200);
  });

  it('a client that does not trust the certificate refuses the connection', async () => {
    const { edge } = await tlsEdge();
    await expect(edgeGet(edge.httpsPort, 'cdn.example.com', '/x', { https: { ca: EC.certificatePem } })).rejects.toThrow();
  });

  it('switches certificates when the endpoint is applied with another, and stops when it is unbound', async () => {
    const { origin, edge } = await tlsEdge();
    await edge.endpoint({ customDomain: 'cdn.example.com', originAddresses: [origin.address], certificate: EC });
    expect((await certificateFor(edge.httpsPort, 'cdn.example.com')).fingerprint256).toBe(fingerprint(EC.certificatePem));

    await edge.endpoint({ customDomain: 'cdn.example.com', originAddresses: [origin.address], certificate: null });
    await expect(certificateFor(edge.httpsPort, 'cdn.example.com')).rejects.toThrow();

    await edge.node.removeEndpoint('ep-photos.img.example.com');
    await expect(certificateFor(edge.httpsPort, 'photos.img.example.com')).rejects.toThrow();
  });
});
