/**
 * The primary of `--edge-workers N`: N edge processes (node:cluster) sharing the edge's HTTP and
 * HTTPS ports, driven as one edge. It is what the fleet sees (EdgeAgent, and the LinkedEdge of
 * the NATS link): every configuration, purge, preload and cache drop goes to every worker, and
 * a call resolves only when every live worker has answered. A worker that dies is forked again
 * with the current configurations (applied before it listens) and without its disk tier (it
 * may hold what was purged while it was down); a call it never answered counts as done, since
 * a dead worker holds nothing in memory.
 *
 * Each worker caches on its own, with 1/N of each budget (a popular object is fetched up to N
 * times); their metered traffic reaches the primary's sink, their metrics its scrape.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { TrafficSample } from '../../domain/traffic-sample.js';
import type { EdgeEndpointConfig, PreloadTarget, PurgeTarget } from '../../operations/edge-config.js';
import type { EdgeAgent } from '../../fleet/edge-agent.js';
import { EdgeListenError } from '../edge-servers.js';
import { decodeToPrimary, type Call, type Lease, type Listener, type ToWorker, type WorkerEdgeSettings } from './protocol.js';

export interface WorkerPoolOptions {
  readonly workers: number;
  /** The worker's entry module (server/edge-worker.ts, built). */
  readonly exec: string;
  readonly edgeId: string;
  /** Each worker's settings (already divided by N); `slot` picks its disk sub-directory. */
  readonly settingsFor: (slot: number) => WorkerEdgeSettings;
  readonly host: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly logLevel: string;
  readonly logFormat: string;
  /** Where the workers' metered traffic goes (the store, or NATS). */
  readonly sink: (samples: TrafficSample[]) => Promise<void>;
  readonly log: Logger;
  /** Variables set for the workers over this process's (secrets they do not need blanked). */
  readonly env?: Record<string, string>;
}

interface Answer {
  readonly error?: string;
  readonly metrics?: unknown[];
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  /**
   * The worker said hello: it hears messages from now on, in order. Before, a message could come
   * before its listener and be lost; it needs none: its `start` carries the configurations,
   * the lease and the listeners to refuse, and a restarted worker has nothing cached.
   */
  greeted: boolean;
  listening: boolean;
  /** Calls sent and not answered yet, by id: answered with {} if the worker dies. */
  readonly pending: Map<number, (answer: Answer) => void>;
  /** Deaths in a row soon after a start: each doubles the wait before the next fork. */
  quickDeaths: number;
  startedAt: number;
}

/** A worker that dies sooner than this after its start is restarted after a growing pause. */
const QUICK_DEATH_MS = 5_000;
const MAX_RESTART_PAUSE_MS = 5_000;
/** How long a stop waits for workers to finish their requests before killing them. */
const STOP_KILL_MS = 10_000;
/**
 * A worker answers a call (but a preload, which waits on the origin) within a turn of its
 * event loop; one that has not after this is stuck, and would hold up every purge and the
 * fleet link behind it: it is killed, and started again like one that died.
 */
const STUCK_MS = 15_000;

