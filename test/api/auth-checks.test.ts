/**
 * CONTRACT §2's table of checks, row by row and in order: each failure with its exact type and
 * status, and when several checks fail, the first one in the table is the answer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { canonical, expectError, nowDate, sendRaw, sendSigned, signedHeaders } from './route-test-kit.js';

const MINUTE = 60_000;

let harness: Harness;
// One harness for the file; each test starts on an empty store with its own subscription and key.
beforeAll(async () => {
  harness = await startHarness();
});
beforeEach(() => harness.reset());
afterAll(() => harness.close());

const endpointsPath = () => `/subscriptions/${harness.subscriptionId}/endpoints`;
const endpointsTarget = () => `${endpointsPath()}?apiVersion=1.0`;

/** Correctly signed headers for GET of the endpoint list, with a chosen key and date. */
function listHeaders(key = harness.key, requestDate = nowDate(harness), path = endpointsPath()): Record<string, string> {
  return signedHeaders(key, canonical(path, 'apiVersion:1.0', requestDate, 'GET'), requestDate);
}

const unknownKey = () => ({ keyId: randomUUID(), keyValue: 'not-a-real-key-value-but-long-enough-000' });

describe('row 1: no Authorization header -> MissingAuthorizationHeader 401', () => {
  it('refuses a request with no signature headers at all', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), {});
    expectError(response, 401, 'MissingAuthorizationHeader', /Authorization/);
  });

  it('refuses a request with a valid date but no Authorization', async () => {
    const { authorization: _, ...dateOnly } = listHeaders();
    const response = await sendRaw(harness, 'GET', endpointsTarget(), dateOnly);
    expectError(response, 401, 'MissingAuthorizationHeader');
  });

  it('treats an empty Authorization as missing', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), { ...listHeaders(), authorization: '' });
    expectError(response, 401, 'MissingAuthorizationHeader');
  });

  it('wins over every later problem (no date, unknown subscription, no apiVersion)', async () => {
    const response = await sendRaw(harness, 'POST', `/subscriptions/${randomUUID()}/endpoints`, {});
    expectError(response, 401, 'MissingAuthorizationHeader');
  });
});

describe('row 2: not "AzureCDN {id}:{hex}" -> InvalidAuthorizationHeader 401', () => {
  const valid = () => listHeaders().authorization!;
  const signatureOf = () => valid().split(':')[1]!;
  const malformed: Array<[string, () => string]> = [
    ['another scheme', () => `Bearer ${harness.key.keyId}:${signatureOf()}`],
    ['no colon', () => `AzureCDN ${harness.key.keyId}${signatureOf()}`],
    ['no key id', () => `AzureCDN :${signatureOf()}`],
    ['no signature', () => `AzureCDN ${harness.key.keyId}:`],
    ['a signature of 63 hex digits', () => `AzureCDN ${harness.key.keyId}:${signatureOf().slice(1)}`],
    ['a signature that is not hex', () => `AzureCDN ${harness.key.keyId}:${'G'.repeat(64)}`],
    ['a base64 signature', () => `AzureCDN ${harness.key.keyId}:${Buffer.from(signatureOf(), 'hex').toString('base64')}`],
    ['no scheme', () => `${harness.key.keyId}:${signatureOf()}`],
  ];

  it.each(malformed)('refuses %s', async (_name, authorization) => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), { ...listHeaders(), authorization: authorization() });
    expectError(response, 401, 'InvalidAuthorizationHeader', /AzureCDN \{keyId\}:\{signature\}/);
  });

  it('wins over a missing date header', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), { authorization: 'AzureCDN nonsense' });
    expectError(response, 401, 'InvalidAuthorizationHeader');
  });
});

describe('row 3: no x-azurecdn-request-date -> MissingRequestDateHeader 401', () => {
  it('refuses a signed request without the date header', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), { authorization: listHeaders().authorization! });
    expectError(response, 401, 'MissingRequestDateHeader', /x-azurecdn-request-date/);
  });

  it('wins over an unknown key', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), { authorization: listHeaders(unknownKey()).authorization! });
    expectError(response, 401, 'MissingRequestDateHeader');
  });
});

describe('row 4: date unparseable -> InvalidRequestDateHeader 401', () => {
  const unparseable = [
    '2026/11/22 08:00:00',
    '2026-11-22 008:00:00',
    '2026-11-22  08:00:00',
    '2026-02-30 08:00:00',
    '2026-11-22 24:00:00',
    '2026-11-22 08:60:00',
    'Sun, 22 Nov 2026 08:00:00 GMT',
    '1795334400',
    'now',
  ];

  it.each(unparseable)('refuses %j, quoting it', async (requestDate) => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), listHeaders(harness.key, requestDate));
    expectError(response, 401, 'InvalidRequestDateHeader', requestDate, /yyyy-MM-dd HH:mm:ss/);
  });

  it('wins over an unknown key (a bad date AND an unknown key)', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), listHeaders(unknownKey(), '22/11/2026 08:00'));
    expectError(response, 401, 'InvalidRequestDateHeader');
  });
});

