import { describe, expect, it } from 'vitest';
import type { AccessControlInput } from '../../../src/contract/schemas/access-control.js';
import {
  checkIpOrRange,
  DEFAULT_ACCESS_CONTROL,
  MAX_FORBIDDEN_IPS,
  MAX_REFERER_ENTRIES,
  MAX_REFERER_ENTRY_LENGTH,
  parseAccessControl,
} from '../../../src/domain/access-control.js';
import { expectApiError } from '../expect-api-error.js';

type Referer = NonNullable<AccessControlInput['RefererControl']>;
const withReferer = (referer: Referer): AccessControlInput => ({ RefererControl: referer });

describe('checkIpOrRange', () => {
  it.each([
    '192.0.2.1',
    '0.0.0.0',
    '10.0.0.0/8',
    '0.0.0.0/0',
    '192.0.2.1/32',
    '2001:db8::1',
    '::1',
    '::ffff:192.0.2.1',
    '2001:db8::/32',
    '::/0',
    '2001:db8::1/128',
  ])('accepts %s', (entry) => {
    expect(checkIpOrRange(entry)).toBeUndefined();
  });

  it.each(['', 'example.com', '256.0.0.1', '192.0.2', ' 192.0.2.1', '192.0.2.1 ', '2001:db8:::1', '/8', 'gggg::1'])(
    'refuses %j as no address',
    (entry) => {
      expect(checkIpOrRange(entry)).toBe('is not an IPv4 or IPv6 address or CIDR range');
    },
  );

  it.each([
    ['192.0.2.0/33', 32],
    ['192.0.2.0/', 32],
    ['192.0.2.0/-1', 32],
    ['192.0.2.0/a', 32],
    ['192.0.2.0/1000', 32],
    ['192.0.2.0/8/8', 32],
    ['2001:db8::/129', 128],
    ['2001:db8::/', 128],
  ])('refuses the prefix length of %s', (entry, max) => {
    expect(checkIpOrRange(entry)).toBe(`has an invalid prefix length; use /0 to /${max}`);
  });
});

