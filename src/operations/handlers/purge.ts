/**
 * Purge: every edge drops the files (all query variants) and directories. Items already
 * Succeed (from a run cut short by a restart) are not purged again.
 */
import { describeFailures } from '../../fleet/fleet.js';
import { failed, succeeded, type OperationHandler } from '../handler.js';

export const purge: OperationHandler = {
  async run(ctx) {
    const items = (await ctx.store.operations.listItems(ctx.operation.id)).filter((item) => item.status !== 'Succeed');
    if (items.length === 0) return succeeded;
    const target = {
      files: items.filter((item) => item.kind === 'file').map((item) => item.path),
      directories: items.filter((item) => item.kind === 'directory').map((item) => item.path),
    };
    const failure = describeFailures(await ctx.fleet.purge(ctx.endpoint.id, target));
    const positions = items.map((item) => item.position);
    if (failure === undefined) {
      await ctx.store.operations.setItemStatus(ctx.operation.id, positions, 'Succeed');
      return succeeded;
    }
    await ctx.store.operations.setItemStatus(ctx.operation.id, positions, 'Failed', failure);
    return failed(`The purge did not reach every edge: ${failure}.`);
  },

  async commit() {
    // A purge changes no endpoint state; its items carry the results.
  },
};
