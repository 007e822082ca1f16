/**
 * Small helpers shared by the route tests of authentication and request basics: hand-made
 * signatures over a chosen canonical string, and one assertion for the contract's error body.
 */
import { expect } from 'vitest';
import { formatAuthorizationHeader, formatRequestDate, REQUEST_DATE_HEADER, sign, type SigningKey } from '../../src/signing/index.js';
import type { Harness, Response } from '../support/api-harness.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `{path}\r\n{queries}\r\n{requestDate}\r\n{METHOD}`; a `queries` of null leaves the line out (C#). */
export function canonical(path: string, queries: string | null, requestDate: string, method: string): string {
  return queries === null ? `${path}\r\n${requestDate}\r\n${method}` : `${path}\r\n${queries}\r\n${requestDate}\r\n${method}`;
}

/** The two signature headers for `canonicalString`, signed with `key`. */
export function signedHeaders(
  key: SigningKey,
  canonicalString: string,
  requestDate: string,
  options: { lowerHex?: boolean } = {},
): Record<string, string> {
  const signature = sign(key.keyValue, canonicalString);
  return {
    authorization: formatAuthorizationHeader(key.keyId, options.lowerHex ? signature.toLowerCase() : signature),
    [REQUEST_DATE_HEADER]: requestDate,
  };
}

/** The harness clock's time as the contract's request date. */
export function nowDate(harness: Harness, offsetMs = 0): string {
  return formatRequestDate(new Date(harness.clock.now() + offsetMs));
}

/** Sends `target` exactly as given, with exactly these headers (no harness signature). */
export function sendRaw(harness: Harness, method: string, target: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return harness.request(method, target, { unsigned: true, apiVersion: false, headers, ...(body !== undefined ? { body } : {}) });
}

/** Signs `target` the contract's way at the harness clock (optionally moved), with `key`, and sends it. */
export function sendSigned(
  harness: Harness,
  method: string,
  target: string,
  options: { key?: SigningKey; requestDate?: string; body?: unknown } = {},
): Promise<Response> {
  const requestDate = options.requestDate ?? nowDate(harness);
  const [path, query = ''] = target.split('?') as [string, string?];
  const queries = query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('='))
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
    .map(([name, value = '']) => `${decodeURIComponent(name!)}:${decodeURIComponent(value)}`)
    .join(', ');
  const headers = signedHeaders(options.key ?? harness.key, canonical(path, queries, requestDate, method.toUpperCase()), requestDate);
  return sendRaw(harness, method, target, headers, options.body);
}

/** The response is the contract's error body with this status and type, and the message names `mentions`. */
export function expectError(response: Response, status: number, type: string, ...mentions: Array<string | RegExp>): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { Succeeded: false, ErrorInfo: { Type: type, Message: expect.any(String) } },
  });
  for (const mention of mentions) expect(response.body.ErrorInfo.Message).toMatch(mention);
}