describe('row 5: date further than the skew -> AuthorizationHeaderExpired 401', () => {
  it.each([
    ['past', -15 * MINUTE - 1_000],
    ['future', 15 * MINUTE + 1_000],
  ])('refuses a date 15 minutes and 1 second in the %s', async (_when, offset) => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), listHeaders(harness.key, nowDate(harness, offset)));
    expectError(response, 401, 'AuthorizationHeaderExpired', /15 minutes/);
  });

  it.each([
    ['past', -15 * MINUTE],
    ['future', 15 * MINUTE],
  ])('accepts a date exactly 15 minutes in the %s', async (_when, offset) => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), listHeaders(harness.key, nowDate(harness, offset)));
    expect(response.status).toBe(200);
  });

  it('refuses a replay of a once-valid request after the window has passed', async () => {
    const headers = listHeaders();
    expect((await sendRaw(harness, 'GET', endpointsTarget(), headers)).status).toBe(200);
    harness.clock.advance(15 * MINUTE + 1_000);
    expectError(await sendRaw(harness, 'GET', endpointsTarget(), headers), 401, 'AuthorizationHeaderExpired');
  });

  it('wins over an unknown key', async () => {
    const response = await sendRaw(harness, 'GET', endpointsTarget(), listHeaders(unknownKey(), nowDate(harness, -16 * MINUTE)));
    expectError(response, 401, 'AuthorizationHeaderExpired');
  });

  it('uses the configured skew, and says how large it is', async () => {
    const narrow = await startHarness({ settings: { signature: { skewMs: 90_000, allowTwelveHourClock: true, replayCache: false } } });
    try {
      const target = `/subscriptions/${narrow.subscriptionId}/endpoints?apiVersion=1.0`;
      expect((await sendSigned(narrow, 'GET', target, { requestDate: nowDate(narrow, 90_000) })).status).toBe(200);
      const late = await sendSigned(narrow, 'GET', target, { requestDate: nowDate(narrow, -91_000) });
      expectError(late, 401, 'AuthorizationHeaderExpired', /more than 90 seconds away/);
    } finally {
      await narrow.close();
    }
  });
});

describe('row 6: key id unknown -> ApiKeyNotFound 401', () => {
  it('refuses a well-formed request signed with a key id that does not exist, naming the id', async () => {
    const key = unknownKey();
    const response = await sendRaw(harness, 'GET', endpointsTarget(), listHeaders(key));
    expectError(response, 401, 'ApiKeyNotFound', key.keyId);
  });

  it('wins over a wrong signature and an unknown subscription', async () => {
    const key = unknownKey();
    const requestDate = nowDate(harness);
    const headers = signedHeaders(key, 'anything', requestDate);
    const response = await sendRaw(harness, 'GET', `/subscriptions/${randomUUID()}/endpoints?apiVersion=1.0`, headers);
    expectError(response, 401, 'ApiKeyNotFound');
  });
});

describe('row 7: key revoked or past its expiry -> InvalidApiKey 401', () => {
  it('refuses a revoked key', async () => {
    const key = await harness.createKey();
    expect((await sendSigned(harness, 'GET', endpointsTarget(), { key })).status).toBe(200);
    await harness.store.apiKeys.revoke(key.keyId, harness.clock.now());
    expectError(await sendSigned(harness, 'GET', endpointsTarget(), { key }), 401, 'InvalidApiKey', key.keyId, /revoked/);
  });

  it('refuses a key once its expiry is reached', async () => {
    const key = await harness.createKey({ expiresAt: harness.clock.now() + MINUTE });
    expect((await sendSigned(harness, 'GET', endpointsTarget(), { key })).status).toBe(200);
    harness.clock.advance(MINUTE);
    expectError(await sendSigned(harness, 'GET', endpointsTarget(), { key }), 401, 'InvalidApiKey', key.keyId, /expired/);
  });

  it('wins over a wrong signature', async () => {
    const key = await harness.createKey();
    await harness.store.apiKeys.revoke(key.keyId, harness.clock.now());
    const response = await sendRaw(harness, 'GET', endpointsTarget(), signedHeaders(key, 'not the canonical string', nowDate(harness)));
    expectError(response, 401, 'InvalidApiKey');
  });
});

describe('row 8: no candidate string matches -> WrongSignature 401', () => {
  it('refuses a signature over something else, without revealing the expected signature', async () => {
    const requestDate = nowDate(harness);
    const expected = listHeaders(harness.key, requestDate).authorization!.split(':')[1]!;
    const response = await sendRaw(harness, 'GET', endpointsTarget(), signedHeaders(harness.key, 'something else', requestDate));
    expectError(response, 401, 'WrongSignature', /HMAC-SHA256/);
    expect(response.text.toUpperCase()).not.toContain(expected);
    expect(response.text).not.toContain(harness.key.keyValue);
  });

  it('wins over an unknown subscription, which a caller without the key must not learn about', async () => {
    const target = `/subscriptions/${randomUUID()}/endpoints?apiVersion=1.0`;
    const response = await sendRaw(harness, 'GET', target, signedHeaders(harness.key, 'wrong', nowDate(harness)));
    expectError(response, 401, 'WrongSignature');
  });
});

