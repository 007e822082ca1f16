/** What the pipeline adds to Fastify's request, reply and route config. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ErrorType } from '../contract/errors.js';
import type { ApiKey, Permission } from '../domain/api-key.js';
import type { OperationWatch } from './completion/operation-watch.js';
import type { HeldKey } from './pipeline/idempotency.js';

export interface AuthContext {
  readonly key: ApiKey;
  readonly subscriptionId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The long-polls and event streams waiting (tests check that none is left behind). */
    operationWatch: OperationWatch;
  }
  interface FastifyRequest {
    /** Set by the authentication stage on signed routes. */
    auth: AuthContext | null;
    /** The Idempotency-Key this request holds until it is answered (pipeline/idempotency.ts). */
    idempotency: HeldKey | null;
  }
  interface FastifyReply {
    /** The error type sent, for the request's log line. */
    errorType: ErrorType | null;
  }
  interface FastifyContextConfig {
    /** What the route needs from the key; every route has this or `public`. */
    permission?: Permission;
    /** An unsigned route (the OpenAPI document). */
    public?: boolean;
    /** Asked for over and over (health checks, scrapes, polling): its answers are logged at debug. */
    polled?: boolean;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
