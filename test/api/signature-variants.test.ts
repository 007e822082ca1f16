/**
 * CONTRACT §2's signature variants: each official sample's way of building the string is
 * accepted, and a signature that does not cover exactly this request is WrongSignature.
 * Each refusal has a twin that differs only in the one thing tampered with and is accepted.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { canonical, expectError, nowDate, sendRaw, signedHeaders } from './route-test-kit.js';

let harness: Harness;
// One harness for the file; each test starts on an empty store with its own subscription and key.
beforeAll(async () => {
  harness = await startHarness();
});
beforeEach(() => harness.reset());
afterAll(() => harness.close());

const base = () => `/subscriptions/${harness.subscriptionId}`;

/** Sends `target` signed over `{signedPath}\r\n{queries}\r\n{date}\r\n{METHOD}`. */
function send(method: string, target: string, signedPath: string, queries: string | null, options: { lowerHex?: boolean; requestDate?: string } = {}) {
  const requestDate = options.requestDate ?? nowDate(harness);
  return sendRaw(harness, method, target, signedHeaders(harness.key, canonical(signedPath, queries, requestDate, method), requestDate, options));
}

describe('accepted variants', () => {
  it('accepts the contract string: queries sorted by name', async () => {
    const response = await send('GET', `${base()}/endpoints?zeta=z&apiVersion=1.0`, `${base()}/endpoints`, 'apiVersion:1.0, zeta:z');
    expect(response.status).toBe(200);
  });

  it('accepts query pairs in the order of the URL (Python)', async () => {
    const response = await send('GET', `${base()}/endpoints?zeta=z&apiVersion=1.0`, `${base()}/endpoints`, 'zeta:z, apiVersion:1.0');
    expect(response.status).toBe(200);
  });

  it('accepts the path lower-cased (C#)', async () => {
    const target = `/subscriptions/${harness.subscriptionId.toUpperCase()}/Endpoints?apiVersion=1.0`;
    const lowered = await send('GET', target, `${base()}/endpoints`, 'apiVersion:1.0');
    expect(lowered.status).toBe(200);
    const asSent = await send('GET', target, target.split('?')[0]!, 'apiVersion:1.0');
    expect(asSent.status).toBe(200);
  });

  // With no query at all the route then fails on apiVersion, which is checked after the
  // signature: ParameterMissing proves the signature was accepted.
  it.each([
    ['an empty query line (Python, Java, Go)', ''],
    ['the query line left out with its \\r\\n (C#)', null],
  ])('accepts, for a request with no query, %s', async (_name, queries) => {
    const response = await send('GET', `${base()}/endpoints`, `${base()}/endpoints`, queries);
    expectError(response, 400, 'ParameterMissing', /apiVersion/);
  });

  it('refuses, for a request with no query, a signature over a query it does not have', async () => {
    const response = await send('GET', `${base()}/endpoints`, `${base()}/endpoints`, 'apiVersion:1.0');
    expectError(response, 401, 'WrongSignature');
  });

  it('accepts the path percent-decoded (Go) or as sent', async () => {
    const target = `${base()}/endpoint%73?apiVersion=1.0`;
    expect((await send('GET', target, `${base()}/endpoints`, 'apiVersion:1.0')).status).toBe(200);
    expect((await send('GET', target, `${base()}/endpoint%73`, 'apiVersion:1.0')).status).toBe(200);
  });

  it('accepts query values percent-decoded or as sent (Java)', async () => {
    const target = `${base()}/endpoints?apiVersion=1%2E0&note=a%20b%2Fc`;
    expect((await send('GET', target, `${base()}/endpoints`, 'apiVersion:1.0, note:a b/c')).status).toBe(200);
    expect((await send('GET', target, `${base()}/endpoints`, 'apiVersion:1%2E0, note:a%20b%2Fc')).status).toBe(200);
  });

  it('accepts the hex digest in lower case', async () => {
    const response = await send('GET', `${base()}/endpoints?apiVersion=1.0`, `${base()}/endpoints`, 'apiVersion:1.0', { lowerHex: true });
    expect(response.status).toBe(200);
  });

  it('accepts an RFC 3339 date header (Go), signed verbatim', async () => {
    const requestDate = new Date(harness.clock.now()).toISOString().slice(0, 19) + 'Z';
    const response = await send('GET', `${base()}/endpoints?apiVersion=1.0`, `${base()}/endpoints`, 'apiVersion:1.0', { requestDate });
    expect(response.status).toBe(200);
  });

  it('refuses an RFC 3339 date header when the signature covers the same instant in the other format', async () => {
    const spaced = nowDate(harness);
    const rfc3339 = spaced.replace(' ', 'T') + 'Z';
    const headers = signedHeaders(harness.key, canonical(`${base()}/endpoints`, 'apiVersion:1.0', spaced, 'GET'), rfc3339);
    expectError(await sendRaw(harness, 'GET', `${base()}/endpoints?apiVersion=1.0`, headers), 401, 'WrongSignature');
  });

  it('accepts a POST whose body the signature does not cover', async () => {
    const body = { CustomDomain: 'signed.example.com', Origin: { Addresses: ['origin.example.com'] } };
    const requestDate = nowDate(harness);
    const headers = signedHeaders(harness.key, canonical(`${base()}/endpoints`, 'apiVersion:1.0', requestDate, 'POST'), requestDate);
    const response = await sendRaw(harness, 'POST', `${base()}/endpoints?apiVersion=1.0`, headers, body);
    expect(response.status).toBe(202);
  });
});

