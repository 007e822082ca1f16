import { describe, expect, it } from 'vitest';
import { decodeRepeatedly, normalizePath } from '../../../src/domain/url-path.js';
import { prng } from '../../api/fuzz-kit.js';

/** Decoding the whole text again and again until no escape is left: the definition. */
function decodeByRounds(value: string): string {
  let current = value;
  while (/%[0-9a-fA-F]{2}/.test(current)) current = current.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return current;
}

describe('decodeRepeatedly', () => {
  it.each([
    ['a.jpg', 'a.jpg'],
    ['%2e%2E', '..'],
    ['%252e', '.'],
    [`%${'25'.repeat(1000)}2e`, '.'],
    ['%%32%35', '%'],
    ['%2%35', '%'],
    ['%%2541', '%A'],
    ['%4%31', 'A'],
    ['%zz%', '%zz%'],
    ['a%41'.repeat(5000), 'aA'.repeat(5000)],
  ])('decodes %s', (value, decoded) => {
    expect(decodeRepeatedly(value)).toBe(decoded);
  });

  it('gives what decoding round after round gives, for 20,000 random texts of escapes', () => {
    const random = prng(7);
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: random.int(24) }, () => random.pick(['%', '%', '2', '5', '4', '1', 'e', 'E', 'a', 'f', '3', '/'])).join('');
      expect(decodeRepeatedly(text), text).toBe(decodeByRounds(text));
    }
  });
});

describe('normalizePath', () => {
  it('merges repeated slashes, so "//a.png" is the "/a.png" a purge names', () => {
    expect(normalizePath('//a.png')).toBe('/a.png');
    expect(normalizePath('/img///sub//b.png')).toBe('/img/sub/b.png');
    expect(normalizePath('/dir//')).toBe('/dir/');
  });

  it('decodes escapes of unreserved characters and upper-cases the others', () => {
    expect(normalizePath('/a%7eb%2fc')).toBe('/a~b%2Fc');
  });
});
