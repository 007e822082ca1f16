import { describe, expect, it } from 'vitest';
import {
  chooseCoding,
  encodedEtag,
  encodedHeaders,
  identityHeaders,
  isCompressibleType,
  mayCompress,
  MIN_COMPRESSIBLE_BYTES,
  requestForbidsTransform,
  withAcceptEncoding,
} from '../../../src/edge/policy/compression.js';

describe('chooseCoding (RFC 9110 §12.5.3)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0.8, br;q=0.9', 'br'],
    ['GZIP', 'gzip'],
    ['deflate', 'identity'],
    ['zstd, gzip;q=0.1', 'gzip'],
    ['*', 'br'],
    ['gzip;q=0, *', 'br'],
    ['br;q=0, *', 'gzip'],
    ['identity', 'identity'],
    ['gzip;q=0.5, identity', 'identity'],
    ['gzip;q=0', 'identity'],
    ['br;q=0, gzip;q=0, identity;q=0', 'identity'],
  ] as const)('Accept-Encoding %j gets %s', (header, coding) => {
    expect(chooseCoding(header)).toBe(coding);
  });

  it('reads a field sent on several lines as one list', () => {
    expect(chooseCoding(['deflate', 'gzip'])).toBe('gzip');
  });
});

describe('what may be compressed', () => {
  const big = MIN_COMPRESSIBLE_BYTES;
  it.each(['text/html; charset=utf-8', 'text/css', 'application/json', 'application/javascript', 'application/ld+json', 'application/atom+xml', 'image/svg+xml', 'application/wasm'])(
    '%s is compressible',
    (type) => expect(isCompressibleType(type)).toBe(true),
  );
  it.each(['image/png', 'image/jpeg', 'video/mp4', 'font/woff2', 'application/zip', 'application/octet-stream', undefined, ''])('%j is not', (type) => {
    expect(isCompressibleType(type)).toBe(false);
  });

  it('a whole 200 of text of at least 1 KiB, unencoded and without no-transform', () => {
    const text = { 'content-type': 'text/plain' };
    expect(mayCompress(200, text, big)).toBe(true);
    expect(mayCompress(200, text, big - 1)).toBe(false);
    expect(mayCompress(404, text, big)).toBe(false);
    expect(mayCompress(206, text, big)).toBe(false);
    expect(mayCompress(200, { ...text, 'content-encoding': 'gzip' }, big)).toBe(false);
    expect(mayCompress(200, { ...text, 'content-encoding': 'identity' }, big)).toBe(true);
    expect(mayCompress(200, { ...text, 'cache-control': 'max-age=60, no-transform' }, big)).toBe(false);
    expect(mayCompress(200, { ...text, 'cache-control': ['public', 'No-Transform'] }, big)).toBe(false);
    expect(mayCompress(200, { 'content-type': 'image/png' }, big)).toBe(false);
  });

  it('a request with Cache-Control: no-transform forbids it', () => {
    expect(requestForbidsTransform('no-transform')).toBe(true);
    expect(requestForbidsTransform('no-cache')).toBe(false);
    expect(requestForbidsTransform(undefined)).toBe(false);
  });
});

describe('headers of each representation', () => {
  const stored = { 'content-type': 'text/css', etag: '"v1"', 'last-modified': 'Sun, 01 Mar 2026 12:00:00 GMT', 'content-md5': 'x' };

  it('identity gains Vary: Accept-Encoding and nothing else', () => {
    expect(identityHeaders(stored)).toEqual({ ...stored, vary: 'Accept-Encoding' });
    expect(identityHeaders({ ...stored, vary: 'Origin' })['vary']).toBe('Origin, Accept-Encoding');
  });

  it('a compressed copy says its coding and length, varies on Accept-Encoding, and has an ETag of its own', () => {
    expect(encodedHeaders(stored, 'gzip', 321)).toEqual({
      'content-type': 'text/css',
      etag: '"v1-gzip"',
      'last-modified': stored['last-modified'],
      'content-encoding': 'gzip',
      'content-length': '321',
      'accept-ranges': 'none',
      vary: 'Accept-Encoding',
    });
  });

  it('ETags: the coding goes inside the quotes, weak stays weak, a malformed one is dropped', () => {
    expect(encodedEtag('"abc"', 'br')).toBe('"abc-br"');
    expect(encodedEtag('W/"abc"', 'gzip')).toBe('W/"abc-gzip"');
    expect(encodedEtag('abc', 'gzip')).toBeUndefined();
    expect(encodedEtag(undefined, 'gzip')).toBeUndefined();
    expect(encodedHeaders({ etag: 'abc' }, 'gzip', 1)).not.toHaveProperty('etag');
  });

  it('Vary names Accept-Encoding once, and leaves * alone', () => {
    expect(withAcceptEncoding(undefined)).toBe('Accept-Encoding');
    expect(withAcceptEncoding('accept-encoding')).toBe('accept-encoding');
    expect(withAcceptEncoding(['Origin', 'Accept-Language'])).toBe('Origin, Accept-Language, Accept-Encoding');
    expect(withAcceptEncoding('*')).toBe('*');
  });
});
