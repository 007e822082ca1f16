/**
 * Preload: every edge fetches each URL from the origin into its cache. Items go Waiting ->
 * Running -> Succeed or Failed; a restart resumes with the items not yet finished.
 */
import type { OperationItem } from '../../domain/operation.js';
import { describeFailures } from '../fleet.js';
import { failed, succeeded, type HandlerContext, type OperationHandler } from '../handler.js';

/** URLs fetched at once; an origin should not see a burst of a whole request's worth. */
const PARALLEL_FETCHES = 4;
/** How many failed URLs the operation's Message names before summarising. */
const NAMED_FAILURES = 5;

export const preload: OperationHandler = {
  async run(ctx) {
    const items = await ctx.store.operations.listItems(ctx.operation.id);
    const pending = items.filter((item) => item.status === 'Waiting' || item.status === 'Running');
    const queue = [...pending];
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL_FETCHES, queue.length) }, async () => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) await preloadItem(ctx, item);
      }),
    );
    const failures = (await ctx.store.operations.listItems(ctx.operation.id)).filter((item) => item.status === 'Failed');
    if (failures.length === 0) return succeeded;
    const named = failures.slice(0, NAMED_FAILURES).map((item) => `${item.url} (${item.message ?? 'failed'})`);
    const more = failures.length > NAMED_FAILURES ? ` and ${failures.length - NAMED_FAILURES} more` : '';
    return failed(`${failures.length} of ${items.length} URLs failed to preload: ${named.join('; ')}${more}.`);
  },

  async commit() {
    // A preload changes no endpoint state; its items carry the results.
  },
};

async function preloadItem(ctx: HandlerContext, item: OperationItem): Promise<void> {
  await ctx.store.operations.setItemStatus(ctx.operation.id, [item.position], 'Running');
  const failure = describeFailures(await ctx.fleet.preload(ctx.endpoint.id, { path: item.path, query: item.query }));
  await ctx.store.operations.setItemStatus(ctx.operation.id, [item.position], failure === undefined ? 'Succeed' : 'Failed', failure ?? null);
}
