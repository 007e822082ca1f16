import { describe, expect, it } from 'vitest';
import {
  candidateStrings,
  matchesAnyCandidate,
  parseAuthorizationHeader,
  parseRequestDate,
  REQUEST_DATE_HEADER,
  signRequest,
} from '../../../src/signing/index.js';

const KEY = { keyId: '0b4ac6b1-3f7e-4d35-9a57-2c1e8d9f6a10', keyValue: 'XP2yZfZKbT8Hl6gQ0vN7cW1rM5sJ9dE3' };
const WHEN = new Date('2017-05-02T06:34:07.869Z');
// HMAC of the CONTRACT §2 worked example with KEY.keyValue, computed with openssl.
const EXAMPLE_SIGNATURE = '835FCF4418ACC985FCC7DE1F8C8070C06626F748025CFC8A9004338C50F3C3A3';

describe('signRequest', () => {
  it('returns exactly the Authorization and x-azurecdn-request-date headers for the worked example', () => {
    const headers = signRequest(
      'GET',
      'https://api-preview.cdn.azure.cn/subscriptions/S/endpoints/E/operations/O?apiVersion=1.0',
      KEY,
      WHEN,
    );
    expect(REQUEST_DATE_HEADER).toBe('x-azurecdn-request-date');
    expect(headers).toEqual({
      authorization: `AzureCDN ${KEY.keyId}:${EXAMPLE_SIGNATURE}`,
      'x-azurecdn-request-date': '2017-05-02 06:34:07',
    });
  });

  it('signs a path with query the same as the absolute URL', () => {
    expect(signRequest('GET', '/subscriptions/S/endpoints/E/operations/O?apiVersion=1.0', KEY, WHEN)).toEqual(
      signRequest('GET', 'https://example.test/subscriptions/S/endpoints/E/operations/O?apiVersion=1.0', KEY, WHEN),
    );
  });

  it('signs the method in upper case and the query in any order alike', () => {
    const a = signRequest('get', '/subscriptions/S/endpoints/E/volume?b=2&apiVersion=1.0&a=1', KEY, WHEN);
    const b = signRequest('GET', '/subscriptions/S/endpoints/E/volume?a=1&apiVersion=1.0&b=2', KEY, WHEN);
    expect(a).toEqual(b);
  });

  it('gives different signatures for different methods, paths, queries and times', () => {
    const base = signRequest('GET', '/subscriptions/S/endpoints?apiVersion=1.0', KEY, WHEN).authorization;
    expect(signRequest('POST', '/subscriptions/S/endpoints?apiVersion=1.0', KEY, WHEN).authorization).not.toBe(base);
    expect(signRequest('GET', '/subscriptions/T/endpoints?apiVersion=1.0', KEY, WHEN).authorization).not.toBe(base);
    expect(signRequest('GET', '/subscriptions/S/endpoints?apiVersion=2.0', KEY, WHEN).authorization).not.toBe(base);
    expect(
      signRequest('GET', '/subscriptions/S/endpoints?apiVersion=1.0', KEY, new Date(WHEN.getTime() + 1000)).authorization,
    ).not.toBe(base);
  });

  it('defaults the date to now, in a format the server parses', () => {
    const before = Date.now() - 1000;
    const headers = signRequest('GET', '/subscriptions/S/endpoints?apiVersion=1.0', KEY);
    const date = parseRequestDate(headers['x-azurecdn-request-date']);
    expect(date).toBeDefined();
    expect(date!.time).toBeGreaterThanOrEqual(before);
    expect(date!.time).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['GET', '/subscriptions/S/endpoints/E/volume?startTime=2026-11-21T00%3A00%3A00Z&granularity=PerHour&apiVersion=1.0'],
    ['POST', '/subscriptions/S/endpoints/E/purges?apiVersion=1.0'],
    ['DELETE', '/subscriptions/S/Endpoints/E?apiVersion=1.0&foo='],
    ['POST', '/subscriptions/S/endpoints/E/enable'],
  ])('is accepted by the server-side verifier: %s %s', (method, url) => {
    const headers = signRequest(method, url, KEY, WHEN);
    const credentials = parseAuthorizationHeader(headers.authorization);
    expect(credentials?.keyId).toBe(KEY.keyId);
    const [path, query = ''] = url.split('?') as [string, string?];
    const candidates = candidateStrings({ method, path, query, requestDate: headers['x-azurecdn-request-date'] });
    expect(matchesAnyCandidate(KEY.keyValue, candidates, credentials!.signature)).toBe(true);
    expect(matchesAnyCandidate('another key', candidates, credentials!.signature)).toBe(false);
  });
});
