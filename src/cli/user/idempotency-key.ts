/**
 * `--idempotency-key KEY` (extension: mooncdn only) on every command that changes something: the
 * change goes with that Idempotency-Key, so the same command run again with the same key (a CI
 * job retrying its whole step) gets the first answer, the same operation id, instead of a second
 * change, for 24 hours; the same key with another request is refused (ParameterInvalid).
 */
import type { Command } from 'commander';
import type { ChangeOptions } from '../../client/index.js';
import { withConnection } from './connection.js';

export interface IdempotencyFlags {
  idempotencyKey?: string;
}

export function withIdempotencyKey(command: Command): Command {
  return command.option(
    '--idempotency-key <key>',
    'Extension (mooncdn): send the change with this Idempotency-Key; run again with the same key within 24 h, it gets the same operation instead of a second one',
  );
}

/**
 * The client's options for request `index` of the `count` one command sends: the key itself, or
 * KEY/1, KEY/2, ... when it sends several (a purge over several endpoints or batches), since one
 * key names one request. The same command plans the same requests, so a rerun sends the same keys.
 */
export function changeOptions(flags: IdempotencyFlags, index = 0, count = 1): ChangeOptions {
  if (flags.idempotencyKey === undefined) return {};
  return { idempotencyKey: count === 1 ? flags.idempotencyKey : `${flags.idempotencyKey}/${index + 1}` };
}

/** The connection flags, --json and --idempotency-key: what a command that changes something takes. */
export function withChange(command: Command): Command {
  return withIdempotencyKey(withConnection(command));
}
