/**
 * Long-poll (extension): a GET with `wait=N` of an operation, a purge or a preload answers as
 * soon as the operation has ended, or after N seconds with the state it is in then. Every such
 * route waits through `readAfterWait`, so they share one meaning of `wait` and one cap.
 */
import { Errors } from '../../contract/errors.js';
import { isFinal, type OperationRecord } from '../../domain/operation.js';
import type { OperationWatch } from './operation-watch.js';

/** The longest wait a request may ask for: proxies and load balancers commonly cut idle requests at 60 s or more. */
export const MAX_WAIT_SECONDS = 60;

/** The OpenAPI description of a route that takes wait=N, answering `what` (its v1.0 answer otherwise). */
export function longPollDescription(what: string): string {
  return `The v1.0 route. Extension (not in the v1.0 API): with wait=N (whole seconds, 0 to ${MAX_WAIT_SECONDS}) the answer ` +
    `(${what}) comes as soon as the operation has ended (Succeeded or Failed), or after N seconds with its state then; ` +
    'without wait, at once as in v1.0. It works whichever API replica the operation runs or ends on.';
}

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
 * The operation as the route answers it: read at once when `waitSeconds` (parseWaitSeconds of
 * the query, before anything is looked up) is 0 or when it has already ended; otherwise once it
 * ends or the wait runs out.
 */
export async function readAfterWait(
  watch: OperationWatch,
  read: () => Promise<OperationRecord>,
  waitSeconds: number,
  signal?: AbortSignal,
): Promise<OperationRecord> {
  const waitMs = waitSeconds * 1000;
  const operation = await read();
  if (waitMs === 0 || isFinal(operation.status)) return operation;
  return awaitEnd(watch, operation.id, read, waitMs, signal);
}

/** Aborts when the client closes the connection before the answer is complete. */
export function clientGone(reply: { readonly raw: { once(event: 'close', listener: () => void): unknown } }): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());
  return controller.signal;
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
