/**
 * The connect-time check against names whose answer changes (DNS rebinding): the guarded
 * connector asks the resolver on every new connection and checks what it is about to connect
 * to, so a name that first resolved to an allowed address and then to a denied one is refused
 * on the next connection, and a name with any denied address among its answers is refused.
 * Real servers on 127.0.0.1 and 127.0.0.2 (the same port); the resolver is the test's.
 */
import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { guardedConnector, OriginAddressDenied, type Resolver } from '../../src/edge/origin-connector.js';
import { OriginAddressPolicy, parseDenyList, type DeniedRange } from '../../src/edge/policy/origin-address.js';
import { closeAll, startOrigin, track } from './edge-fixture.js';

afterEach(closeAll);

const policy = () => new OriginAddressPolicy((parseDenyList('127.0.0.2/32') as { ranges: readonly DeniedRange[] }).ranges);

/** A resolver that gives `answers` in turn, one list per lookup, and counts the lookups. */
function scriptedResolver(...answers: string[][]): Resolver & { lookups: number } {
  const resolver = Object.assign(
    ((_hostname, _options, callback) => {
      const next = answers[Math.min(resolver.lookups++, answers.length - 1)]!;
      const addresses: LookupAddress[] = next.map((address) => ({ address, family: 4 }));
      queueMicrotask(() => callback(null, addresses));
    }) as Resolver,
    { lookups: 0 },
  );
  return resolver;
}

/** A server on 127.0.0.2 at `port`, counting the requests it gets. */
async function internalServer(port: number): Promise<{ requests: number }> {
  const seen = { requests: 0 };
  const server: Server = createServer((_req, res) => {
    seen.requests++;
    res.end('internal');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.2', resolve));
  track({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return seen;
}

function agent(resolver: Resolver): Agent {
  return track(new Agent({ connect: guardedConnector(policy(), { timeout: 2_000 }, resolver) }));
}

describe('a name that rebinds', () => {
  it('is refused on the connection after its answer turns to a denied address', async () => {
    const origin = await startOrigin();
    // Each answer closes its connection, so every request needs a new one (and a new lookup).
    origin.on('/r', { body: 'public', headers: { connection: 'close' } });
    const internal = await internalServer(origin.port);
    const resolver = scriptedResolver(['127.0.0.1'], ['127.0.0.2']);
    const dispatcher = agent(resolver);
    const url = `http://rebind.example:${origin.port}/r`;

    const first = await request(url, { dispatcher });
    expect(await first.body.text()).toBe('public');
    const second = request(url, { dispatcher });
    await expect(second).rejects.toBeInstanceOf(OriginAddressDenied);
    await expect(second).rejects.toThrow(/rebind\.example:\d+ \(resolved to 127\.0\.0\.2\) is denied/);
    expect(resolver.lookups).toBe(2);
    expect(internal.requests).toBe(0);
  });

  it('is refused when any of its addresses is denied, before any is tried', async () => {
    const origin = await startOrigin();
    origin.on('/r', { body: 'public' });
    const internal = await internalServer(origin.port);
    const dispatcher = agent(scriptedResolver(['127.0.0.1', '127.0.0.2']));

    await expect(request(`http://mixed.example:${origin.port}/r`, { dispatcher })).rejects.toBeInstanceOf(OriginAddressDenied);
    expect(origin.requests).toHaveLength(0);
    expect(internal.requests).toBe(0);
  });
});
