/**
 * Certificates from test/fixtures/certs (made once by generate.sh there: 100-year validity,
 * so expiry is tested with another `now`).
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateCovers, parseCertificateUpload } from '../../../src/domain/certificate.js';
import { expectApiError } from '../expect-api-error.js';

const dir = new URL('../../fixtures/certs/', import.meta.url);
const text = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const base64 = (name: string) => readFileSync(new URL(name, dir)).toString('base64');
/** The base64 body of a PEM file, as a client that strips the armour sends it. */
const pemBody = (name: string) => text(name).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

/** A PEM made from a DER file, e.g. "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (SEC1). */
const pem = (label: string, name: string) => `-----BEGIN ${label}-----\n${base64(name).replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

const RSA_CERT = text('rsa.crt');
const RSA_KEY = text('rsa.key');
const EC_CERT = text('ec.crt');
const EC_KEY = text('ec.key');
const leaf = new X509Certificate(RSA_CERT);
const NOT_BEFORE = Date.parse(leaf.validFrom);
const NOT_AFTER = Date.parse(leaf.validTo);
const NOW = NOT_BEFORE + 86_400_000;

describe('parseCertificateUpload: accepted forms', () => {
  it('reads a PEM certificate and PEM key, describing the certificate', () => {
    const parsed = parseCertificateUpload(RSA_CERT, RSA_KEY, NOW);
    expect(parsed).toMatchObject({
      subject: 'CN=cdn.example.com',
      issuer: 'CN=cdn.example.com',
      dnsNames: ['cdn.example.com', '*.img.example.com'],
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    expect(parsed.thumbprint).toBe(leaf.fingerprint.replace(/:/g, ''));
    expect(parsed.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(new X509Certificate(parsed.certificatePem).fingerprint256).toBe(leaf.fingerprint256);
    expect(parsed.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(leaf.checkPrivateKey(createPrivateKey(parsed.privateKeyPem))).toBe(true);
  });

  it.each([
    ['PEM', RSA_CERT, RSA_KEY],
    ['base64 DER certificate, PKCS#8 DER key', base64('rsa.crt.der'), base64('rsa.pkcs8.der')],
    ['base64 DER certificate, PKCS#1 DER key', base64('rsa.crt.der'), base64('rsa.pkcs1.der')],
    ['PEM certificate, PKCS#1 DER key', RSA_CERT, base64('rsa.pkcs1.der')],
    ['PEM certificate, PKCS#1 PEM key', RSA_CERT, pem('RSA PRIVATE KEY', 'rsa.pkcs1.der')],
    ['base64 bodies of the PEM files', pemBody('rsa.crt'), pemBody('rsa.key')],
    ['base64 wrapped at 64 columns with CRLF', base64('rsa.crt.der').replace(/.{64}/g, '$&\r\n'), base64('rsa.pkcs8.der').replace(/.{76}/g, '$&\n')],
    ['surrounding whitespace', `\n  ${RSA_CERT}\n`, `  ${RSA_KEY}  `],
  ])('reads RSA as %s', (_, cert, key) => {
    const parsed = parseCertificateUpload(cert, key, NOW);
    expect(parsed.thumbprint).toBe(leaf.fingerprint.replace(/:/g, ''));
    expect(parsed.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });

  it.each([
    ['PEM', EC_CERT, EC_KEY],
    ['base64 PKCS#8 key', EC_CERT, pemBody('ec.key')],
    ['base64 SEC1 DER key', EC_CERT, base64('ec.sec1.der')],
    ['SEC1 PEM key', EC_CERT, pem('EC PRIVATE KEY', 'ec.sec1.der')],
  ])('reads EC as %s', (_, cert, key) => {
    expect(parseCertificateUpload(cert, key, NOW).dnsNames).toEqual(['cdn.example.com', '*.img.example.com']);
  });

  it('keeps a chain, leaf first, and checks the key against the leaf', () => {
    const parsed = parseCertificateUpload(text('chain.crt'), text('leaf.key'), NOW);
    expect(parsed.certificatePem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(parsed.subject).toBe('CN=chain.example.com');
    expect(parsed.issuer).toBe('CN=mooncdn test CA');
    expect(parsed.dnsNames).toEqual(['chain.example.com']);
    expect(new X509Certificate(parsed.certificatePem.split(/(?<=-----END CERTIFICATE-----)\n/)[1]!).subject).toBe('CN=mooncdn test CA');
  });

  it('lists no DNS names for a certificate without subjectAltName (its CN does not count)', () => {
    expect(parseCertificateUpload(text('cn-only.crt'), text('cn-only.key'), NOW).dnsNames).toEqual([]);
  });
});

describe('parseCertificateUpload: refusals', () => {
  it('refuses an expired certificate, saying when it expired', () => {
    expectApiError(
      () => parseCertificateUpload(RSA_CERT, RSA_KEY, NOT_AFTER + 1000),
      'ParameterInvalid',
      400,
      'PublicCertificate expired',
      new Date(NOT_AFTER).toISOString(),
    );
  });

  it('refuses a certificate not yet valid, saying from when', () => {
    expectApiError(
      () => parseCertificateUpload(RSA_CERT, RSA_KEY, NOT_BEFORE - 1000),
      'ParameterInvalid',
      400,
      'not valid until',
      new Date(NOT_BEFORE).toISOString(),
    );
  });

  it.each([
    ['another RSA key', RSA_CERT, text('other.key')],
    ['an EC key for an RSA certificate', RSA_CERT, EC_KEY],
    ['an RSA key for an EC certificate', EC_CERT, RSA_KEY],
    ['the CA\'s leaf key for the chain\'s CA first', `${text('ca.crt')}${text('leaf.crt')}`, text('leaf.key')],
  ])('refuses %s', (_, cert, key) => {
    expectApiError(() => parseCertificateUpload(cert, key, NOW), 'ParameterInvalid', 400, 'PrivateKey does not match PublicCertificate');
  });

  it.each([
    ['PKCS#8', text('rsa.encrypted.key')],
    ['legacy PEM', text('rsa.encrypted-legacy.key')],
  ])('refuses a key encrypted with a passphrase (%s), saying to upload it unencrypted', (_, key) => {
    expectApiError(() => parseCertificateUpload(RSA_CERT, key, NOW), 'ParameterInvalid', 400, 'PrivateKey is encrypted', 'unencrypted');
  });

  it.each([
    ['not base64', 'not a certificate!', 'PublicCertificate is neither PEM nor base64'],
    ['base64 of something else', Buffer.from('hello world').toString('base64'), 'PublicCertificate is not an X.509 certificate'],
    ['a truncated DER', base64('rsa.crt.der').slice(0, 400), 'PublicCertificate is not an X.509 certificate'],
    ['a broken PEM', RSA_CERT.replace(/^M/m, 'X'), 'PublicCertificate is not an X.509 certificate'],
    ['a private key', RSA_KEY, 'PublicCertificate is neither PEM nor base64'],
  ])('refuses a certificate that is %s', (_, cert, mention) => {
    expectApiError(() => parseCertificateUpload(cert, RSA_KEY, NOW), 'ParameterInvalid', 400, mention);
  });

  it.each([
    ['a BEGIN line without its END line', `-----BEGIN CERTIFICATE-----\n${pemBody('rsa.crt')}\n`],
    ['a megabyte of BEGIN lines and no END line', '-----BEGIN CERTIFICATE-----'.repeat(38_000)],
  ])('refuses a certificate with %s, saying the END line is missing', (_, cert) => {
    expectApiError(() => parseCertificateUpload(cert, RSA_KEY, NOW), 'ParameterInvalid', 400, 'without its "-----END CERTIFICATE-----" line');
  });

  it.each([
    ['not base64', 'not a key!', 'PrivateKey is neither PEM nor base64'],
    ['base64 of something else', Buffer.from('hello world').toString('base64'), 'PrivateKey is not a private key'],
    ['a certificate', base64('rsa.crt.der'), 'PrivateKey is not a private key'],
    ['a broken PEM', RSA_KEY.replace(/^M/m, '!'), 'PrivateKey is not a PEM private key'],
  ])('refuses a key that is %s', (_, key, mention) => {
    expectApiError(() => parseCertificateUpload(RSA_CERT, key, NOW), 'ParameterInvalid', 400, mention);
  });

  it('asks for an empty certificate or key', () => {
    expectApiError(() => parseCertificateUpload('  ', RSA_KEY, NOW), 'ParameterMissing', 400, 'PublicCertificate is empty');
    expectApiError(() => parseCertificateUpload(RSA_CERT, '\n', NOW), 'ParameterMissing', 400, 'PrivateKey is empty');
  });

  it('never puts key material in an error message', () => {
    for (const key of [text('other.key'), base64('rsa.pkcs1.der').slice(0, 300)]) {
      try {
        parseCertificateUpload(RSA_CERT, key, NOW);
        expect.unreachable();
      } catch (error) {
        expect((error as Error).message).not.toMatch(/[A-Za-z0-9+/]{40}/);
      }
    }
  });
});

describe('certificateCovers', () => {
  it.each([
    ['cdn.example.com', true],
    ['CDN.Example.COM', true],
    ['a.img.example.com', true],
    ['thumbs-1.img.example.com', true],
    ['img.example.com', false],
    ['a.b.img.example.com', false],
    ['example.com', false],
    ['www.example.com', false],
    ['cdn.example.com.evil.com', false],
    ['xcdn.example.com', false],
  ])('the SAN certificate covers %s: %s', (domain, covered) => {
    expect(certificateCovers(RSA_CERT, domain)).toBe(covered);
    expect(certificateCovers(EC_CERT, domain)).toBe(covered);
  });

  it('does not count the CN of a certificate without subjectAltName, as browsers do not', () => {
    expect(certificateCovers(text('cn-only.crt'), 'cn-only.example.com')).toBe(false);
    expect(certificateCovers(text('cn-only.crt'), 'other.example.com')).toBe(false);
  });

  it('checks the leaf of a stored chain', () => {
    const stored = parseCertificateUpload(text('chain.crt'), text('leaf.key'), NOW).certificatePem;
    expect(certificateCovers(stored, 'chain.example.com')).toBe(true);
  });
});
