/**
 * Long-poll (extension): the operation GET with `wait=N` answers as soon as the operation has
 * ended, or after N seconds with the state it is in then.
 */
import { Errors } from '../../contract/errors.js';
import { isFinal, type OperationRecord } from '../../domain/operation.js';
import type { OperationWatch } from './operation-watch.js';

/** The longest wait a request may ask for: proxies and load balancers commonly cut idle requests at 60 s or more. */
export const MAX_WAIT_SECONDS = 60;

/** `wait` as the query string has it: a whole number of seconds from 0 to MAX_WAIT_SECONDS; absent is 0. */
export function parseWaitSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const seconds = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 0 && seconds <= MAX_WAIT_SECONDS)) {
    throw Errors.parameterInvalid(`Query parameter wait "${value.slice(0, 20)}" must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}.`);
  }
  return seconds;
}

/**
 * Reads the operation until it has ended or `waitMs` has passed, waking on its changes only.
 * A client that leaves (`signal`) or a server that closes ends the wait at once.
 */
export async function awaitEnd(
  watch: OperationWatch,
  operationId: string,
  read: () => Promise<OperationRecord>,
  waitMs: number,
  signal?: AbortSignal,
): Promise<OperationRecord> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const left = deadline - performance.now();
    // Waiting starts before the read, so a change committed in between still wakes it.
    const wake = left > 0 ? watch.next(operationId, left, signal) : undefined;
    const operation = await read();
    if (!wake || isFinal(operation.status)) {
      wake?.cancel();
      return operation;
    }
    if ((await wake.reason) === 'aborted') return signal?.aborted ? operation : read();
  }
}
