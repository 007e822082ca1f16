/**
 * What one operation Type does. `run` does the edge work and may be run again after a crash,
 * so it must be idempotent (record progress as it goes); `commit` writes the endpoint's new
 * state in the transaction that ends the operation.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Endpoint } from '../domain/endpoint.js';
import type { OperationRecord } from '../domain/operation.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Repositories, Store } from '../store/store.js';

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface HandlerContext {
  readonly operation: OperationRecord;
  /** The endpoint as it is when the operation starts. */
  readonly endpoint: Endpoint;
  readonly store: Store;
  readonly fleet: Fleet;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface OperationHandler {
  run(ctx: HandlerContext): Promise<Outcome>;
  commit(tx: Repositories, ctx: HandlerContext, outcome: Outcome): Promise<void>;
}

export const succeeded: Outcome = { ok: true };

export function failed(message: string): Outcome {
  return { ok: false, message };
}
