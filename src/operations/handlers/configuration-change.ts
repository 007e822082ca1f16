/**
 * Operations that change what edges serve for an endpoint: create, update, enable, disable,
 * cache rules, access control, HTTPS binding. Each pushes the endpoint's whole new
 * configuration to every edge; it succeeds when every edge has it. On failure the edges get
 * the old configuration back (best effort) and the endpoint keeps its old settings.
 */
import type { Endpoint } from '../../domain/endpoint.js';
import { restingStatus } from '../../domain/lifecycle.js';
import type { OperationPayload } from '../../domain/operation.js';
import { describeFailures } from '../fleet.js';
import type { EndpointChanges } from '../../store/repositories/endpoints.js';
import { isServedByEdges, loadEdgeConfig } from '../edge-configs.js';
import { failed, succeeded, type OperationHandler } from '../handler.js';

export type ChangesOf = (endpoint: Endpoint, payload: OperationPayload) => EndpointChanges;

export function configurationChange(changesOf: ChangesOf): OperationHandler {
  return {
    async run(ctx) {
      const next = withChanges(ctx.endpoint, changesOf(ctx.endpoint, ctx.operation.payload));
      const failure = describeFailures(await ctx.fleet.applyEndpoint(await loadEdgeConfig(ctx.store, next)));
      if (failure === undefined) return succeeded;
      await restoreEdges(ctx.endpoint, ctx).catch((error: unknown) => ctx.log.warn({ err: error }, 'restoring edge configuration failed'));
      return failed(`The new configuration did not reach every edge: ${failure}.`);
    },

    async commit(tx, ctx, outcome) {
      const current = (await tx.endpoints.getForUpdate(ctx.endpoint.id)) ?? ctx.endpoint;
      const before = ctx.operation.payload.before as Endpoint['lifetimeStatus'] | undefined;
      const lifetimeStatus = restingStatus(ctx.operation.type, outcome.ok, current.lifetimeStatus, before);
      if (!outcome.ok) {
        await tx.endpoints.update(ctx.endpoint.id, { lifetimeStatus });
        return;
      }
      await tx.endpoints.update(ctx.endpoint.id, {
        ...changesOf(ctx.endpoint, ctx.operation.payload),
        lifetimeStatus,
        timeLastUpdated: ctx.clock.now(),
      });
    },
  };
}

/** Puts the configuration the endpoint had before back on the edges (or removes a new one). */
async function restoreEdges(endpoint: Endpoint, ctx: Parameters<OperationHandler['run']>[0]): Promise<void> {
  if (isServedByEdges(endpoint)) await ctx.fleet.applyEndpoint(await loadEdgeConfig(ctx.store, endpoint));
  else await ctx.fleet.removeEndpoint(endpoint.id);
}

function withChanges(endpoint: Endpoint, changes: EndpointChanges): Endpoint {
  return {
    ...endpoint,
    ...(changes.settings ?? {}),
    enabled: changes.enabled ?? endpoint.enabled,
    cachePolicy: changes.cachePolicy ?? endpoint.cachePolicy,
    accessControl: changes.accessControl ?? endpoint.accessControl,
    certificateId: changes.certificateId === undefined ? endpoint.certificateId : changes.certificateId,
  };
}
