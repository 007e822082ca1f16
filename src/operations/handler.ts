/**
 * What one operation Type does. `run` does the edge work and may be run again after a crash,
 * so it must be idempotent (record progress as it goes); `commit` writes the endpoint's new
 * state in the transaction that ends the operation.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Endpoint } from '../domain/endpoint.js';
import type { OperationRecord } from '../domain/operation.js';
import type { EdgeOutcome, Fleet } from './fleet.js';
import type { Repositories, Store } from '../store/store.js';

export type Outcome = ({ readonly ok: true } | { readonly ok: false; readonly message: string }) & {
  /** What each edge did, for the per-edge status of purges and preloads (extension). */
  readonly edges?: readonly EdgeOutcome[];
};

export interface HandlerContext {
  readonly operation: OperationRecord;
  /**
   * Every operation run together: `operation` first, then the operations of the same type that
   * followed it on the endpoint, when the handler coalesces. Otherwise just `operation`.
   */
  readonly group: readonly OperationRecord[];
  /** The endpoint as it is when the operation starts. */
  readonly endpoint: Endpoint;
  readonly store: Store;
  readonly fleet: Fleet;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface OperationHandler {
  /** Does the edge work of `ctx.group`. */
  run(ctx: HandlerContext): Promise<Outcome>;
  /** Writes what one operation of the group changes, in the transaction that ends it. */
  commit(tx: Repositories, ctx: HandlerContext, outcome: Outcome): Promise<void>;
  /**
   * Consecutive operations of this type on one endpoint may run as one group: their effects
   * commute, so doing them together is the same as doing them in order.
   */
  readonly coalesces?: boolean;
}

export const succeeded: Outcome = { ok: true };

export function failed(message: string): Outcome {
  return { ok: false, message };
}

/** The outcome with each edge's part in it. */
export function withEdges(outcome: Outcome, edges: readonly EdgeOutcome[]): Outcome {
  return { ...outcome, edges };
}
