/**
 * Purge: every edge drops the files (all query variants), directories and wildcard patterns
 * (URLs with "*" in their path, domain/path-pattern.ts), in one call per edge
 * for a whole group of consecutive purges (purges commute). Each operation's items take the
 * outcome in the transaction that ends it. A run cut short by a restart purges again: purging is
 * idempotent, and the content may have been cached since.
 */
import { isPathPattern, purgePatternOf } from '../../domain/path-pattern.js';
import type { PurgeTarget } from '../edge-config.js';
import { EdgeProgress } from '../edge-progress.js';
import { describeFailures, edgeStatuses } from '../fleet.js';
import { failed, succeeded, withEdges, type OperationHandler } from '../handler.js';

export const purge: OperationHandler = {
  coalesces: true,

  async run(ctx) {
    const items = (await Promise.all(ctx.group.map((operation) => ctx.store.operations.listItems(operation.id)))).flat();
    const exact = items.filter((item) => !isPathPattern(item.path));
    const target: PurgeTarget = {
      files: exact.filter((item) => item.kind === 'file').map((item) => item.path),
      directories: exact.filter((item) => item.kind === 'directory').map((item) => item.path),
      patterns: items.filter((item) => isPathPattern(item.path)).map((item) => purgePatternOf(item.kind, item.path)),
    };
    // Each edge's answer is recorded for every operation of the group as it arrives.
    const progress = new EdgeProgress(ctx.store, ctx.group.map((operation) => operation.id), 1, ctx.log);
    const edges = await ctx.fleet.purge(ctx.endpoint.id, target, progress.onOutcome);
    await progress.settled();
    const failure = describeFailures(edges);
    return withEdges(failure === undefined ? succeeded : failed(`The purge did not reach every edge: ${failure}.`), edges);
  },

  async commit(tx, ctx, outcome) {
    await tx.edges.recordOutcomes(ctx.operation.id, edgeStatuses(outcome.edges ?? []));
    if (outcome.ok) await tx.operations.settleItems(ctx.operation.id, 'Succeed');
    else await tx.operations.settleItems(ctx.operation.id, 'Failed', outcome.message);
  },
};