export class WorkerPool implements EdgeAgent {
  readonly id: string;
  private readonly slots: Slot[];
  private readonly configs = new Map<string, EdgeEndpointConfig>();
  private readonly denied: Listener[] = [];
  private lease: number = Infinity;
  private nextId = 1;
  private stopping = false;
  private ports: { httpPort: number; httpsPort: number } | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.id = options.edgeId;
    this.slots = Array.from({ length: options.workers }, (_, index) => ({ index, worker: undefined, greeted: false, listening: false, pending: new Map(), quickDeaths: 0, startedAt: 0 }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers listening now (a restarted one counts once it listens again). */
  get listening(): number {
    return this.slots.filter((slot) => slot.listening).length;
  }

  /** The ports the workers share (known once start() resolved). */
  get httpPort(): number {
    return this.ports?.httpPort ?? 0;
  }

  get httpsPort(): number {
    return this.ports?.httpsPort ?? 0;
  }

  /** The process ids of the workers alive now, by slot (tests and operators). */
  get pids(): (number | undefined)[] {
    return this.slots.map((slot) => slot.worker?.process.pid);
  }

  /**
   * Forks every worker with the configurations given so far; resolves when all listen, rejects
   * with the first one's reason if one cannot (the others are stopped).
   */
  async start(): Promise<void> {
    // The command line is the primary's: a worker takes its settings from `start` alone.
    cluster.setupPrimary({ exec: this.options.exec, execArgv: process.execArgv, args: [], silent: false });
    try {
      await Promise.all(this.slots.map((slot) => this.fork(slot, false)));
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Asks every worker to drain its listeners and exit; kills those still there after STOP_KILL_MS. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        if (!worker || worker.isDead()) return;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        // One still starting serves nothing yet: nothing to drain.
        if (slot.greeted) this.send(worker, { t: 'stop' });
        else worker.process.kill('SIGKILL');
        const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_KILL_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  // ---- the edge as the fleet sees it -------------------------------------------------------

  /** Until when (performance.now()) the workers may answer from their caches (EdgeNode.cacheUntil). */
  get cacheUntil(): number {
    return this.lease;
  }

  set cacheUntil(until: number) {
    this.lease = until;
    const lease = this.leaseNow();
    for (const slot of this.slots) if (slot.worker && slot.greeted) this.send(slot.worker, { t: 'lease', ...lease });
  }

  endpointIds(): string[] {
    return [...this.configs.keys()];
  }

  async applyEndpoint(config: EdgeEndpointConfig): Promise<void> {
    this.configs.set(config.endpointId, config);
    await this.everyWorker({ op: 'apply', config });
  }

  async removeEndpoint(endpointId: string): Promise<void> {
    this.configs.delete(endpointId);
    await this.everyWorker({ op: 'remove', endpointId });
  }

  /** The target goes through whole: whatever kinds of purge it holds, each worker obeys them. */
  async purge(endpointId: string, target: PurgeTarget): Promise<void> {
    await this.everyWorker({ op: 'purge', endpointId, target });
  }

  /** Every worker fetches it, so it is a hit whichever worker a client reaches. */
  async preload(endpointId: string, target: PreloadTarget): Promise<void> {
    await this.everyWorker({ op: 'preload', endpointId, target });
  }

  /** Sent in order before whatever comes next: the workers handle messages one after another. */
  dropCache(): void {
    void this.everyWorker({ op: 'drop' }).catch((error: unknown) => this.options.log.warn({ err: error }, 'an edge worker could not drop its cache'));
  }

  /** Listeners origins may not be, in every worker (now and after a restart). */
  denyListener(address: string, port: number): void {
    this.denied.push({ address, port });
    for (const slot of this.slots) if (slot.worker && slot.greeted) this.send(slot.worker, { t: 'deny', address, port });
  }

  /** Each live worker's metrics (prom-client's JSON form), for the primary's scrape. */
  async workerMetrics(): Promise<unknown[][]> {
    const answers = await Promise.all(this.slots.filter((slot) => slot.listening).map((slot) => this.call(slot, { op: 'metrics' })));
    return answers.flatMap((answer) => (answer.metrics ? [answer.metrics] : []));
  }

  // ---- workers -----------------------------------------------------------------------------

  /** Resolves once every live worker answered; rejects with the first error one reported. */
  private async everyWorker(call: Call): Promise<void> {
    const answers = await Promise.all(this.slots.map((slot) => this.call(slot, call)));
    const failed = answers.find((answer) => answer.error !== undefined);
    if (failed) throw new Error(failed.error);
  }

  private call(slot: Slot, call: Call): Promise<Answer> {
    const worker = slot.worker;
    if (!worker || !slot.greeted) return Promise.resolve({});
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer =
        call.op === 'preload'
          ? undefined
          : setTimeout(() => {
              this.options.log.error({ worker: slot.index, pid: worker.process.pid, op: call.op }, 'an edge worker did not answer; killing it');
              worker.process.kill('SIGKILL');
            }, STUCK_MS);
      slot.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.send(worker, { t: 'call', id, ...call } as ToWorker);
    });
  }

  private leaseNow(): Lease {
    const forMs = this.lease === Infinity ? null : Math.max(0, this.lease - performance.now());
    return { forMs, sentAt: Date.now() };
  }

  private send(worker: Worker, message: ToWorker): void {
    // A worker that has just died: its exit handler settles what it was asked.
    if (worker.isConnected()) worker.send(message, (error: Error | null) => error && this.options.log.debug({ err: error.message }, 'an edge worker did not take a message'));
  }

  /** Forks the slot's worker; resolves when it listens, rejects if it could not start. */
  private fork(slot: Slot, restarted: boolean): Promise<void> {
    const worker = cluster.fork({ ...this.options.env, MOONCDN_EDGE_WORKER_SLOT: String(slot.index) });
    slot.worker = worker;
    slot.greeted = false;
    slot.listening = false;
    slot.startedAt = performance.now();
    const log = this.options.log.child({ worker: slot.index, pid: worker.process.pid });
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (raw: unknown) => {
        const message = decodeToPrimary(raw);
        if (!message) return log.warn('ignored a malformed message from an edge worker');
        switch (message.t) {
          case 'hello':
            slot.greeted = true;
            return this.send(worker, {
              t: 'start',
              slot: slot.index,
              edgeId: this.options.edgeId,
              settings: this.options.settingsFor(slot.index),
              host: this.options.host,
              // As configured, 0 too: node:cluster keys a shared socket by address, port and the
              // worker's how-many-th listen on them, so every worker's first listen(0) shares the
              // one socket the first picked (while any worker holds it), its second the other.
              httpPort: this.options.httpPort,
              httpsPort: this.options.httpsPort,
              dropDisk: restarted,
              logLevel: this.options.logLevel,
              logFormat: this.options.logFormat,
              configs: [...this.configs.values()],
              lease: this.leaseNow(),
              denied: this.denied,
            });
          case 'listening':
            this.ports ??= { httpPort: message.httpPort, httpsPort: message.httpsPort };
            slot.listening = true;
            started = true;
            if (restarted) log.info('edge worker restarted and listening');
            return resolve();
          case 'start-failed':
            return reject(new WorkerStartError(message.message));
          case 'done': {
            const settle = slot.pending.get(message.id);
            slot.pending.delete(message.id);
            return settle?.(message);
          }
          case 'invalidate':
            for (const other of this.slots) if (other !== slot && other.worker && other.greeted) this.send(other.worker, message);
            return;
          case 'traffic':
            return void this.options.sink([...message.samples]).then(
              () => this.send(worker, { t: 'traffic-done', id: message.id }),
              (error: Error) => this.send(worker, { t: 'traffic-done', id: message.id, error: error.message }),
            );
        }
      });
      worker.on('exit', (code, signal) => {
        slot.listening = false;
        slot.greeted = false;
        if (slot.worker === worker) slot.worker = undefined;
        // Nothing of it is left in memory: what it was asked is done as far as it is concerned.
        for (const settle of slot.pending.values()) settle({});
        slot.pending.clear();
        if (!started) reject(new WorkerStartError(`an edge worker exited (${signal ?? code}) before it listened`));
        if (this.stopping) return;
        log.error({ code, signal }, 'an edge worker died; starting another');
        slot.quickDeaths = performance.now() - slot.startedAt < QUICK_DEATH_MS ? slot.quickDeaths + 1 : 0;
        const pause = slot.quickDeaths === 0 ? 0 : Math.min(MAX_RESTART_PAUSE_MS, 100 * 2 ** (slot.quickDeaths - 1));
        setTimeout(() => {
          if (this.stopping) return;
          this.fork(slot, true).catch((error: Error) => log.error({ err: error.message }, 'an edge worker could not start again'));
        }, pause).unref();
      });
    });
  }
}

/** A worker could not start (a port in use, say): the message is the worker's, for the operator. */
export class WorkerStartError extends EdgeListenError {}
