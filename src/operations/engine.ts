/**
 * The operation engine (DESIGN.md). Workers claim the oldest unfinished operation of each
 * endpoint, per lane (domain/operation-order.ts), under a lease, set it Processing, run its handler, and end it Succeeded or Failed
 * in one transaction with the endpoint's new state. A lease that lapses (the process died) lets
 * another worker, or this one after a restart, run the operation again; handlers are
 * idempotent. An operation whose handler keeps throwing is failed after `maxAttempts`.
 * Consecutive operations of a type whose handler coalesces (purges) run as one group.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { OperationRecord, OperationType } from '../domain/operation.js';
import { laneOf } from '../domain/operation-order.js';
import type { Fleet } from './fleet.js';
import type { Repositories, Store } from '../store/store.js';
import { failed, type HandlerContext, type OperationHandler, type Outcome } from './handler.js';

/** How long after a retry comes due the engine looks for it (see execute). */
const RETRY_WAKE_MARGIN_MS = 20;
/** Tries at giving an operation back after its run failed (250, 500 and 1,000 ms apart). */
const GIVE_BACK_ATTEMPTS = 4;
/** The first wait after a claim failed; it doubles with each failure in a row, up to the poll. */
const CLAIM_RETRY_MS = 250;

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
  /** How often to look for work nobody announced (other processes, lapsed leases, retries due). */
  readonly pollMs?: number;
  /**
   * The same while `listening()` says other processes' operations are announced (PostgreSQL
   * NOTIFY): the poll is then only the fallback for leases that lapsed (retries after a
   * backoff wake the loop themselves).
   */
  readonly listenedPollMs?: number;
  readonly listening?: () => boolean;
  readonly maxAttempts?: number;
  /**
   * Runs inside the transaction that ends each operation, with the operation as it ended: what
   * must happen if and only if the end commits (webhook deliveries).
   */
  readonly recordEnd?: (tx: Repositories, ended: OperationRecord) => Promise<void>;
  /** Called when an operation ends (metrics, tests). */
  readonly onFinished?: (operation: OperationRecord, outcome: Outcome, durationMs: number) => void;
}

function laneKey(endpointId: string, type: OperationType): string {
  return `${endpointId} ${laneOf(type)}`;
}

/** Operations run as one group at most (consecutive purges of one endpoint). */
const MAX_GROUP = 100;

export class OperationEngine {
  readonly workerId = `worker-${randomUUID()}`;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly listenedPollMs: number;
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
    this.listenedPollMs = options.listenedPollMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Whether the loop is waiting for a notice or its poll (it has looked for work and found none it can take). */
  get idle(): boolean {
    return this.wake !== undefined;
  }

