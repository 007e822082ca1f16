/** DeleteEndpoint: every edge stops serving the endpoint and drops its content; then it is gone. */
import type { Endpoint } from '../../domain/endpoint.js';
import { restingStatus } from '../../domain/lifecycle.js';
import { describeFailures } from '../fleet.js';
import { failed, succeeded, type OperationHandler } from '../handler.js';

export const deleteEndpoint: OperationHandler = {
  async run(ctx) {
    const failure = describeFailures(await ctx.fleet.removeEndpoint(ctx.endpoint.id));
    return failure === undefined ? succeeded : failed(`Not every edge removed the endpoint: ${failure}.`);
  },

  async commit(tx, ctx, outcome) {
    const before = ctx.operation.payload.before as Endpoint['lifetimeStatus'] | undefined;
    const lifetimeStatus = restingStatus('DeleteEndpoint', outcome.ok, 'Deleting', before);
    await tx.endpoints.update(ctx.endpoint.id, {
      lifetimeStatus,
      ...(outcome.ok ? { deletedAt: ctx.clock.now(), timeLastUpdated: ctx.clock.now() } : {}),
    });
  },
};