describe('parseAccessControl: ForbiddenIps', () => {
  it('gives the defaults for an empty policy', () => {
    expect(parseAccessControl({})).toEqual(DEFAULT_ACCESS_CONTROL);
    expect(DEFAULT_ACCESS_CONTROL.refererControl).toEqual({ enabled: false, pathPatterns: [], referers: [], type: 'BlockList' });
  });

  it('keeps addresses and ranges, IPv6 lower case', () => {
    expect(parseAccessControl({ ForbiddenIps: ['192.0.2.1', '10.0.0.0/8', '2001:DB8::/32'] }).forbiddenIps).toEqual([
      '192.0.2.1',
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
  });

  it('names the bad entry, its value and the allowed prefixes', () => {
    expectApiError(
      () => parseAccessControl({ ForbiddenIps: ['192.0.2.1', '192.0.2.0/33'] }),
      'ParameterInvalid',
      400,
      'ForbiddenIps[1] "192.0.2.0/33"',
      '/0 to /32',
    );
    expectApiError(() => parseAccessControl({ ForbiddenIps: ['evil.example.com'] }), 'ParameterInvalid', 400, 'ForbiddenIps[0] "evil.example.com"', 'IPv4 or IPv6');
  });

  it(`takes ${MAX_FORBIDDEN_IPS} entries and refuses more`, () => {
    const ips = Array.from({ length: MAX_FORBIDDEN_IPS }, (_, i) => `10.${i >> 8}.${i & 255}.1`);
    expect(parseAccessControl({ ForbiddenIps: ips }).forbiddenIps).toHaveLength(MAX_FORBIDDEN_IPS);
    expectApiError(() => parseAccessControl({ ForbiddenIps: [...ips, '192.0.2.1'] }), 'ParameterInvalid', 400, 'ForbiddenIps', `at most ${MAX_FORBIDDEN_IPS}`);
  });
});

describe('parseAccessControl: RefererControl', () => {
  it.each([
    ['AllowList', 'AllowList'],
    ['AllowedList', 'AllowList'],
    ['BlockList', 'BlockList'],
  ] as const)('reads RefererControlType %s as %s', (given, type) => {
    expect(parseAccessControl(withReferer({ Enabled: true, RefererControlType: given })).refererControl.type).toBe(type);
  });

  it.each([[true], ['true'], ['TRUE']])('requires RefererControlType when Enabled is %j', (enabled) => {
    expectApiError(
      () => parseAccessControl(withReferer({ Enabled: enabled, Referers: ['example.com'] })),
      'ParameterMissing',
      400,
      'RefererControl.RefererControlType',
      'AllowList or BlockList',
    );
  });

  it('does not require RefererControlType when disabled, and defaults it to BlockList', () => {
    expect(parseAccessControl(withReferer({ Enabled: 'false', Referers: ['example.com'] })).refererControl).toEqual({
      enabled: false,
      pathPatterns: [],
      referers: ['example.com'],
      type: 'BlockList',
    });
  });

  it('keeps path patterns as given and referers lower case', () => {
    expect(
      parseAccessControl(
        withReferer({ Enabled: 'True', RefererControlType: 'AllowList', PathPatterns: ['/Images/*', '*.MP4'], Referers: ['WWW.Example.COM', '*.example.org'] }),
      ).refererControl,
    ).toEqual({ enabled: true, pathPatterns: ['/Images/*', '*.MP4'], referers: ['www.example.com', '*.example.org'], type: 'AllowList' });
  });

  it.each(['images/*', 'mp4', '?x'])('refuses the path pattern %j, showing good ones', (pattern) => {
    expectApiError(
      () => parseAccessControl(withReferer({ PathPatterns: ['/ok/*', pattern] })),
      'ParameterInvalid',
      400,
      `RefererControl.PathPatterns[1] "${pattern}"`,
      '"/images/*"',
    );
  });

  it.each([
    ['Referers', ''],
    ['Referers', '  '],
    ['Referers', 'a b.example.com'],
    ['Referers', 'a.example.com\r\n'],
    ['PathPatterns', ''],
    ['PathPatterns', '/a b/*'],
  ] as const)('refuses the %s entry %j', (field, entry) => {
    expectApiError(
      () => parseAccessControl(withReferer({ [field]: [entry] })),
      'ParameterInvalid',
      400,
      `RefererControl.${field}[0]`,
      'non-empty',
    );
  });

  it.each(['Referers', 'PathPatterns'] as const)(`takes ${MAX_REFERER_ENTRIES} %s and refuses more`, (field) => {
    const entries = Array.from({ length: MAX_REFERER_ENTRIES }, (_, i) => `/p${i}/*`);
    expect(parseAccessControl(withReferer({ [field]: entries })).refererControl).toBeDefined();
    expectApiError(
      () => parseAccessControl(withReferer({ [field]: [...entries, '/x/*'] })),
      'ParameterInvalid',
      400,
      `RefererControl.${field}`,
      `at most ${MAX_REFERER_ENTRIES}`,
    );
  });

  it.each(['Referers', 'PathPatterns'] as const)(`takes %s entries of ${MAX_REFERER_ENTRY_LENGTH} characters and refuses longer ones`, (field) => {
    const longest = `/${'a'.repeat(MAX_REFERER_ENTRY_LENGTH - 2)}*`;
    expect(parseAccessControl(withReferer({ [field]: [longest] })).refererControl).toBeDefined();
    expectApiError(
      () => parseAccessControl(withReferer({ [field]: [`${longest}b`] })),
      'ParameterInvalid',
      400,
      `RefererControl.${field}[0] is ${MAX_REFERER_ENTRY_LENGTH + 1} characters long`,
      `at most ${MAX_REFERER_ENTRY_LENGTH}`,
    );
  });
});
