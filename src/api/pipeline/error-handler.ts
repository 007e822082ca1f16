/**
 * The one place errors become responses: contract errors as they are, schema failures and
 * framework errors mapped to the contract, the store out of reach a 503 that says to retry,
 * anything else InternalError with no detail (the detail goes to the log under the correlation id).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, Errors } from '../../contract/errors.js';
import { isConnectionLost, StoreUnavailableError } from '../../store/unavailable.js';
import { validationError, type AjvError } from './validation-errors.js';

export function toApiError(error: FastifyError | ApiError | Error, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (isConnectionLost(error)) return error instanceof StoreUnavailableError && error.outcomeUnknown ? Errors.storeOutcomeUnknown() : Errors.storeUnavailable();
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return validationError(fastifyError.validation as unknown as AjvError[], fastifyError.validationContext ?? 'body', request.body);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Errors.bodyTooLarge(request.routeOptions.bodyLimit ?? 0);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return Errors.parameterInvalid('The Content-Length header does not match the body.');
  }
  return Errors.internal(request.id);
}

export function sendError(error: ApiError, reply: FastifyReply): void {
  reply.code(error.statusCode).headers(error.headers).send(error.toBody());
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error, request);
    if (apiError.type === 'InternalError') request.log.error({ err: error }, apiError.statusCode === 503 ? 'the store is unavailable' : 'unhandled error');
    reply.errorType = apiError.type;
    sendError(apiError, reply);
  });
}
