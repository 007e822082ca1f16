import { ConfigError } from '../../../src/config/serve-config.js';

/** The problems a configuration error lists, or none when `fn` does not throw one. */
export function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
