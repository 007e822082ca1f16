/** mooncdn/client: the typed client of the management API. */
export { MooncdnClient, type Accepted, type ChangeOptions, type ClientOptions, type OperationListOptions, type TimeRange, type WaitOptions, type WatchOptions, type ItemProgress, type ResultOptions } from './client.js';
export { MooncdnError, type ClientErrorType } from './errors.js';
export type { RetryEvent, RetryOptions, TlsOptions } from './transport.js';
export type { AccessControl, AccessControlInput } from '../contract/schemas/access-control.js';
export type { AsyncResponse } from '../contract/schemas/api-response.js';
export type { CachePolicy, CachePolicyInput } from '../contract/schemas/cache-policy.js';
export type { Certificate, CertificateUpload } from '../contract/schemas/certificate.js';
export type { Endpoint, EndpointSettingInput, EndpointUpdateInput } from '../contract/schemas/endpoint.js';
export type { Operation, OperationStatus, OperationType } from '../contract/schemas/operation.js';
export type { OperationHistory } from '../contract/schemas/operation-history.js';
export type { EdgeResult, PreloadParameters, PreloadResult, PurgeParameters, PurgeResult } from '../contract/schemas/purge-preload.js';
export type { EndpointBandwidth, EndpointVolume, Granularity, SubscriptionVolume } from '../contract/schemas/traffic.js';
export type { ErrorType } from '../contract/errors.js';
export type { Webhook, WebhookDelivery } from '../contract/schemas/webhook.js';
