/**
 * The one error class the client throws. `type` is the contract's error Type when the server
 * answered with one; otherwise it says what happened on this side.
 */
import type { ErrorType } from '../contract/errors.js';
import type { Operation } from '../contract/schemas/operation.js';

export type ClientErrorType =
  | ErrorType
  /** The server could not be reached, or the connection failed. */
  | 'ConnectionError'
  /** The server answered something that is not the contract's shape. */
  | 'UnexpectedResponse'
  /** waitForOperation: the operation ended Failed (see `operation`). */
  | 'OperationFailed'
  /** waitForOperation: the operation had not ended when the time ran out. */
  | 'OperationTimedOut'
  /** The caller's AbortSignal fired. */
  | 'Aborted';

export class MooncdnError extends Error {
  constructor(
    readonly type: ClientErrorType,
    message: string,
    /** The HTTP status, or 0 when there was no answer. */
    readonly status: number = 0,
    /** The response's X-Correlation-Id, to quote when asking the operator. */
    readonly correlationId: string | undefined = undefined,
    /** For OperationFailed and OperationTimedOut: the operation as last seen. */
    readonly operation: Operation | undefined = undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MooncdnError';
  }
}
