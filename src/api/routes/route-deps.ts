/** What route handlers are given. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import type { OperationRecord } from '../../domain/operation.js';
import type { OperationCommands } from '../../operations/commands.js';
import type { Store } from '../../store/store.js';
import type { OperationWatch } from '../completion/operation-watch.js';
import { presentAccepted } from '../presenters.js';
import type { AuthContext } from '../types.js';

export interface RouteDeps {
  readonly store: Store;
  readonly commands: OperationCommands;
  readonly clock: Clock;
  /** Endpoints' CName is {CustomDomain}.{cnameSuffix}. */
  readonly cnameSuffix: string;
  /** The API's URL as clients reach it, without a trailing "/" (--public-url, or where it listens). */
  readonly baseUrl: () => string;
  /** Wakes long-polls and event streams when an operation changes. */
  readonly watch: OperationWatch;
}

/** The authenticated caller of a signed route. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new Error('a signed route ran without authentication');
  return request.auth;
}

/** The URL of an operation, for the Operation-Location header (extension, CONTRACT §4). */
export function operationLocation(deps: RouteDeps, operation: OperationRecord): string {
  return `${deps.baseUrl()}/subscriptions/${operation.subscriptionId}/endpoints/${operation.endpointId}/operations/${operation.id}?apiVersion=1.0`;
}

/** Answers 202 with the async body and Operation-Location. */
export function accepted(deps: RouteDeps, reply: FastifyReply, operation: OperationRecord) {
  return reply.code(202).header('operation-location', operationLocation(deps, operation)).send(presentAccepted(operation));
}
