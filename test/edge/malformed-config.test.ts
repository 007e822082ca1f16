/**
 * A setting the edge cannot use, as an older store may still hold (a lone UTF-16 surrogate
 * in a cache rule or a referer pattern, an address that is none), is left out when the
 * configuration is applied, with a warning naming it; the rest of the endpoint works
 * (issue 9, item 5). Before, one such rule item made every miss of the endpoint a 502.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, startEdge, startOrigin } from './edge-fixture.js';

afterEach(closeAll);

const DOMAIN = 'cdn.example.com';

/** A logger whose lines (parsed) the test can read. */
function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('a configuration with settings the edge cannot use', () => {
  it('serves the endpoint under its other cache rules and logs each rule item left out', async () => {
    const origin = await startOrigin();
    origin.on('/img/a.png', { body: 'png' });
    origin.on('/other.txt', { body: 'txt' });
    const { log, lines } = capturingLog();
    const edge = await startEdge({ log });
    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      cachePolicy: {
        rules: [
          { type: 'FullUri', items: ['/\udc00.html'], ttlSeconds: 60 },
          { type: 'Dir', items: ['/bad\ud800/', '/img/'], ttlSeconds: 3600 },
        ],
      },
    });

    const responses = [await edge.get(DOMAIN, '/img/a.png'), await edge.get(DOMAIN, '/img/a.png'), await edge.get(DOMAIN, '/other.txt')];
    expect(responses.map((r) => [r.status, r.text, r.headers['x-cache']])).toEqual([
      [200, 'png', 'MISS'],
      [200, 'png', 'HIT'],
      [200, 'txt', 'MISS'],
    ]);
    expect(lines.map((line) => [line.level, line.endpointId, line.ignored])).toEqual([
      [40, `ep-${DOMAIN}`, 'cache rule item "/\\udc00.html" (Rules[0].Items[0])'],
      [40, `ep-${DOMAIN}`, 'cache rule item "/bad\\ud800/" (Rules[1].Items[0])'],
    ]);
  });

  it('applies access control without the entries it cannot use, and logs them', async () => {
    const origin = await startOrigin();
    origin.on('/img/a.png', { body: 'png' });
    const { log, lines } = capturingLog();
    const edge = await startEdge({ log });
    await edge.endpoint({
      customDomain: DOMAIN,
      originAddresses: [origin.address],
      accessControl: {
        forbiddenIps: ['not-an-address', '10.0.0.0/8'],
        refererControl: { enabled: true, type: 'AllowList', pathPatterns: ['/\ud800*', '/img/*'], referers: ['\udbff.example.com', 'good.example.com'] },
      },
    });

    const allowed = await edge.get(DOMAIN, '/img/a.png', { headers: { referer: 'http://good.example.com/page' } });
    const refused = await edge.get(DOMAIN, '/img/a.png', { headers: { referer: 'http://evil.example.com/page' } });
    expect([allowed.status, allowed.text, refused.status]).toEqual([200, 'png', 403]);
    expect(lines.map((line) => line.ignored)).toEqual([
      'ForbiddenIps entry "not-an-address" (ForbiddenIps[0])',
      'referer path pattern "/\\ud800*" (RefererControl.PathPatterns[0])',
      'referer "\\udbff.example.com" (RefererControl.Referers[0])',
    ]);
  });
});
