/**
 * Uploaded HTTPS certificates: parsed from base64 DER or PEM, checked for expiry and against
 * their private key, and matched to an endpoint's CustomDomain (SAN, wildcards) when bound.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { Errors } from '../contract/errors.js';

export interface ParsedCertificate {
  /** The leaf first, then any chain, as PEM. */
  readonly certificatePem: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly subject: string;
  readonly issuer: string;
  readonly thumbprint: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface StoredCertificate extends ParsedCertificate {
  readonly id: string;
  readonly subscriptionId: string;
  readonly name: string;
  readonly createdAt: number;
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

export function parseCertificateUpload(publicCertificate: string, privateKey: string, now: number): ParsedCertificate {
  const chain = parseCertificates(publicCertificate);
  const leaf = chain[0]!;
  const key = parsePrivateKey(privateKey);

  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  if (notAfter <= now) throw Errors.parameterInvalid(`PublicCertificate expired on ${new Date(notAfter).toISOString()}; upload a current certificate.`);
  if (notBefore > now) throw Errors.parameterInvalid(`PublicCertificate is not valid until ${new Date(notBefore).toISOString()}.`);
  if (!leaf.checkPrivateKey(key)) throw Errors.parameterInvalid('PrivateKey does not match PublicCertificate; upload the key the certificate was issued for.');

  return {
    certificatePem: chain.map((cert) => cert.toString().trim()).join('\n') + '\n',
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    subject: leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    thumbprint: leaf.fingerprint.replace(/:/g, '').toUpperCase(),
    dnsNames: dnsNamesOf(leaf),
    notBefore,
    notAfter,
  };
}

/**
 * Whether the certificate covers `domain`, by its SAN DNS names (RFC 6125 wildcards: one label).
 * The subject's CN does not count: browsers ignore it, so a binding on it would not work.
 */
export function certificateCovers(certificatePem: string, domain: string): boolean {
  const leaf = new X509Certificate(certificatePem);
  return leaf.checkHost(domain, { subject: 'never', wildcards: true, partialWildcards: false }) !== undefined;
}

function parseCertificates(value: string): X509Certificate[] {
  const text = value.trim();
  if (text === '') throw Errors.parameterMissing('PublicCertificate is empty; send the certificate as base64 DER or PEM.');
  const pems = pemBlocks(text);
  try {
    if (pems.length > 0) return pems.map((pem) => new X509Certificate(pem));
    return [new X509Certificate(decodeBase64(text, 'PublicCertificate'))];
  } catch (error) {
    if (error instanceof Error && error.name === 'ApiError') throw error;
    throw Errors.parameterInvalid('PublicCertificate is not an X.509 certificate in base64 DER or PEM.');
  }
}

/**
 * The certificate blocks of a PEM text, in one pass. (A lazy regular expression did this in
 * time quadratic in the number of BEGIN lines: a megabyte of them took half a minute.)
 */
function pemBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (let from = 0; ; ) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) return blocks;
    const end = text.indexOf(END, begin + BEGIN.length);
    if (end < 0) throw Errors.parameterInvalid(`PublicCertificate has a "${BEGIN}" line without its "${END}" line.`);
    from = end + END.length;
    blocks.push(text.slice(begin, from));
  }
}

function parsePrivateKey(value: string): KeyObject {
  const text = value.trim();
  if (text === '') throw Errors.parameterMissing('PrivateKey is empty; send the key as base64 DER (PKCS#8 or PKCS#1) or PEM.');
  if (/ENCRYPTED/.test(text)) throw Errors.parameterInvalid('PrivateKey is encrypted with a passphrase; upload it unencrypted (it is stored encrypted when a master key is set).');
  if (text.includes('-----BEGIN')) {
    try {
      return createPrivateKey({ key: text, format: 'pem' });
    } catch {
      throw Errors.parameterInvalid('PrivateKey is not a PEM private key.');
    }
  }
  const der = decodeBase64(text, 'PrivateKey');
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw Errors.parameterInvalid('PrivateKey is not a private key in base64 DER (PKCS#8, PKCS#1 or SEC1) or PEM.');
}

function decodeBase64(text: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw Errors.parameterInvalid(`${field} is neither PEM nor base64.`);
  return Buffer.from(compact, 'base64');
}

/** DNS names from the subjectAltName extension: the names the certificate covers. */
function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).replace(/^"|"$/g, '').toLowerCase());
}
