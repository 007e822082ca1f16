/**
 * Purge: every edge drops the files (all query variants), directories, wildcard patterns
 * (URLs with "*" in their path, domain/path-pattern.ts) and cache tags (extension), in one call
 * per edge for a whole group of consecutive purges (purges commute). Soft purges (extension,
 * `payload.soft`) go in the same call as a part of their own, marked stale rather than dropped:
 * within a group the order of hard and soft parts does not matter, since a hard purge drops an
 * object whether a soft one marked it stale before or would after. Each operation's items take
 * the outcome in the transaction that ends it. A run cut short by a restart purges again:
 * purging is idempotent, and the content may have been cached since.
 */
import { isPathPattern, purgePatternOf } from '../../domain/path-pattern.js';
import type { OperationItem } from '../../domain/operation.js';
import type { PurgeSet, PurgeTarget } from '../edge-config.js';
import { EdgeProgress } from '../edge-progress.js';
import { describeFailures, edgeStatuses } from '../fleet.js';
import { failed, succeeded, withEdges, type OperationHandler } from '../handler.js';

export const purge: OperationHandler = {
  coalesces: true,

  async run(ctx) {
    // In acceptance order (the group's), whichever read ends first.
    const itemsOf = await Promise.all(ctx.group.map((operation) => ctx.store.operations.listItems(operation.id)));
    const hard: OperationItem[] = [];
    const soft: OperationItem[] = [];
    ctx.group.forEach((operation, i) => (operation.payload['soft'] === true ? soft : hard).push(...itemsOf[i]!));
    const target: PurgeTarget = { ...purgeSetOf(hard), ...(soft.length > 0 && { soft: purgeSetOf(soft) }) };
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

/**
 * Items as the edges take them: a tag item's path is the tag. No tags, no `tags` field: a purge
 * without them reaches the edges as it did before tags (an edge older than tags takes it).
 */
export function purgeSetOf(items: readonly OperationItem[]): PurgeSet {
  const urls = items.filter((item) => item.kind !== 'tag');
  const exact = urls.filter((item) => !isPathPattern(item.path));
  const tags = items.filter((item) => item.kind === 'tag').map((item) => item.path);
  return {
    files: exact.filter((item) => item.kind === 'file').map((item) => item.path),
    directories: exact.filter((item) => item.kind === 'directory').map((item) => item.path),
    patterns: urls.filter((item) => isPathPattern(item.path)).map((item) => purgePatternOf(item.kind as 'file' | 'directory', item.path)),
    ...(tags.length > 0 && { tags }),
  };
}
