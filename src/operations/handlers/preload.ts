/**
 * Preload: every edge fetches each URL from the origin into its cache. Items go Waiting ->
 * Running -> Succeed or Failed; a restart resumes with the items not yet finished.
 */
import type { OperationItem } from '../../domain/operation.js';
import { EdgeProgress } from '../edge-progress.js';
import { describeFailures, edgeStatuses, type EdgeOutcome } from '../fleet.js';
import { failed, succeeded, withEdges, type HandlerContext, type OperationHandler } from '../handler.js';

/** URLs fetched at once; an origin should not see a burst of a whole request's worth. */
const PARALLEL_FETCHES = 4;
/** How many failed URLs the operation's Message names before summarising. */
const NAMED_FAILURES = 5;

export const preload: OperationHandler = {
  async run(ctx) {
    const items = await ctx.store.operations.listItems(ctx.operation.id);
    const pending = items.filter((item) => item.status === 'Waiting' || item.status === 'Running');
    const queue = [...pending];
    const edges: EdgeOutcome[] = [];
    // An edge's outcome is known once it has answered for every URL (or has failed one).
    const progress = new EdgeProgress(ctx.store, [ctx.operation.id], pending.length, ctx.log);
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL_FETCHES, queue.length) }, async () => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) edges.push(...(await preloadItem(ctx, item, progress)));
      }),
    );
    await progress.settled();
    const failures = (await ctx.store.operations.listItems(ctx.operation.id)).filter((item) => item.status === 'Failed');
    if (failures.length === 0) return withEdges(succeeded, edges);
    const named = failures.slice(0, NAMED_FAILURES).map((item) => `${item.url} (${item.message ?? 'failed'})`);
    const more = failures.length > NAMED_FAILURES ? ` and ${failures.length - NAMED_FAILURES} more` : '';
    return withEdges(failed(`${failures.length} of ${items.length} URLs failed to preload: ${named.join('; ')}${more}.`), edges);
  },

  async commit(tx, ctx, outcome) {
    // A preload changes no endpoint state; its items carry the results, and each edge its part
    // (of the URLs fetched in this run: a run after a restart fetches only what was left).
    await tx.edges.recordOutcomes(ctx.operation.id, edgeStatuses(outcome.edges ?? []));
  },
};

async function preloadItem(ctx: HandlerContext, item: OperationItem, progress: EdgeProgress): Promise<EdgeOutcome[]> {
  await ctx.store.operations.setItemStatus(ctx.operation.id, [item.position], 'Running');
  const edges = await ctx.fleet.preload(ctx.endpoint.id, { path: item.path, query: item.query }, progress.onOutcome);
  const failure = describeFailures(edges);
  await ctx.store.operations.setItemStatus(ctx.operation.id, [item.position], failure === undefined ? 'Succeed' : 'Failed', failure ?? null);
  return edges;
}