describe('WrongSignature for a signature that does not cover this request', () => {
  it('refuses a signature made with another key value under this key id', async () => {
    const other = await harness.createKey();
    const requestDate = nowDate(harness);
    const string = canonical(`${base()}/endpoints`, 'apiVersion:1.0', requestDate, 'GET');
    const forged = signedHeaders({ keyId: harness.key.keyId, keyValue: other.keyValue }, string, requestDate);
    expectError(await sendRaw(harness, 'GET', `${base()}/endpoints?apiVersion=1.0`, forged), 401, 'WrongSignature');
    const genuine = signedHeaders(other, string, requestDate);
    expect((await sendRaw(harness, 'GET', `${base()}/endpoints?apiVersion=1.0`, genuine)).status).toBe(200);
  });

  it('refuses a signature made for another method', async () => {
    const target = `${base()}/endpoints/${randomUUID()}?apiVersion=1.0`;
    const path = target.split('?')[0]!;
    const requestDate = nowDate(harness);
    const signedGet = signedHeaders(harness.key, canonical(path, 'apiVersion:1.0', requestDate, 'GET'), requestDate);
    expectError(await sendRaw(harness, 'DELETE', target, signedGet), 401, 'WrongSignature');
    expectError(await send('DELETE', target, path, 'apiVersion:1.0'), 404, 'EndpointNotFound');
  });

  it('refuses a signature made for another path', async () => {
    const target = `${base()}/endpoints?apiVersion=1.0`;
    expectError(await send('GET', target, `${base()}/volume`, 'apiVersion:1.0'), 401, 'WrongSignature');
    expectError(await send('GET', target, `/subscriptions/${randomUUID()}/endpoints`, 'apiVersion:1.0'), 401, 'WrongSignature');
  });

  it('refuses a signature over another date than the header', async () => {
    const target = `${base()}/endpoints?apiVersion=1.0`;
    const header = nowDate(harness);
    const other = nowDate(harness, -1_000);
    const headers = signedHeaders(harness.key, canonical(`${base()}/endpoints`, 'apiVersion:1.0', other, 'GET'), header);
    expectError(await sendRaw(harness, 'GET', target, headers), 401, 'WrongSignature');
  });

  it.each([
    ['a tampered query value', 'apiVersion=1.0&note=b'],
    ['a query parameter added', 'apiVersion=1.0&note=a&extra=1'],
    ['a query parameter removed', 'apiVersion=1.0'],
    ['a tampered apiVersion (not reported as ParameterInvalid)', 'apiVersion=2.0&note=a'],
  ])('refuses %s', async (_name, query) => {
    const signedFor = 'apiVersion:1.0, note:a';
    expect((await send('GET', `${base()}/endpoints?apiVersion=1.0&note=a`, `${base()}/endpoints`, signedFor)).status).toBe(200);
    expectError(await send('GET', `${base()}/endpoints?${query}`, `${base()}/endpoints`, signedFor), 401, 'WrongSignature');
  });

  it('refuses a signature that differs in one hex digit', async () => {
    const requestDate = nowDate(harness);
    const headers = signedHeaders(harness.key, canonical(`${base()}/endpoints`, 'apiVersion:1.0', requestDate, 'GET'), requestDate);
    const last = headers.authorization!.slice(-1);
    headers.authorization = headers.authorization!.slice(0, -1) + (last === '0' ? '1' : '0');
    expectError(await sendRaw(harness, 'GET', `${base()}/endpoints?apiVersion=1.0`, headers), 401, 'WrongSignature');
  });
});
