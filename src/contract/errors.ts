/**
 * The error catalogue (CONTRACT §3): every wire error type, its HTTP status, and one factory
 * per type. Handlers throw `ApiError`s made here; one error handler writes the body.
 */

export const ERROR_TYPES = [
  'CredentialInvalid',
  'ParameterMissing',
  'ParameterInvalid',
  'MissingAuthorizationHeader',
  'InvalidRequestDateHeader',
  'MissingRequestDateHeader',
  'AuthorizationHeaderExpired',
  'InvalidAuthorizationHeader',
  'ApiKeyNotFound',
  'InvalidApiKey',
  'WrongSignature',
  'SubscriptionNotFound',
  'EndpointDoesNotBelongToSubscription',
  'EndpointNotInActiveState',
  'EndpointNotFound',
  'MaliciousItemPathDetected',
  'PermissionDenied',
  'RequestThrottled',
  'InternalError',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/** The types the signature and access checks answer with (CONTRACT §2), in the order they are checked. */
export const AUTHENTICATION_ERROR_TYPES: ReadonlySet<ErrorType> = new Set([
  'MissingAuthorizationHeader',
  'InvalidAuthorizationHeader',
  'MissingRequestDateHeader',
  'InvalidRequestDateHeader',
  'AuthorizationHeaderExpired',
  'ApiKeyNotFound',
  'InvalidApiKey',
  'WrongSignature',
  'SubscriptionNotFound',
  'CredentialInvalid',
  'PermissionDenied',
  'RequestThrottled',
]);

/** The body of every error response. */
export interface ErrorBody {
  Succeeded: false;
  ErrorInfo: { Type: ErrorType; Message: string };
}

export class ApiError extends Error {
  constructor(
    readonly type: ErrorType,
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { Succeeded: false, ErrorInfo: { Type: this.type, Message: this.message } };
  }
}

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (ERROR_TYPES as readonly string[]).includes(value);
}

