/**
 * One edge worker process of the pool (worker-pool.ts), and the ones that replace it: forks it,
 * answers its hello with what the pool says it must start from, carries calls to it and their
 * answers, and forks it again when it dies (after a growing pause if it keeps dying at once).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { EdgeListenError } from '../edge-servers.js';
import { decodeToPrimary, type Call, type StartMessage, type ToPrimary, type ToWorker } from './protocol.js';

export interface Answer {
  readonly error?: string;
  readonly metrics?: unknown[];
}

/** What a slot asks of its pool. */
export interface SlotOwner {
  readonly log: Logger;
  /** Variables set for the worker over the primary's. */
  readonly env: Record<string, string>;
  /** Stopping: a worker that exits is not replaced. */
  readonly stopping: boolean;
  /** The start message for this slot's worker now (`restarted`: not the first of the slot). */
  startFor(slot: number, restarted: boolean): StartMessage;
  listened(ports: { httpPort: number; httpsPort: number }): void;
  /** A message of the worker's own (traffic, an invalidation), not an answer. */
  heard(slot: WorkerSlot, message: Extract<ToPrimary, { t: 'traffic' | 'invalidate' }>): void;
}

/** A worker that dies sooner than this after its start is restarted after a growing pause. */
const QUICK_DEATH_MS = 5_000;
const MAX_RESTART_PAUSE_MS = 5_000;
/** How long a stop waits for a worker to finish its requests before killing it. */
const STOP_KILL_MS = 10_000;
/**
 * A worker answers a call (but a preload, which waits on the origin) within a turn of its
 * event loop; one that has not after this is stuck, and would hold up every purge and the
 * fleet link behind it: it is killed, and started again like one that died.
 */
const STUCK_MS = 15_000;

let nextCallId = 1;

export class WorkerSlot {
  private worker: Worker | undefined;
  /**
   * The worker said hello: it hears messages from now on, in order. Before, a message could come
   * before its listener and be lost; it needs none: its `start` carries the configurations,
   * the lease and the listeners to refuse, and a restarted worker has nothing cached.
   */
  private greeted = false;
  private listening = false;
  /** Calls sent and not answered yet, by id: answered with {} if the worker dies. */
  private readonly pending = new Map<number, (answer: Answer) => void>();
  /** Deaths in a row soon after a start: each doubles the wait before the next fork. */
  private quickDeaths = 0;
  private startedAt = 0;

  constructor(
    readonly index: number,
    private readonly owner: SlotOwner,
  ) {}

  get isListening(): boolean {
    return this.listening;
  }

  get pid(): number | undefined {
    return this.worker?.process.pid;
  }

  /** Sends to the worker if it hears messages yet (see `greeted`); else it needs none. */
  send(message: ToWorker): void {
    const worker = this.worker;
    // A worker that has just died: its exit settles what it was asked.
    if (!worker || !this.greeted || !worker.isConnected()) return;
    worker.send(message, (error: Error | null) => error && this.owner.log.debug({ err: error.message }, 'an edge worker did not take a message'));
  }

  /** The worker's answer; {} at once when there is no worker hearing (nothing to do there). */
  call(call: Call): Promise<Answer> {
    const worker = this.worker;
    if (!worker || !this.greeted) return Promise.resolve({});
    const id = nextCallId++;
    return new Promise((resolve) => {
      const timer =
        call.op === 'preload'
          ? undefined
          : setTimeout(() => {
              this.owner.log.error({ worker: this.index, pid: worker.process.pid, op: call.op }, 'an edge worker did not answer; killing it');
              worker.process.kill('SIGKILL');
            }, STUCK_MS);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.send({ t: 'call', id, ...call } as ToWorker);
    });
  }

  /** Asks the worker to drain its listeners and exit; kills it if it is still there after STOP_KILL_MS. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker || worker.isDead()) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // One still starting serves nothing yet: nothing to drain.
    if (this.greeted) this.send({ t: 'stop' });
    else worker.process.kill('SIGKILL');
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_KILL_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Forks the worker; resolves when it listens, rejects if it could not start. */
  fork(restarted: boolean): Promise<void> {
    const worker = cluster.fork({ ...this.owner.env, MOONCDN_EDGE_WORKER_SLOT: String(this.index) });
    this.worker = worker;
    this.greeted = false;
    this.listening = false;
    this.startedAt = performance.now();
    const log = this.owner.log.child({ worker: this.index, pid: worker.process.pid });
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (raw: unknown) => {
        const message = decodeToPrimary(raw);
        if (!message) return log.warn('ignored a malformed message from an edge worker');
        switch (message.t) {
          case 'hello':
            this.greeted = true;
            return this.send(this.owner.startFor(this.index, restarted));
          case 'listening':
            this.owner.listened({ httpPort: message.httpPort, httpsPort: message.httpsPort });
            this.listening = true;
            started = true;
            if (restarted) log.info('edge worker restarted and listening');
            return resolve();
          case 'start-failed':
            return reject(new WorkerStartError(message.message));
          case 'done': {
            const settle = this.pending.get(message.id);
            this.pending.delete(message.id);
            return settle?.(message);
          }
          default:
            return this.owner.heard(this, message);
        }
      });
      worker.on('exit', (code, signal) => {
        this.listening = false;
        this.greeted = false;
        if (this.worker === worker) this.worker = undefined;
        // Nothing of it is left in memory: what it was asked is done as far as it is concerned.
        for (const settle of this.pending.values()) settle({});
        this.pending.clear();
        if (!started) reject(new WorkerStartError(`an edge worker exited (${signal ?? code}) before it listened`));
        if (this.owner.stopping) return;
        log.error({ code, signal }, 'an edge worker died; starting another');
        this.quickDeaths = performance.now() - this.startedAt < QUICK_DEATH_MS ? this.quickDeaths + 1 : 0;
        const pause = this.quickDeaths === 0 ? 0 : Math.min(MAX_RESTART_PAUSE_MS, 100 * 2 ** (this.quickDeaths - 1));
        setTimeout(() => {
          if (this.owner.stopping) return;
          this.fork(true).catch((error: Error) => log.error({ err: error.message }, 'an edge worker could not start again'));
        }, pause).unref();
      });
    });
  }
}

/** A worker could not start (a port in use, say): the message is the worker's, for the operator. */
export class WorkerStartError extends EdgeListenError {}
