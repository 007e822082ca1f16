/** Argument parsers shared by the commands; a bad value is a usage error (exit 2 with help). */
import { InvalidArgumentError } from 'commander';

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of at least 1.');
  return Number(value);
}