export const Errors = {
  missingAuthorizationHeader: () =>
    new ApiError('MissingAuthorizationHeader', 401, 'Missing authorization header. Send "Authorization: AzureCDN {keyId}:{signature}".'),
  invalidAuthorizationHeader: () =>
    new ApiError(
      'InvalidAuthorizationHeader',
      401,
      'The Authorization header must be "AzureCDN {keyId}:{signature}", where signature is the 64 hex digits of the HMAC-SHA256.',
    ),
  missingRequestDateHeader: () =>
    new ApiError('MissingRequestDateHeader', 401, 'Missing x-azurecdn-request-date header. Send the current UTC time as "yyyy-MM-dd HH:mm:ss".'),
  invalidRequestDateHeader: (value: string) =>
    new ApiError(
      'InvalidRequestDateHeader',
      401,
      `The x-azurecdn-request-date header "${truncate(value)}" is not a UTC time in the format "yyyy-MM-dd HH:mm:ss" (or "yyyy-MM-ddTHH:mm:ssZ").`,
    ),
  authorizationHeaderExpired: (skewMs: number) =>
    new ApiError(
      'AuthorizationHeaderExpired',
      401,
      `The x-azurecdn-request-date header is more than ${duration(skewMs)} away from the server's time; sign the request with the current UTC time.`,
    ),
  apiKeyNotFound: (keyId: string) => new ApiError('ApiKeyNotFound', 401, `API key "${truncate(keyId)}" does not exist.`),
  invalidApiKey: (keyId: string, why: 'revoked' | 'expired') =>
    new ApiError('InvalidApiKey', 401, `API key "${keyId}" has been ${why}; create a new key.`),
  wrongSignature: () =>
    new ApiError(
      'WrongSignature',
      401,
      'The signature does not match. Sign "{path}\\r\\n{sorted queries}\\r\\n{x-azurecdn-request-date}\\r\\n{METHOD}" with HMAC-SHA256 keyed with the key value.',
    ),
  /**
   * A replay refused by --replay-cache. InvalidAuthorizationHeader, of the contract's types:
   * the signature is right (not WrongSignature) and its date within the window (not
   * AuthorizationHeaderExpired); what is no longer valid is this Authorization header, used before.
   */
  signatureReused: () =>
    new ApiError(
      'InvalidAuthorizationHeader',
      401,
      'This signature was already used by a request this server accepted; every POST, PUT and DELETE needs its own signature. Sign the request again with the current time (dates are signed to the second: repeating a request to the same URL needs a new second).',
    ),
  subscriptionNotFound: (subscriptionId: string) =>
    new ApiError('SubscriptionNotFound', 404, `Subscription "${truncate(subscriptionId)}" does not exist.`),
  credentialInvalid: (keyId: string, subscriptionId: string) =>
    new ApiError('CredentialInvalid', 401, `API key "${keyId}" does not belong to subscription "${subscriptionId}".`),
  permissionDenied: (keyId: string, scope: string, action: string) =>
    new ApiError('PermissionDenied', 403, `API key "${keyId}" has scope "${scope}", which does not allow ${action}.`),
  requestThrottled: (retryAfterSeconds: number, why: string) =>
    new ApiError('RequestThrottled', 429, `${why} Retry after ${retryAfterSeconds} seconds.`, {
      'retry-after': String(retryAfterSeconds),
    }),
  parameterMissing: (message: string) => new ApiError('ParameterMissing', 400, message),
  parameterInvalid: (message: string) => new ApiError('ParameterInvalid', 400, message),
  /** An unknown operation, purge, preload or certificate id. */
  resourceNotFound: (message: string) => new ApiError('ParameterInvalid', 404, message),
  bodyTooLarge: (limitBytes: number) =>
    new ApiError('ParameterInvalid', 413, `The request body is larger than the limit of ${limitBytes} bytes.`),
  missingHost: () => new ApiError('ParameterInvalid', 400, 'The request has no Host header, which HTTP/1.1 requires; send the host and port of the API.'),
  headersTooLarge: (limitBytes: number) =>
    new ApiError('ParameterInvalid', 431, `The request headers are larger than the limit of ${limitBytes} bytes; send fewer or shorter headers.`),
  requestTimeout: () => new ApiError('ParameterInvalid', 408, 'The request did not arrive whole in time; send it again.'),
  expectationFailed: (expect: string) =>
    new ApiError('ParameterInvalid', 417, `The Expect header "${truncate(expect)}" cannot be met; send "100-continue" or no Expect header.`),
  operatorTokenRequired: () =>
    new ApiError('InvalidAuthorizationHeader', 401, 'This operator route needs "Authorization: Bearer <token>" with the value of MOONCDN_OPERATOR_TOKEN the API was started with.'),
  routeNotFound: (method: string, path: string) =>
    new ApiError('ParameterInvalid', 404, `No route ${method} ${truncate(path)}. See /openapi.json for the routes.`),
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) =>
    new ApiError('ParameterInvalid', 405, `${method} is not allowed on ${truncate(path)}; use ${allowed.join(' or ')}.`, {
      allow: allowed.join(', '),
    }),
  endpointNotFound: (endpointId: string) => new ApiError('EndpointNotFound', 404, `Endpoint "${endpointId}" does not exist.`),
  endpointDoesNotBelongToSubscription: (endpointId: string, subscriptionId: string) =>
    new ApiError(
      'EndpointDoesNotBelongToSubscription',
      403,
      `Endpoint "${endpointId}" does not belong to subscription "${subscriptionId}".`,
    ),
  endpointNotInActiveState: (message: string) => new ApiError('EndpointNotInActiveState', 409, message),
  maliciousItemPath: (message: string) => new ApiError('MaliciousItemPathDetected', 400, message),
  /** Idempotency-Key (extension): the key's first request has not been answered yet. */
  idempotencyKeyInFlight: (key: string) =>
    new ApiError(
      'ParameterInvalid',
      409,
      `A request with Idempotency-Key "${truncate(key, 64)}" is still being processed; retry in a moment to get its answer.`,
      { 'retry-after': '1' },
    ),
  /** Idempotency-Key (extension): the key was used with another request (RFC draft: 422). */
  idempotencyKeyReused: (key: string) =>
    new ApiError(
      'ParameterInvalid',
      422,
      `Idempotency-Key "${truncate(key, 64)}" was already used with another request (method, URL or body differ); use a new key for a new request.`,
    ),
  /** The contract has no type for this; 503 tells clients and proxies that a retry may work. */
  storeUnavailable: () =>
    new ApiError('InternalError', 503, 'The store is unavailable (its connection was lost, or it is restarting); retry the request in a few seconds.'),
  storeOutcomeUnknown: () =>
    new ApiError(
      'InternalError',
      503,
      'The store became unavailable while this change was being committed, so whether it was accepted is unknown; once the server is ready again (GET /readyz), look (e.g. GET the endpoint) before you retry it.',
    ),
  internal: (correlationId: string) =>
    new ApiError('InternalError', 500, `The server failed to handle the request; quote correlation id ${correlationId} when reporting it.`),
};

/** "15 minutes", "1 minute", "90 seconds": whole minutes when exact, else seconds. */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [amount, unit] = seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** Keeps client-supplied text short inside messages. */
function truncate(value: string, max = 200): string {
  return value.length > max ? `${value.slice(0, max)}...` : value;
}
