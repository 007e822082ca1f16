/** Assertions on the contract errors that domain and pipeline functions throw. */
import { expect } from 'vitest';
import { ApiError, type ErrorType } from '../../src/contract/errors.js';

/** The ApiError `fn` throws; fails the test if it returns or throws anything else. */
export function catchApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError, but the call returned normally');
}

/**
 * Asserts that `fn` throws an ApiError of `type` and `statusCode` whose message contains every
 * one of `mentions` (what the user has to fix). Returns the error for further checks.
 */
export function expectApiError(
  fn: () => unknown,
  type: ErrorType,
  statusCode: number,
  ...mentions: ReadonlyArray<string | RegExp>
): ApiError {
  const error = catchApiError(fn);
  expect({ type: error.type, statusCode: error.statusCode, message: error.message }).toMatchObject({ type, statusCode });
  for (const mention of mentions) {
    if (typeof mention === 'string') expect(error.message).toContain(mention);
    else expect(error.message).toMatch(mention);
  }
  return error;
}
