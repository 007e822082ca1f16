/**
 * GET /edges: the fleet, for operators only (extension). Not under a subscription and not signed
 * with a tenant's key: it takes `Authorization: Bearer <MOONCDN_OPERATOR_TOKEN>`, compared in
 * constant time. Without a configured token the route does not exist (404).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Errors } from '../../contract/errors.js';
import { EdgeList } from '../../contract/schemas/fleet.js';
import { ErrorResponse } from '../../contract/schemas/api-response.js';
import type { Store } from '../../store/store.js';
import { presentFleet } from '../presenters.js';
import type { App } from '../types.js';

export function fleetRoutes(app: App, store: Store, operatorToken: string | undefined): void {
  const expected = operatorToken === undefined ? undefined : digest(operatorToken);
  app.get('/edges', {
    config: { public: true },
    schema: {
      operationId: 'Fleet_ListEdges', tags: ['Fleet (extension)'],
      description: 'Extension: every edge of the scaled shape with its state, applied sequence and lag. Operators only: Authorization: Bearer <MOONCDN_OPERATOR_TOKEN>.',
      response: { 200: EdgeList, default: ErrorResponse },
    },
    handler: async (request) => {
      if (expected === undefined) throw Errors.routeNotFound(request.method, '/edges');
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
        throw Errors.operatorTokenRequired();
      }
      const { now, edges } = await store.edges.list();
      return presentFleet(now, edges);
    },
  });
}

/** Equal-length values for timingSafeEqual, whatever length the caller sent. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
