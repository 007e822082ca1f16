/**
 * Long-poll on the purge and preload results (extension): GET .../purges/{p}?wait=N and
 * .../preloads/{p}?wait=N answer when the operation ends, with every URL's final status, or after
 * N seconds with the state then; a bad wait is refused as on the operation route (one parser).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api-harness.js';
import { expectError } from './route-test-kit.js';
import { until as poll } from '../support/poll.js';

let harness: Harness;
let endpointId: string;
let domain: string;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(async () => {
  harness.plane.engine.start();
  await harness.reset();
  endpointId = await harness.createEndpoint();
  domain = (await harness.store.endpoints.get(endpointId))!.customDomain;
});

const KINDS = [
  { route: 'purges', body: () => ({ Files: [`http://${domain}/a.png`] }), running: 'Running', done: 'Succeed' },
  { route: 'preloads', body: () => ({ Files: [`http://${domain}/a.png`] }), running: 'Waiting', done: 'Succeed' },
] as const;

/** Accepted while the engine is stopped: it stays NotSet until the engine starts again. */
async function pending(route: string, body: unknown): Promise<string> {
  await harness.plane.engine.stop();
  const response = await harness.sub('POST', `/endpoints/${endpointId}/${route}`, { body });
  expect(response.status, response.text).toBe(202);
  return response.body.AsyncInfo.TaskTrackId as string;
}

/** In-process waits are short: 5 s at most, looking every 5 ms. */
const until = (condition: () => boolean | Promise<boolean>, what: string) => poll(condition, what, { timeoutMs: 5_000, everyMs: 5 });

const waiting = () => harness.plane.api.operationWatch.waiting;

describe.each(KINDS)('GET .../$route/{id}?wait=N', ({ route, body, running, done }) => {
  it('answers as soon as the operation ends, with every URL\'s final status', async () => {
    const id = await pending(route, body());
    const answer = harness.sub('GET', `/endpoints/${endpointId}/${route}/${id}?wait=30`);
    await until(() => waiting() === 1, 'the request waits');
    const started = performance.now();
    harness.plane.engine.start();
    const response = await answer;
    expect(response.status, response.text).toBe(200);
    expect(response.body.Files).toEqual([{ Url: `http://${domain}/a.png`, Status: done }]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(waiting()).toBe(0);
  });

  it('answers after N seconds with the state then, and at once without wait', async () => {
    const id = await pending(route, body());
    const started = performance.now();
    const response = await harness.sub('GET', `/endpoints/${endpointId}/${route}/${id}?wait=1`);
    const elapsed = performance.now() - started;
    expect(response.status, response.text).toBe(200);
    expect(response.body.Files).toEqual([{ Url: `http://${domain}/a.png`, Status: running }]);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(5_000);

    const plainStarted = performance.now();
    const plain = await harness.sub('GET', `/endpoints/${endpointId}/${route}/${id}`);
    expect(plain.body.Files).toEqual([{ Url: `http://${domain}/a.png`, Status: running }]);
    expect(performance.now() - plainStarted).toBeLessThan(900);
    expect(waiting()).toBe(0);
  });

  it.each(['61', 'abc', '-1'])('refuses wait=%s with ParameterInvalid naming wait and its range', async (value) => {
    const id = await pending(route, body());
    const response = await harness.sub('GET', `/endpoints/${endpointId}/${route}/${id}?wait=${value}`);
    expectError(response, 400, 'ParameterInvalid', /wait/, /0 to 60/);
  });

  it('answers 404 for an unknown id before waiting', async () => {
    const response = await harness.sub('GET', `/endpoints/${endpointId}/${route}/00000000-0000-4000-8000-000000000000?wait=30`);
    expectError(response, 404, 'ParameterInvalid', /does not exist/);
    expect(waiting()).toBe(0);
  });
});
