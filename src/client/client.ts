/**
 * The TypeScript client of the mooncdn (Azure China CDN v1.0) management API: a method for
 * every route, typed with the contract's wire shapes, signed, with retries, and
 * `waitForOperation` for the asynchronous ones.
 *
 *   const cdn = new MooncdnClient({ baseUrl, subscriptionId, keyId, keyValue });
 *   const { operationId } = await cdn.purge(endpointId, { Files: ['http://cdn.example.com/a.png'] });
 *   await cdn.waitForOperation(endpointId, operationId);
 */
import type { AccessControl, AccessControlInput } from '../contract/schemas/access-control.js';
import type { AsyncResponse } from '../contract/schemas/api-response.js';
import type { CachePolicy, CachePolicyInput } from '../contract/schemas/cache-policy.js';
import type { Certificate, CertificateUpload } from '../contract/schemas/certificate.js';
import type { Endpoint, EndpointSettingInput, EndpointUpdateInput } from '../contract/schemas/endpoint.js';
import type { Operation } from '../contract/schemas/operation.js';
import type { OperationHistory } from '../contract/schemas/operation-history.js';
import type { EdgeResult, PreloadParameters, PreloadResult, PurgeParameters, PurgeResult } from '../contract/schemas/purge-preload.js';
import type { EndpointBandwidth, EndpointVolume, Granularity, SubscriptionVolume } from '../contract/schemas/traffic.js';
import type { Webhook, WebhookDeliveries, WebhookDelivery } from '../contract/schemas/webhook.js';
import { MooncdnError } from './errors.js';
import { sleep, Transport, type RetryOptions, type SendOptions, type TlsOptions } from './transport.js';

export interface ClientOptions {
  /** e.g. http://127.0.0.1:7070 (what MOONCDN_API_URL holds). */
  readonly baseUrl: string;
  readonly subscriptionId: string;
  readonly keyId: string;
  readonly keyValue: string;
  readonly retry?: RetryOptions;
  /** Per request attempt (default 30 s). */
  readonly timeoutMs?: number;
  /** For https:// base URLs: a CA to trust, the name to verify, or no verification (local TLS only). */
  readonly tls?: TlsOptions;
  /**
   * mooncdn extension: send every POST, PUT and DELETE with its own Idempotency-Key and retry
   * it like a GET (5xx, broken connections): the server applies it once. Default false (the
   * Azure service ignores the key, so a retried change could be applied twice there).
   */
  readonly idempotentRetries?: boolean;
}

/**
 * What every call that changes something takes (extension: mooncdn only). `idempotencyKey` is
 * sent as Idempotency-Key: the same key with the same request, within 24 h, gets the first
 * answer again (the same operation id) instead of a second change; with another request, a
 * ParameterInvalid error (422). 1 to 255 printable ASCII characters without quotes, backslashes
 * or spaces. The call is then retried like a GET (5xx, broken connections).
 */
export interface ChangeOptions {
  readonly idempotencyKey?: string;
}

/** What an asynchronous call gives back: the operation to follow, and the response body. */
export interface Accepted<T = AsyncResponse> {
  readonly operationId: string;
  readonly body: T;
}

/** What `listOperations` asks for; every field optional (an extension route: mooncdn only). */
export interface OperationListOptions {
  /** One endpoint's operations; the whole subscription's without it. */
  readonly endpointId?: string;
  readonly status?: Operation['Status'];
  readonly type?: Operation['Type'];
  /** Accepted at or after / at or before. */
  readonly startTime?: string | Date;
  readonly endTime?: string | Date;
  /** Page size, 1 to 500 (the server's default: 50). */
  readonly top?: number;
  /** The previous page's ContinuationToken. */
  readonly continuationToken?: string;
}

export interface TimeRange {
  /** ISO 8601 UTC, yyyy-MM-ddTHH:mm:ssZ (a Date is formatted so). */
  readonly startTime: string | Date;
  readonly endTime: string | Date;
}

