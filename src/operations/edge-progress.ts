/**
 * Per-edge progress of a purge or preload (extension): each edge's outcome is written to the
 * store as it arrives, announced like a status change, so event streams in any process show it
 * before the operation ends. An edge's outcome is written once it is known for this run: when
 * the edge has answered every call the run makes (a preload makes one per URL), or at its first
 * failure, which no later answer changes. So each edge is written at most once per run.
 *
 * The transaction that ends the operation writes every edge's outcome again (the Edges of its
 * result): a progress write that fails loses only the early notice, never the outcome.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { edgeStatuses, type EdgeOutcome, type EdgeStatus } from './fleet.js';

export class EdgeProgress {
  private readonly answers = new Map<string, EdgeOutcome[]>();
  private readonly written = new Map<string, EdgeStatus>();
  private readonly writes: Promise<void>[] = [];

  /**
   * `operationIds`: the operations the calls do the work of (a group of purges done together).
   * `calls`: how many calls each edge answers in this run.
   */
  constructor(
    private readonly store: Pick<Store, 'edges'>,
    private readonly operationIds: readonly string[],
    private readonly calls: number,
    private readonly log: Logger,
  ) {}

  /** Give this to the fleet's call: it never throws, and writes in the background. */
  readonly onOutcome = (outcome: EdgeOutcome): void => {
    let answers = this.answers.get(outcome.edgeId);
    if (!answers) this.answers.set(outcome.edgeId, (answers = []));
    answers.push(outcome);
    const [edge] = edgeStatuses(answers);
    if (!edge || (edge.status !== 'Failed' && answers.length < this.calls)) return;
    if (this.written.get(edge.edgeId) === edge.status) return;
    this.written.set(edge.edgeId, edge.status);
    this.writes.push(
      this.store.edges.recordProgress(this.operationIds, edge).catch((error: unknown) => {
        this.log.warn({ err: error, edgeId: edge.edgeId }, 'could not record an edge\'s progress; its outcome is written when the operation ends');
      }),
    );
  };

  /**
   * Resolves once every write started has ended. The operation's end must not overtake them: a
   * progress row inserted while the ending transaction replaces the rows makes that transaction
   * fail on the key, and the operation run again (measured: every scaled purge published twice,
   * a second apart). Waiting costs the scaled shape's purges about 2 ms (last ack to end, p50).
   */
  async settled(): Promise<void> {
    await Promise.all(this.writes);
  }
}