  /** Whether the loop is claiming work (started and not stopped). */
  get running(): boolean {
    return this.loopDone !== undefined && !this.stopping;
  }

  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.loopDone = this.loop().catch((error: unknown) => {
      this.options.log.fatal({ err: error }, 'operation engine stopped unexpectedly');
    });
  }

  /**
   * There may be new work: look now rather than at the next poll. A change accepted for an
   * endpoint whose operation of the same lane is running here cannot start before that one
   * ends, and its end looks again; so such a notice is dropped (a stream of purges for one
   * endpoint would otherwise keep the engine claiming nothing, back to back).
   */
  notify(endpointId?: string, type?: OperationType): void {
    if (endpointId !== undefined && type !== undefined && this.busyLanes.has(laneKey(endpointId, type))) return;
    this.pending = true;
    this.wake?.();
  }

  /** Claims that failed in a row (the store away). */
  private claimFailures = 0;

  /** Endpoint lanes with an operation running in this process. */
  private readonly busyLanes = new Set<string>();

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
      let claimed: OperationRecord[][] = [];
      if (free > 0) {
        try {
          claimed = await this.claim(free);
          this.claimFailures = 0;
        } catch (error) {
          // The store is away (or worse): look again soon, not at once and not a whole poll later
          // (10 s while listening: the notices of what was accepted meanwhile may be lost with it).
          this.claimFailures++;
          const retryMs = Math.min(CLAIM_RETRY_MS * 2 ** (this.claimFailures - 1), this.pollMs);
          this.options.log.error({ err: error, retryMs }, 'claiming operations failed; retrying');
          await this.sleep(retryMs);
          continue;
        }
      }
      for (const group of claimed) this.launch(group);
      if (!this.pending && (claimed.length === 0 || this.runs.size >= this.concurrency)) await this.sleep();
    }
  }

  /** Claims the heads of up to `limit` endpoints; a head that coalesces brings its followers. */
  private claim(limit: number): Promise<OperationRecord[][]> {
    const now = this.options.clock.now();
    const leaseUntil = now + this.leaseMs;
    return this.options.store.transaction(async (tx) => {
      const heads = await tx.operations.claim(this.workerId, now, leaseUntil, limit);
      return Promise.all(
        heads.map(async (head) =>
          this.options.handlers[head.type].coalesces ? [head, ...(await tx.operations.claimFollowing(head, this.workerId, now, leaseUntil, MAX_GROUP - 1))] : [head],
        ),
      );
    });
  }

  private launch(group: readonly OperationRecord[]): void {
    const head = group[0]!;
    const lane = laneKey(head.endpointId, head.type);
    this.busyLanes.add(lane);
    const run = this.execute(group)
      .catch((error: unknown) => this.options.log.error({ err: error, operationId: head.id }, 'operation run failed'))
      .finally(() => {
        this.runs.delete(head.id);
        // Before notifying: a change accepted from now on must wake the loop itself.
        this.busyLanes.delete(lane);
        this.notify();
      });
    this.runs.set(head.id, run);
  }

  /**
   * Runs a group (usually one operation) and ends every operation of it in one transaction.
   * A store or programming error is no verdict on the operations: they are given back, to be
   * claimed again after a backoff (if the store cannot hear even that, their lease lapses).
   */
  private async execute(group: readonly OperationRecord[]): Promise<void> {
    const { store, clock } = this.options;
    const operation = group[0]!;
    const log = this.options.log.child({ operationId: operation.id, type: operation.type, endpointId: operation.endpointId, ...(group.length > 1 ? { group: group.length } : {}) });
    const renewal = setInterval(() => {
      for (const member of group) store.operations.renewLease(member.id, this.workerId, clock.now() + this.leaseMs).catch(() => undefined);
    }, Math.max(100, this.leaseMs / 3));
    try {
      await this.runAndEnd(group, log);
    } catch (error) {
      const retryAt = clock.now() + Math.min(60_000, 1_000 * 2 ** (operation.attempts - 1));
      log.error({ err: error, attempt: operation.attempts }, 'operation run failed; it will be retried');
      for (const member of group) await this.giveBack(member.id, retryAt, log);
      // Look again when it comes due rather than at the next poll (10 s while listening). A
      // little after: a lease is free only once strictly past (claim), and a timer may fire on
      // the very millisecond, or one early by the wall clock.
      setTimeout(() => this.notify(), Math.max(0, retryAt - clock.now()) + RETRY_WAKE_MARGIN_MS).unref();
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * Frees an operation's lease until `retryAt`. The store that failed the run is often still
   * reconnecting (a failover), so this is tried a few times, about 2 s in all: an operation not
   * given back waits for its lease to lapse (30 s in serve) before anyone runs it again.
   */
  private async giveBack(id: string, retryAt: number, log: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.store.operations.retryLater(id, this.workerId, retryAt);
      } catch (error) {
        if (attempt === GIVE_BACK_ATTEMPTS) {
          return void log.warn({ err: error }, 'could not give the operation back; it runs again once its lease lapses');
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  private async runAndEnd(group: readonly OperationRecord[], log: Logger): Promise<void> {
    const { store, clock, fleet, handlers } = this.options;
    const operation = group[0]!;
    const started = performance.now();
    const endpoint = await store.endpoints.get(operation.endpointId);
    if (!endpoint) {
      // Cannot happen through the API (endpoints are never removed from the store); end them
      // rather than retry forever.
      for (const member of group) await store.operations.finish(member.id, this.workerId, 'Failed', 'The endpoint of this operation no longer exists.', clock.now());
      return;
    }
    const handler = handlers[operation.type];
    const contextOf = (member: OperationRecord): HandlerContext => ({ operation: member, group, endpoint, store, fleet, clock, log });
    const outcome: Outcome =
      operation.attempts > this.maxAttempts
        ? failed(`The operation was stopped after ${this.maxAttempts} attempts, each cut short by an error or a restart.`)
        : await handler.run(contextOf(operation));

    const ended = await store.transaction(async (tx) => {
      const done: OperationRecord[] = [];
      for (const member of group) {
        const now = clock.now();
        const ok = await tx.operations.finish(member.id, this.workerId, outcome.ok ? 'Succeeded' : 'Failed', outcome.ok ? null : outcome.message, now);
        if (!ok) continue;
        await handler.commit(tx, contextOf(member), outcome);
        await this.options.recordEnd?.(tx, { ...member, status: outcome.ok ? 'Succeeded' : 'Failed', message: outcome.ok ? null : outcome.message, endedAt: now });
        done.push(member);
      }
      return done;
    });
    if (ended.length < group.length) log.warn({ lost: group.length - ended.length }, 'lease lost before the operation ended; another worker owns it now');
    if (ended.length > 0) log.info({ status: outcome.ok ? 'Succeeded' : 'Failed' }, 'operation ended');
    const durationMs = performance.now() - started;
    for (const member of ended) this.options.onFinished?.(member, outcome, durationMs);
  }

  private sleep(ms = this.options.listening?.() ? this.listenedPollMs : this.pollMs): Promise<void> {
    // stop() called while the loop was claiming found nothing to wake: the loop must not then
    // sleep a whole poll (10 s while listening) before it sees it.
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
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