export interface WaitOptions {
  /** Give up after this long (default 5 minutes). */
  readonly timeoutMs?: number;
  /**
   * Time between polls (default 500 ms), when polling: with `longPoll` false, or when a server
   * answers a long-poll early without the operation having ended (one that ignores `wait`).
   */
  readonly pollMs?: number;
  /**
   * Ask the server to hold each read until the operation ends (extension: `wait=N`, up to
   * LONG_POLL_SECONDS per request), instead of reading it every pollMs. Default true.
   */
  readonly longPoll?: boolean;
  /** Called with the operation each time it is read. */
  readonly onProgress?: (operation: Operation) => void;
  readonly signal?: AbortSignal;
}

/** The longest `wait` one long-poll asks for (the server allows 60 s; proxies may cut idle requests sooner). */
export const LONG_POLL_SECONDS = 20;

/** One URL of a purge or preload, as the event stream reports its progress. */
export interface ItemProgress {
  readonly Url: string;
  readonly Status: string;
}

/** Reading a purge's or preload's result. */
export interface ResultOptions {
  /** Extension (mooncdn only): answer once it has ended, or after this many seconds (1 to 60). */
  readonly waitSeconds?: number;
}

export interface WatchOptions {
  readonly onStatus?: (operation: Operation) => void;
  readonly onItem?: (item: ItemProgress) => void;
  /** Each edge's outcome of a purge or preload, as it answers (before the final status). */
  readonly onEdge?: (edge: EdgeResult) => void;
  readonly signal?: AbortSignal;
}

