/** The console's pure logic: which field an API message is about, traffic figures, the URL fragment's page, the fleet's summary. */
import { describe, expect, it } from 'vitest';
import { belongsTo, fieldOf } from '../../../src/console/field-errors.js';
import { fleetSummary, formatAge } from '../../../src/console/fleet-summary.js';
import { parseRoute } from '../../../src/console/route.js';
import { figures, formatRatio } from '../../../src/console/traffic-figures.js';

describe('fieldOf', () => {
  it.each([
    ['Body property Rules[0].TTL must be a whole number (a JSON number or a string of digits).', 'Rules[0].TTL'],
    ['Rules[1].TTL "99999999999" must be whole seconds from 0 to 31536000.', 'Rules[1].TTL'],
    ['Rules has 60 rules; at most 50 are allowed.', 'Rules'],
    ['ForbiddenIps[2] "10.0.0.0/99" is not an IPv4 or IPv6 address or CIDR range.', 'ForbiddenIps[2]'],
    ['RefererControl.PathPatterns[0] "img" must start with "/" or "*", e.g. "/images/*" or "*.mp4".', 'RefererControl.PathPatterns[0]'],
    ['CustomDomain "a..b" is not a valid host name.', 'CustomDomain'],
    ['Body property EndpointSettings.Origin is required.', 'EndpointSettings.Origin'],
  ])('%s is about %s', (message, field) => {
    expect(fieldOf(message)).toBe(field);
  });

  it.each(['The request body must be a JSON object.', 'A JSON request body is required.', 'Endpoint "x" does not exist.'])('%s is about no field', (message) => {
    expect(fieldOf(message)).toBeUndefined();
  });

  it('gives a field the errors about it and what is inside it, not its neighbours', () => {
    expect(belongsTo('Rules[1].TTL', 'Rules[1].TTL')).toBe(true);
    expect(belongsTo('Rules[1].TTL', 'Rules[1]')).toBe(true);
    expect(belongsTo('ForbiddenIps[3]', 'ForbiddenIps')).toBe(true);
    expect(belongsTo('Rules[10].TTL', 'Rules[1]')).toBe(false);
    expect(belongsTo('RefererControl.Referers[0]', 'RefererControl.PathPatterns')).toBe(false);
    expect(belongsTo(undefined, 'Rules')).toBe(false);
  });
});

describe('traffic figures', () => {
  it('totals, peak, valley and hit ratio of CDN and origin', () => {
    const result = figures([
      { cdn: 0, origin: 0 },
      { cdn: 3, origin: 1 },
      { cdn: 1, origin: 0 },
    ]);
    expect(result).toEqual({ total: { cdn: 4, origin: 1 }, peak: { cdn: 3, origin: 1 }, valley: { cdn: 0, origin: 0 }, hitRatio: 0.75 });
    expect(formatRatio(result.hitRatio)).toBe('75.0 %');
  });

  it('says "no traffic" rather than a ratio of nothing, and never a negative ratio', () => {
    expect(figures([]).hitRatio).toBeUndefined();
    expect(formatRatio(figures([{ cdn: 0, origin: 0 }]).hitRatio)).toBe('no traffic');
    // A fill the client abandoned: more from the origin than to clients.
    expect(figures([{ cdn: 1, origin: 2 }]).hitRatio).toBe(0);
  });
});

describe('parseRoute', () => {
  const ID = '9d69f326-ad7a-4a5b-8408-2abf67f5e38e';
  it.each([
    ['', { page: 'endpoints' }],
    ['#/endpoints', { page: 'endpoints' }],
    [`#/endpoints/${ID}`, { page: 'endpoint', id: ID, tab: 'settings' }],
    [`#/endpoints/${ID}/cache-rules`, { page: 'endpoint', id: ID, tab: 'cache-rules' }],
    [`#/endpoints/${ID}/nonsense`, { page: 'endpoint', id: ID, tab: 'settings' }],
    ['#/endpoints/not-an-id', { page: 'endpoints' }],
    [`#/operations?endpoint=${ID}`, { page: 'operations', endpoint: ID }],
    ['#/operations?endpoint=../../x', { page: 'operations', endpoint: undefined }],
    ['#/traffic', { page: 'traffic', endpoint: undefined }],
    ['#/certificates', { page: 'certificates' }],
    ['#/fleet', { page: 'fleet' }],
    ['#/elsewhere', { page: 'endpoints' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });
});

describe('fleet summary', () => {
  it('counts the edges in each state, leaving out states with none', () => {
    expect(fleetSummary([{ State: 'serving' }, { State: 'fenced' }, { State: 'serving' }])).toBe('3 edges: 2 serving, 1 fenced');
    expect(fleetSummary([{ State: 'syncing' }])).toBe('1 edge: 1 syncing');
    expect(fleetSummary([])).toBe('No edge has reported to the control plane yet.');
  });

  it('says how long ago a heartbeat was in the unit a person reads', () => {
    expect(formatAge(0.42)).toBe('0.4 s ago');
    expect(formatAge(12.4)).toBe('12 s ago');
    expect(formatAge(600)).toBe('10 min ago');
    expect(formatAge(3 * 3600)).toBe('3 h ago');
  });
});
