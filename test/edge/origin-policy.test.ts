/**
 * The origin address policy at a real edge, against real origins on 127.0.0.1: a denied
 * origin gets the client a 502 that names no address, and the origin sees nothing; a host
 * name that resolves to a denied address is refused too; failover passes a denied address
 * like a dead one; a preload says the policy refused; the edge's own ports are refused even
 * with an empty list; and without a list, loopback origins work as before.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { CACHE_ALL_RULES, closeAll, ControlledOrigin, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';
const POLICY_MESSAGE = "The origin address is not allowed by this edge's origin policy.\n";

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

async function failedFetches(metrics: Metrics): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString('mooncdn_edge_origin_fetch_duration_seconds');
  return Number(/^mooncdn_edge_origin_fetch_duration_seconds_count\{outcome="failed"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe('an origin in a denied range', () => {
  it('gets the client a 502 naming no address; the origin sees no request; the log names the endpoint', async () => {
    const origin = await startOrigin();
    origin.on('/a', { body: 'secret' });
    const { log, lines } = capturedLog();
    const metrics = new Metrics();
    const edge = await startEdge({ originDeny: '127.0.0.0/8', log, metrics });
    const config = await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    const answer = await edge.get(DOMAIN, '/a');
    expect(answer.status).toBe(502);
    expect(answer.text).toBe(POLICY_MESSAGE);
    expect(answer.text).not.toContain('127.0.0.1');
    expect(origin.requests).toHaveLength(0);

    const warning = lines.find((line) => line.msg === 'origin address denied by the origin policy');
    expect(warning).toMatchObject({ level: 40, endpointId: config.endpointId });
    expect(String(warning!.err)).toContain(origin.address);
    expect(await failedFetches(metrics)).toBe(1);
  });

  it('is refused for other methods too (a pass-through, not a fill)', async () => {
    const origin = await startOrigin();
    const edge = await startEdge({ originDeny: 'private' });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });

    const answer = await edge.get(DOMAIN, '/form', { method: 'POST', body: 'a=1' });
    expect([answer.status, answer.text]).toEqual([502, POLICY_MESSAGE]);
    expect(origin.requests).toHaveLength(0);
  });

  it('is refused when given as a host name that resolves into the range (localhost)', async () => {
    const origin = await startOrigin();
    origin.on('/n', { body: 'by name' });
    const edge = await startEdge({ originDeny: '127.0.0.0/8, ::1' });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [`localhost:${origin.port}`] });

    const answer = await edge.get(DOMAIN, '/n');
    expect([answer.status, answer.text]).toEqual([502, POLICY_MESSAGE]);
    expect(origin.requests).toHaveLength(0);
  });

  it('is skipped for the next Origin.Addresses entry, as a dead address is', async () => {
    // A live origin on 127.0.0.2, denied, and an allowed one on 127.0.0.1.
    const denied = await ControlledOrigin.start({ 'content-length': '6' }, '127.0.0.2');
    const allowed = await startOrigin();
    allowed.on('/f', { body: 'from the second' });
    const edge = await startEdge({ originDeny: '127.0.0.2/32' });
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [denied.address, allowed.address] });

    const answer = await edge.get(DOMAIN, '/f');
    expect([answer.status, answer.text]).toEqual([200, 'from the second']);
    expect(denied.requests).toHaveLength(0);
    expect(allowed.requests).toHaveLength(1);
  });

  it('fails a preload with a message saying the policy denied the origin address', async () => {
    const origin = await startOrigin();
    origin.on('/p', { body: 'p' });
    const edge = await startEdge({ originDeny: 'private' });
    const config = await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address], cachePolicy: CACHE_ALL_RULES });

    await expect(edge.node.preload(config.endpointId, { path: '/p', query: '' })).rejects.toThrow(/origin address is denied by this edge's origin policy/);
    expect(origin.requests).toHaveLength(0);
  });
});

describe('without a deny list', () => {
  it('fetches from an origin on 127.0.0.1, by address and as localhost', async () => {
    const origin = await startOrigin();
    origin.on('/ok', { body: 'ok' });
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [origin.address] });
    await edge.endpoint({ customDomain: 'name.example.com', originAddresses: [`localhost:${origin.port}`] });

    expect((await edge.get(DOMAIN, '/ok')).text).toBe('ok');
    expect((await edge.get('name.example.com', '/ok')).text).toBe('ok');
    expect(origin.requests).toHaveLength(2);
  });

  it("still refuses the edge's own port as an origin, which would loop requests through it", async () => {
    const edge = await startEdge();
    await edge.endpoint({ customDomain: DOMAIN, originAddresses: [`127.0.0.1:${edge.httpPort}`] });
    await edge.endpoint({ customDomain: 'name.example.com', originAddresses: [`localhost:${edge.httpPort}`] });

    expect(await edge.get(DOMAIN, '/loop')).toMatchObject({ status: 502, text: POLICY_MESSAGE });
    expect(await edge.get('name.example.com', '/loop')).toMatchObject({ status: 502, text: POLICY_MESSAGE });
  });
});