/** The events of a text/event-stream body (only the fields mooncdn sends: event and one data line). */
async function* serverSentEvents(body: AsyncIterable<Buffer>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

export class MooncdnClient {
  private readonly transport: Transport;
  private readonly subscriptionPath: string;
  /** The longest wait a long-poll may ask for: well within the per-attempt timeout. */
  private readonly longPollSeconds: number;

  constructor(options: ClientOptions) {
    this.transport = new Transport({
      baseUrl: options.baseUrl,
      key: { keyId: options.keyId, keyValue: options.keyValue },
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.idempotentRetries ? { idempotentRetries: true } : {}),
    });
    this.subscriptionPath = `/subscriptions/${encodeURIComponent(options.subscriptionId)}`;
    this.longPollSeconds = Math.max(0, Math.min(LONG_POLL_SECONDS, Math.floor((options.timeoutMs ?? 30_000) / 1000) - 5));
  }

  // ---- Endpoints ----------------------------------------------------------------------------

  /** Endpoints_GetEndpoints */
  async listEndpoints(): Promise<Endpoint[]> {
    return this.get<Endpoint[]>('/endpoints');
  }

  /** Endpoints_AddEndpoints: the Endpoint, LifetimeStatus Creating, and its CreateEndpoint operation. */
  async createEndpoint(setting: EndpointSettingInput, options: ChangeOptions = {}): Promise<Accepted<Endpoint>> {
    const response = await this.transport.send<Endpoint>('POST', `${this.subscriptionPath}/endpoints`, setting, keyOf(options));
    return { operationId: operationIdFromLocation(response.headers['operation-location']), body: response.body };
  }

  /** Endpoints_GetEndpoint */
  async getEndpoint(endpointId: string): Promise<Endpoint> {
    return this.get<Endpoint>(`/endpoints/${id(endpointId)}`);
  }

  /** Endpoints_UpdateEndpoint */
  async updateEndpoint(endpointId: string, update: EndpointUpdateInput, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('PUT', `/endpoints/${id(endpointId)}`, update, options);
  }

  /** Endpoints_DeleteEndpoint */
  async deleteEndpoint(endpointId: string, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('DELETE', `/endpoints/${id(endpointId)}`, undefined, options);
  }

  /** Endpoints_EnableEndpoint */
  async enableEndpoint(endpointId: string, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('POST', `/endpoints/${id(endpointId)}/enable`, undefined, options);
  }

  /** Endpoints_DisableEndpoint */
  async disableEndpoint(endpointId: string, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('POST', `/endpoints/${id(endpointId)}/disable`, undefined, options);
  }

  // ---- Cache rules and access control -------------------------------------------------------

  /** Endpoints_GetCacheRule */
  async getCacheRules(endpointId: string): Promise<CachePolicy> {
    return this.get<CachePolicy>(`/endpoints/${id(endpointId)}/cacherules`);
  }

  /** Endpoints_AddCacheRule */
  async updateCacheRules(endpointId: string, policy: CachePolicyInput, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('PUT', `/endpoints/${id(endpointId)}/cacherules`, policy, options);
  }

  /** Endpoints_GetAccessControl */
  async getAccessControl(endpointId: string): Promise<AccessControl> {
    return this.get<AccessControl>(`/endpoints/${id(endpointId)}/accesscontrol`);
  }

  /** Endpoints_AddAccessControl */
  async updateAccessControl(endpointId: string, policy: AccessControlInput, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('PUT', `/endpoints/${id(endpointId)}/accesscontrol`, policy, options);
  }

  // ---- Purge and preload --------------------------------------------------------------------

  /**
   * Endpoints_PurgeContent. Extensions: `Tags` purges every object whose response carried one of
   * these cache tags; `Soft: true` marks what the purge covers stale instead of dropping it.
   */
  async purge(endpointId: string, content: PurgeParameters, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('POST', `/endpoints/${id(endpointId)}/purges`, content, options);
  }

  /**
   * Endpoints_GetPurgeContent: the status of each URL of a purge. Extension (mooncdn only):
   * with `waitSeconds` (1 to 60) the answer comes once the purge has ended, or after that long.
   */
  async getPurge(endpointId: string, purgeId: string, options: ResultOptions = {}): Promise<PurgeResult> {
    return this.get<PurgeResult>(`/endpoints/${id(endpointId)}/purges/${id(purgeId)}${waitQuery(options)}`);
  }

  /** Endpoints_LoadContent */
  async preload(endpointId: string, content: PreloadParameters, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('POST', `/endpoints/${id(endpointId)}/preloads`, content, options);
  }

  /** Endpoints_GetPreloadContent: the status of each URL of a preload; `waitSeconds` as for getPurge. */
  async getPreload(endpointId: string, preloadId: string, options: ResultOptions = {}): Promise<PreloadResult> {
    return this.get<PreloadResult>(`/endpoints/${id(endpointId)}/preloads/${id(preloadId)}${waitQuery(options)}`);
  }

  // ---- Operations ---------------------------------------------------------------------------

  /** ListOperation (the seed page): one operation of an endpoint. */
  async getOperation(endpointId: string, operationId: string): Promise<Operation> {
    return this.get<Operation>(`/endpoints/${id(endpointId)}/operations/${id(operationId)}`);
  }

  /**
   * Extension (mooncdn only, not in the v1.0 API): a page of operation history, newest first.
   * Pass the answer's ContinuationToken back for the next page (null on the last one).
   */
  async listOperations(options: OperationListOptions = {}): Promise<OperationHistory> {
    const params = new URLSearchParams();
    if (options.status) params.set('status', options.status);
    if (options.type) params.set('type', options.type);
    if (options.startTime) params.set('startTime', wireTime(options.startTime));
    if (options.endTime) params.set('endTime', wireTime(options.endTime));
    if (options.top !== undefined) params.set('top', String(options.top));
    if (options.continuationToken) params.set('continuationToken', options.continuationToken);
    const base = options.endpointId === undefined ? '/operations' : `/endpoints/${id(options.endpointId)}/operations`;
    const query = params.toString();
    return this.get<OperationHistory>(query ? `${base}?${query}` : base);
  }

  /**
   * Waits for an operation to end: each read asks the server to answer when it ends (long-poll,
   * extension `wait=N`), so the answer comes as soon as it does, without polling. Resolves with
   * it when Succeeded; rejects with a MooncdnError of type OperationFailed (carrying the
   * operation and its Message) when Failed, OperationTimedOut after `timeoutMs`, or Aborted
   * when `signal` fires.
   */
  async waitForOperation(endpointId: string, operationId: string, options: WaitOptions = {}): Promise<Operation> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const pollMs = options.pollMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    const path = `${this.subscriptionPath}/endpoints/${id(endpointId)}/operations/${id(operationId)}`;
    for (let first = true; ; first = false) {
      if (options.signal?.aborted) throw new MooncdnError('Aborted', `Stopped waiting for operation ${operationId}.`);
      // The first read answers at once (progress shows the state it is in); later ones wait.
      const waitSeconds = first || options.longPoll === false ? 0 : Math.min(this.longPollSeconds, Math.floor((deadline - Date.now()) / 1000));
      const asked = Date.now();
      const operation = await this.transport.send<Operation>('GET', waitSeconds > 0 ? `${path}?wait=${waitSeconds}` : path, undefined, options.signal ? { signal: options.signal } : {})
        .then((response) => response.body);
      options.onProgress?.(operation);
      if (operation.Status === 'Succeeded') return operation;
      if (operation.Status === 'Failed') {
        throw new MooncdnError('OperationFailed', `Operation ${operation.Type} ${operationId} failed: ${operation.Message ?? 'no reason given'}`, 200, undefined, operation);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new MooncdnError('OperationTimedOut', `Operation ${operation.Type} ${operationId} was still ${operation.Status} after ${Math.round(timeoutMs / 1000)} s.`, 200, undefined, operation);
      }
      // Long-polling, the next read waits by itself; unless this one came back before its wait
      // was up though the operation has not ended (a server that does not long-poll, or one
      // closing): then pause as a poll would.
      const longPolling = options.longPoll !== false && this.longPollSeconds > 0 && left >= 1000;
      const early = waitSeconds > 0 && Date.now() - asked < waitSeconds * 1000 - 100;
      if (!longPolling || early) await sleep(Math.min(pollMs, left), options.signal);
    }
  }

  /**
   * Extension (mooncdn only): follows the operation's event stream (server-sent events) until it
   * ends, calling `onStatus` with the Operation at the start and at each change of its status,
   * `onItem` as each URL of a purge or preload changes status, and `onEdge` as each edge answers it. Resolves with the final
   * Operation (Succeeded or Failed: this does not throw for Failed, unlike waitForOperation);
   * rejects with Aborted when `signal` fires, or ConnectionError if the stream breaks first.
   */
  async watchOperation(endpointId: string, operationId: string, options: WatchOptions = {}): Promise<Operation> {
    const body = await this.transport.stream(`${this.subscriptionPath}/endpoints/${id(endpointId)}/operations/${id(operationId)}/events`, options.signal);
    let last: Operation | undefined;
    try {
      for await (const event of serverSentEvents(body)) {
        if (event.event === 'status') {
          last = JSON.parse(event.data) as Operation;
          options.onStatus?.(last);
        } else if (event.event === 'item') {
          options.onItem?.(JSON.parse(event.data) as ItemProgress);
        } else if (event.event === 'edge') {
          options.onEdge?.(JSON.parse(event.data) as EdgeResult);
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw new MooncdnError('Aborted', `Stopped watching operation ${operationId}.`, 0, undefined, undefined, { cause: error });
      throw new MooncdnError('ConnectionError', `The event stream of operation ${operationId} broke: ${(error as Error).message}.`, 0, undefined, undefined, { cause: error });
    }
    if (!last || (last.Status !== 'Succeeded' && last.Status !== 'Failed')) {
      throw new MooncdnError('ConnectionError', `The event stream of operation ${operationId} ended before the operation did.`, 0, undefined, last);
    }
    return last;
  }

  // ---- Traffic ------------------------------------------------------------------------------

  /** ListEndpointVolume */
  async getEndpointVolume(endpointId: string, granularity: Granularity, range: TimeRange): Promise<EndpointVolume> {
    return this.get<EndpointVolume>(`/endpoints/${id(endpointId)}/volume?${trafficQuery(range, granularity)}`);
  }

  /** ListSubscriptionVolume */
  async getSubscriptionVolume(granularity: Granularity, range: TimeRange): Promise<SubscriptionVolume> {
    return this.get<SubscriptionVolume>(`/volume?${trafficQuery(range, granularity)}`);
  }

  /** ListEndpointBandwidth */
  async getEndpointBandwidth(endpointId: string, range: TimeRange): Promise<EndpointBandwidth> {
    return this.get<EndpointBandwidth>(`/endpoints/${id(endpointId)}/bandwidth?${trafficQuery(range)}`);
  }

  // ---- HTTPS --------------------------------------------------------------------------------

  /** Uploads a certificate and its private key (base64 DER or PEM); the key is never returned. */
  async uploadCertificate(upload: CertificateUpload, options: ChangeOptions = {}): Promise<Certificate> {
    return (await this.transport.send<Certificate>('POST', `${this.subscriptionPath}/https/certificates`, upload, keyOf(options))).body;
  }

  async listCertificates(): Promise<Certificate[]> {
    return this.get<Certificate[]>('/https/certificates');
  }

  async getCertificate(certificateId: string): Promise<Certificate> {
    return this.get<Certificate>(`/https/certificates/${id(certificateId)}`);
  }

  /** Binds a certificate to an endpoint: the edge serves it for the endpoint's domain. */
  async createHttpsBinding(certificateId: string, endpointId: string, options: ChangeOptions = {}): Promise<Accepted> {
    return this.accepted('POST', '/https/bindings', { CertificateId: certificateId, EndpointId: endpointId }, options);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  // ---- Webhooks (extension: mooncdn only) ----------------------------------------------------

  /**
   * Registers (or changes) a webhook: when an operation of the subscription ends, the Operation
   * is POSTed to `url`, signed with `secret` (verify it with `verifyWebhookSignature` from
   * mooncdn/signing), and retried for a day until answered 2xx.
   */
  async putWebhook(name: string, url: string, secret: string, options: ChangeOptions = {}): Promise<Webhook> {
    return (await this.transport.send<Webhook>('PUT', `${this.subscriptionPath}/webhooks/${id(name)}`, { Url: url, Secret: secret }, keyOf(options))).body;
  }

  async getWebhook(name: string): Promise<Webhook> {
    return this.get<Webhook>(`/webhooks/${id(name)}`);
  }

  async listWebhooks(): Promise<Webhook[]> {
    return this.get<Webhook[]>('/webhooks');
  }

  async deleteWebhook(name: string, options: ChangeOptions = {}): Promise<void> {
    await this.transport.send('DELETE', `${this.subscriptionPath}/webhooks/${id(name)}`, undefined, keyOf(options));
  }

  /** The webhook's last 100 deliveries, newest first. */
  async listWebhookDeliveries(name: string): Promise<WebhookDelivery[]> {
    return (await this.get<WebhookDeliveries>(`/webhooks/${id(name)}/deliveries`)).Deliveries;
  }

  private async get<T>(path: string): Promise<T> {
    return (await this.transport.send<T>('GET', `${this.subscriptionPath}${path}`)).body;
  }

  private async accepted(method: string, path: string, body?: unknown, options: ChangeOptions = {}): Promise<Accepted> {
    const response = await this.transport.send<AsyncResponse>(method, `${this.subscriptionPath}${path}`, body, keyOf(options));
    return { operationId: response.body.AsyncInfo.TaskTrackId, body: response.body };
  }
}

/** A change's options as the transport takes them (no key: none, or idempotentRetries' own). */
function keyOf(options: ChangeOptions): SendOptions {
  return options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {};
}

function id(value: string): string {
  return encodeURIComponent(value);
}

/** The long-poll query of a purge's or preload's result (extension), if asked for. */
function waitQuery(options: ResultOptions): string {
  return options.waitSeconds ? `?wait=${options.waitSeconds}` : '';
}

function operationIdFromLocation(location: string | string[] | undefined): string {
  const match = /\/operations\/([^/?]+)/.exec(String(Array.isArray(location) ? location[0] : (location ?? '')));
  if (!match) throw new MooncdnError('UnexpectedResponse', 'The create answer has no Operation-Location header naming its operation.');
  return match[1]!;
}

/** A time as the API takes it: yyyy-MM-ddTHH:mm:ssZ (a string is sent as given). */
function wireTime(value: string | Date): string {
  return value instanceof Date ? `${value.toISOString().slice(0, 19)}Z` : value;
}

function trafficQuery(range: TimeRange, granularity?: Granularity): string {
  const params = new URLSearchParams();
  if (granularity) params.set('granularity', granularity);
  params.set('startTime', wireTime(range.startTime));
  params.set('endTime', wireTime(range.endTime));
  return params.toString();
}
