import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '../../../src/edge/policy/http-date.js';

const T = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = Date.UTC(2026, 2, 1);

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it('reads IMF-fixdate and both obsolete formats', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(T);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(T);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(T);
    expect(parseHttpDate('Sun Nov 16 08:49:37 1994')).toBe(T + 10 * 86_400_000);
  });

  it('places a two-digit year more than 50 years ahead in the past century', () => {
    expect(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT', NOW)).toBe(Date.UTC(2070, 0, 1));
    expect(parseHttpDate('Friday, 01-Jan-77 00:00:00 GMT', NOW)).toBe(Date.UTC(1977, 0, 1));
  });

  it.each(['0', '-1', '1', 'garbage', '', '2026-03-01T00:00:00Z', 'Sun, 6 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 UTC',
    'sun, 06 nov 1994 08:49:37 gmt', 'Sun, 06 Nov 1994 08:49:37 +0000', 'Sun, 06 Nov 1994 24:00:00 GMT', 'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 94 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49 GMT'])('refuses %j, which Date.parse may accept', (text) => {
    expect(parseHttpDate(text)).toBeUndefined();
  });

  it('allows surrounding whitespace and a leap second', () => {
    expect(parseHttpDate('  Sun, 06 Nov 1994 08:49:37 GMT ')).toBe(T);
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT')).toBe(Date.UTC(2017, 0, 1));
  });
});
