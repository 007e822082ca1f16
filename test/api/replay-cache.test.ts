/**
 * --replay-cache (issue 9, item 15): the signature of a POST, PUT or DELETE that passed
 * authentication cannot be used again while its date passes the skew check: 15 minutes, or
 * 12 hours more for an hour of 01 to 12 while twelve-hour dates are allowed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/signing/index.js';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectError, sendRaw } from './route-test-kit.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const signature = (replayCache: boolean) => ({ skewMs: 15 * MINUTE, allowTwelveHourClock: true, replayCache });

let harness: Harness;
let endpointId: string;
beforeAll(async () => {
  harness = await startHarness({ settings: { signature: signature(true) } });
  endpointId = await harness.createEndpoint('replay.example.com');
});
afterAll(() => harness.close());
// Each test signs its requests in a second of its own: within one second, requests to the same
// URL share their signature (the body is not signed), and the cache would take them for replays.
beforeEach(() => harness.clock.advance(1_000));

let files = 0;
const purgeBody = () => ({ Files: [`http://replay.example.com/f${++files}.png`] });
const purgeTarget = (h: Harness, id: string) => `/subscriptions/${h.subscriptionId}/endpoints/${id}/purges?apiVersion=1.0`;

/** The headers a client signed `target` with, now, as an eavesdropper would copy them. */
const signedNow = (h: Harness, method: string, target: string) => ({ ...signRequest(method, target, h.key, new Date(h.clock.now())) });

describe('with --replay-cache', () => {
  it('refuses a replayed purge, whatever its body, with InvalidAuthorizationHeader', async () => {
    const headers = signedNow(harness, 'POST', purgeTarget(harness, endpointId));
    expect((await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), headers, purgeBody())).status).toBe(202);
    for (const body of [purgeBody(), { Directories: ['http://replay.example.com/'] }]) {
      const replay = await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), headers, body);
      expectError(replay, 401, 'InvalidAuthorizationHeader', /already used/, /own signature/);
    }
  });

  it('refuses the replay with the signature in lower-case hex too', async () => {
    const headers = signedNow(harness, 'POST', purgeTarget(harness, endpointId));
    expect((await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), headers, purgeBody())).status).toBe(202);
    const lower = { ...headers, authorization: headers.authorization.replace(/:(\w+)$/, (_, hex: string) => `:${hex.toLowerCase()}`) };
    expectError(await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), lower, purgeBody()), 401, 'InvalidAuthorizationHeader');
  });

  it('takes the same request signed a second later', async () => {
    const first = signedNow(harness, 'POST', purgeTarget(harness, endpointId));
    expect((await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), first, purgeBody())).status).toBe(202);
    harness.clock.advance(1_000);
    const next = signedNow(harness, 'POST', purgeTarget(harness, endpointId));
    expect((await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), next, purgeBody())).status).toBe(202);
  });

  it('answers a repeated GET every time', async () => {
    const target = `/subscriptions/${harness.subscriptionId}/endpoints?apiVersion=1.0`;
    const headers = signedNow(harness, 'GET', target);
    const statuses = [await sendRaw(harness, 'GET', target, headers), await sendRaw(harness, 'GET', target, headers)].map((r) => r.status);
    expect(statuses).toEqual([200, 200]);
  });

  it('refuses a replay 12 hours later of a date with an hour of 01 to 12, which the date check alone would take', async () => {
    const replays: Record<string, number> = {};
    for (const replayCache of [true, false]) {
      const h = await startHarness({ settings: { signature: signature(replayCache) } });
      try {
        h.clock.set('2026-11-22T08:00:00Z');
        const id = await h.createEndpoint('twelve.example.com');
        const headers = signedNow(h, 'POST', purgeTarget(h, id));
        const body = { Files: ['http://twelve.example.com/a.png'] };
        expect((await sendRaw(h, 'POST', purgeTarget(h, id), headers, body)).status).toBe(202);
        h.clock.advance(12 * HOUR);
        replays[String(replayCache)] = (await sendRaw(h, 'POST', purgeTarget(h, id), headers, body)).status;
      } finally {
        await h.close();
      }
    }
    expect(replays).toEqual({ true: 401, false: 202 });
  });

  it('leaves a replay after the window to the date check', async () => {
    harness.clock.set('2026-11-22T16:00:00Z');
    const headers = signedNow(harness, 'POST', purgeTarget(harness, endpointId));
    expect((await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), headers, purgeBody())).status).toBe(202);
    harness.clock.advance(15 * MINUTE + 1_000);
    expectError(await sendRaw(harness, 'POST', purgeTarget(harness, endpointId), headers, purgeBody()), 401, 'AuthorizationHeaderExpired');
  });
});
