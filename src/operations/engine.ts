/**
 * The operation engine (DESIGN.md). Workers claim the oldest unfinished operation of each
 * endpoint under a lease, set it Processing, run its handler, and end it Succeeded or Failed
 * in one transaction with the endpoint's new state. A lease that lapses (the process died) lets
 * another worker, or this one after a restart, run the operation again; handlers are
 * idempotent. An operation whose handler keeps throwing is failed after `maxAttempts`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { OperationRecord, OperationType } from '../domain/operation.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Store } from '../store/store.js';
import { failed, type HandlerContext, type OperationHandler, type Outcome } from './handler.js';

export interface EngineOptions {
  readonly store: Store;
  readonly fleet: Fleet;
  readonly clock: Clock;
  readonly log: Logger;
  readonly handlers: Readonly<Record<OperationType, OperationHandler>>;
  /** Operations (of different endpoints) run at once. */
  readonly concurrency?: number;
  /** How long a claim holds; renewed while the handler runs. */
  readonly leaseMs?: number;
  /** How often to look for work nobody announced (other processes, lapsed leases). */
  readonly pollMs?: number;
  readonly maxAttempts?: number;
  /** Called when an operation ends (metrics, tests). */
  readonly onFinished?: (operation: OperationRecord, outcome: Outcome, durationMs: number) => void;
}

export class OperationEngine {
  readonly workerId = `worker-${randomUUID()}`;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly runs = new Map<string, Promise<void>>();
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;

  constructor(private readonly options: EngineOptions) {
    this.concurrency = options.concurrency ?? 8;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Whether the loop is claiming work (started and not stopped). */
  get running(): boolean {
    return this.loopDone !== undefined && !this.stopping;
  }

  get inFlight(): number {
    return this.runs.size;
  }

  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.loopDone = this.loop().catch((error: unknown) => {
      this.options.log.fatal({ err: error }, 'operation engine stopped unexpectedly');
    });
  }

  /** There may be new work: look now rather than at the next poll. */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  /**
   * Stops claiming, lets running operations finish for up to `graceMs`, and releases the
   * leases of any still running so the next start (or another worker) resumes them at once.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loopDone;
    this.loopDone = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.runs.values()),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    if (this.runs.size > 0) {
      await this.options.store.operations.releaseLeases(this.workerId).catch(() => undefined);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.pending = false;
      const free = this.concurrency - this.runs.size;
      let claimed: OperationRecord[] = [];
      if (free > 0) {
        try {
          claimed = await this.claim(free);
        } catch (error) {
          this.options.log.error({ err: error }, 'claiming operations failed; retrying');
        }
      }
      for (const operation of claimed) this.launch(operation);
      if (!this.pending && (claimed.length === 0 || this.runs.size >= this.concurrency)) await this.sleep();
    }
  }

  private claim(limit: number): Promise<OperationRecord[]> {
    const now = this.options.clock.now();
    return this.options.store.transaction((tx) => tx.operations.claim(this.workerId, now, now + this.leaseMs, limit));
  }

  private launch(operation: OperationRecord): void {
    const run = this.execute(operation)
      .catch((error: unknown) => this.options.log.error({ err: error, operationId: operation.id }, 'operation run failed'))
      .finally(() => {
        this.runs.delete(operation.id);
        this.notify();
      });
    this.runs.set(operation.id, run);
  }

  private async execute(operation: OperationRecord): Promise<void> {
    const { store, clock, fleet, handlers } = this.options;
    const log = this.options.log.child({ operationId: operation.id, type: operation.type, endpointId: operation.endpointId });
    const started = performance.now();
    const renewal = setInterval(() => {
      store.operations.renewLease(operation.id, this.workerId, clock.now() + this.leaseMs).catch(() => undefined);
    }, Math.max(100, this.leaseMs / 3));
    try {
      const endpoint = await store.endpoints.get(operation.endpointId);
      if (!endpoint) {
        // Cannot happen through the API (endpoints are never removed from the store); end it
        // rather than retry forever.
        await store.operations.finish(operation.id, this.workerId, 'Failed', 'The endpoint of this operation no longer exists.', clock.now());
        return;
      }
      const handler = handlers[operation.type];
      const ctx: HandlerContext = { operation, endpoint, store, fleet, clock, log };

      let outcome: Outcome;
      if (operation.attempts > this.maxAttempts) {
        outcome = failed(`The operation was stopped after ${this.maxAttempts} attempts, each cut short by an error or a restart.`);
      } else {
        try {
          outcome = await handler.run(ctx);
        } catch (error) {
          // A store or programming error, not a verdict on the operation: try again later.
          const retryAt = clock.now() + Math.min(60_000, 1_000 * 2 ** (operation.attempts - 1));
          log.error({ err: error, attempt: operation.attempts }, 'operation handler threw; it will be retried');
          await store.operations.retryLater(operation.id, this.workerId, retryAt).catch(() => undefined);
          return;
        }
      }

      const finished = await store.transaction(async (tx) => {
        const ok = await tx.operations.finish(
          operation.id,
          this.workerId,
          outcome.ok ? 'Succeeded' : 'Failed',
          outcome.ok ? null : outcome.message,
          clock.now(),
        );
        if (ok) await handler.commit(tx, ctx, outcome);
        return ok;
      });
      if (!finished) {
        log.warn('lease lost before the operation ended; another worker owns it now');
        return;
      }
      log.info({ status: outcome.ok ? 'Succeeded' : 'Failed' }, 'operation ended');
      this.options.onFinished?.(operation, outcome, performance.now() - started);
    } finally {
      clearInterval(renewal);
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
