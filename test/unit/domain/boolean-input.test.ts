import { describe, expect, it } from 'vitest';
import { parseBooleanInput } from '../../../src/domain/boolean-input.js';

describe('parseBooleanInput', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['false', false],
    ['FALSE', false],
    ['fAlSe', false],
  ] as const)('reads %j as %s', (value, expected) => {
    expect(parseBooleanInput(value, !expected)).toBe(expected);
  });

  it('uses the fallback when the value is not given', () => {
    expect(parseBooleanInput(undefined, true)).toBe(true);
    expect(parseBooleanInput(undefined, false)).toBe(false);
  });

  it('does not use the fallback for a given false', () => {
    expect(parseBooleanInput('false', true)).toBe(false);
    expect(parseBooleanInput(false, true)).toBe(false);
  });
});
