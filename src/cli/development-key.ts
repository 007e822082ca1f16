/**
 * The development key a first start makes (no subscription yet, none named in the
 * environment): its value is shown once, so it goes where logs are not collected (stderr when
 * stdout, the JSON log lines, is not a terminal) with where it is saved. `serve` and `api` both
 * make one, and both must say so.
 */
import type { BootstrapResult } from '../server/bootstrap.js';

/** Writes the development key's line and where it is saved; false when no key was made now. */
export function printDevelopmentKey(credentials: BootstrapResult | undefined, savedIn: string): boolean {
  if (!credentials?.exportLine) return false;
  const lines = [
    'A development subscription and full-scope key were created. To use them, paste:',
    credentials.exportLine,
    credentials.saved?.ok
      ? `The line is also in ${savedIn}, readable by you only; the key value is not shown again.`
      : `The line could not be saved in ${savedIn} (${credentials.saved?.problem}) and the key value is not shown again: keep it now.`,
  ];
  (process.stdout.isTTY ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
  return true;
}