describe('row 9: subscription in the path does not exist -> SubscriptionNotFound 404', () => {
  it('answers 404 for a correctly signed request to a subscription that does not exist', async () => {
    const subscriptionId = randomUUID();
    const response = await sendSigned(harness, 'GET', `/subscriptions/${subscriptionId}/endpoints?apiVersion=1.0`);
    expectError(response, 404, 'SubscriptionNotFound', subscriptionId);
  });

  it('wins over the key belonging to another subscription', async () => {
    const otherKey = await harness.createKey({ subscriptionId: await harness.createSubscription() });
    const response = await sendSigned(harness, 'GET', `/subscriptions/${randomUUID()}/endpoints?apiVersion=1.0`, { key: otherKey });
    expectError(response, 404, 'SubscriptionNotFound');
  });
});

describe('row 10: key of another subscription -> CredentialInvalid 401', () => {
  it("refuses a key used on a subscription that exists but is not the key's", async () => {
    const otherKey = await harness.createKey({ subscriptionId: await harness.createSubscription() });
    const response = await sendSigned(harness, 'GET', endpointsTarget(), { key: otherKey });
    expectError(response, 401, 'CredentialInvalid', otherKey.keyId, harness.subscriptionId);
  });

  it('wins over the scope (a read key of another subscription creating an endpoint)', async () => {
    const otherKey = await harness.createKey({ subscriptionId: await harness.createSubscription(), scope: 'read' });
    const body = { CustomDomain: 'a.example.com', Origin: { Addresses: ['origin.example.com'] } };
    const response = await sendSigned(harness, 'POST', endpointsTarget(), { key: otherKey, body });
    expectError(response, 401, 'CredentialInvalid');
  });
});

describe('rows 11 and 12: PermissionDenied 403 before RequestThrottled 429', () => {
  it('answers PermissionDenied, not RequestThrottled, when a read key over its rate writes', async () => {
    const key = await harness.createKey({ scope: 'read', ratePerMinute: 1 });
    expect((await sendSigned(harness, 'GET', endpointsTarget(), { key })).status).toBe(200);
    expectError(await sendSigned(harness, 'GET', endpointsTarget(), { key }), 429, 'RequestThrottled');
    const body = { CustomDomain: 'a.example.com', Origin: { Addresses: ['origin.example.com'] } };
    expectError(await sendSigned(harness, 'POST', endpointsTarget(), { key, body }), 403, 'PermissionDenied');
  });
});

describe("the Java sample's 12-hour clock", () => {
  const at = (iso: string) => harness.clock.set(iso);

  it.each([
    ['20:00 is sent as 08:00', '2026-11-22T20:00:00Z', '2026-11-22 08:00:00'],
    ['00:30 is sent as 12:30', '2026-11-22T00:30:00Z', '2026-11-22 12:30:00'],
    ['13:05 is sent as 01:05, ten minutes slow', '2026-11-22T13:15:00Z', '2026-11-22 01:05:00'],
  ])('accepts a date 12 hours off: %s', async (_name, now, requestDate) => {
    at(now);
    const response = await sendSigned(harness, 'GET', endpointsTarget(), { requestDate });
    expect(response.status).toBe(200);
  });

  it('still refuses a 12-hour date outside the skew once moved', async () => {
    at('2026-11-22T20:00:00Z');
    const response = await sendSigned(harness, 'GET', endpointsTarget(), { requestDate: '2026-11-22 08:16:00' });
    expectError(response, 401, 'AuthorizationHeaderExpired');
  });

  it('does not move an hour field of 13 to 23 or 00, which no 12-hour clock writes', async () => {
    at('2026-11-22T01:00:00Z');
    expectError(await sendSigned(harness, 'GET', endpointsTarget(), { requestDate: '2026-11-22 13:00:00' }), 401, 'AuthorizationHeaderExpired');
    at('2026-11-22T12:00:00Z');
    expectError(await sendSigned(harness, 'GET', endpointsTarget(), { requestDate: '2026-11-22 00:00:00' }), 401, 'AuthorizationHeaderExpired');
  });

  it('does not move an RFC 3339 date, which the Java sample never sends', async () => {
    at('2026-11-22T20:00:00Z');
    const response = await sendSigned(harness, 'GET', endpointsTarget(), { requestDate: '2026-11-22T08:00:00Z' });
    expectError(response, 401, 'AuthorizationHeaderExpired');
  });

  it('refuses 12-hour dates when the server is built with allowTwelveHourClock false', async () => {
    const strict = await startHarness({ settings: { signature: { skewMs: 15 * MINUTE, allowTwelveHourClock: false, replayCache: false } } });
    try {
      strict.clock.set('2026-11-22T20:00:00Z');
      const target = `/subscriptions/${strict.subscriptionId}/endpoints?apiVersion=1.0`;
      expectError(await sendSigned(strict, 'GET', target, { requestDate: '2026-11-22 08:00:00' }), 401, 'AuthorizationHeaderExpired');
      expect((await sendSigned(strict, 'GET', target, { requestDate: '2026-11-22 20:00:00' })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
