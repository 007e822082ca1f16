/**
 * One signed request with the retry policy: 429 is retried for any method, honouring
 * Retry-After (a request refused for its rate changed nothing); a 5xx answer or a failed
 * connection is retried only for GET, which is safe to repeat (and for changes sent with an
 * Idempotency-Key: with idempotentRetries, or the caller's own key), except that a connection that was refused outright
 * (nothing reached the server) is retried for any method. A certificate
 * that fails verification is not retried.
 */
import { randomUUID } from 'node:crypto';
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { IDEMPOTENCY_KEY_RULE, isIdempotencyKey } from '../contract/idempotency-key.js';
import { signRequest, type SigningKey } from '../signing/sign-request.js';
import { MooncdnError } from './errors.js';

export interface RetryOptions {
  /** Attempts after the first (default 3). */
  readonly retries?: number;
  /** First backoff; doubles each time, with jitter (default 200 ms). */
  readonly baseDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown (default 30 s). */
  readonly maxRetryAfterMs?: number;
  /** Called before each wait for a retry (to tell a person why nothing seems to happen). */
  readonly onRetry?: (retry: RetryEvent) => void;
}

export interface RetryEvent {
  /** `throttled`: a 429; `server`: a 5xx to a GET; `connection`: the connection failed. */
  readonly reason: 'throttled' | 'server' | 'connection';
  /** The HTTP status, or 0 for a connection that failed. */
  readonly status: number;
  readonly delayMs: number;
  /** 1 for the first retry. */
  readonly attempt: number;
}

export interface TransportOptions {
  readonly baseUrl: string;
  readonly key: SigningKey;
  readonly retry?: RetryOptions;
  /** Per attempt (default 30 s). */
  readonly timeoutMs?: number;
  /** For https:// base URLs: a CA to trust, the name to verify, or no verification (local TLS only). */
  readonly tls?: TlsOptions;
  /**
   * mooncdn extension: every POST, PUT and DELETE carries a new Idempotency-Key, the same on
   * each of its retries, so it is retried like a GET (5xx, broken connection, and 409 while
   * the server is still answering its first attempt) without being applied twice. Only for
   * servers that honour the key (mooncdn; not the Azure service).
   */
  readonly idempotentRetries?: boolean;
}

/** One call's own settings. */
export interface SendOptions {
  readonly signal?: AbortSignal;
  /**
   * mooncdn extension: the Idempotency-Key of this change (POST, PUT, DELETE), chosen by the
   * caller, in place of the one idempotentRetries would make up: a caller that repeats the whole
   * call (a CI job retrying its step) gets the first answer again. Retried like a GET.
   */
  readonly idempotencyKey?: string;
}

export interface TlsOptions {
  /** The CA (PEM) to trust; it replaces Node's default roots for this client. */
  readonly ca?: string | Buffer;
  /**
   * The name the server's certificate must cover (also sent as SNI), when it is not the base
   * URL's host: e.g. a certificate for cdn.example.com served at https://127.0.0.1:7443.
   */
  readonly servername?: string;
  /** Skip certificate verification altogether (local TLS only). */
  readonly insecureSkipVerify?: boolean;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string | string[] | undefined>;
}

export class Transport {
  private readonly dispatcher: Agent;
  private readonly baseUrl: string;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.baseUrl)) throw new MooncdnError('ConnectionError', `The base URL "${options.baseUrl}" must start with http:// or https://.`);
    const timeout = options.timeoutMs ?? 30_000;
    this.dispatcher = new Agent({
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: {
        timeout: Math.min(timeout, 10_000),
        ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
        ...(options.tls?.servername !== undefined ? { servername: options.tls.servername } : {}),
        ...(options.tls?.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
      },
    });
  }

  /** `path` is below the base URL and starts with "/"; apiVersion=1.0 is added. */
  async send<T>(method: string, path: string, body?: unknown, { signal, idempotencyKey: given }: SendOptions = {}): Promise<ApiResponse<T>> {
    const url = `${this.baseUrl}${path}${path.includes('?') ? '&' : '?'}apiVersion=1.0`;
    const retries = this.options.retry?.retries ?? 3;
    const baseDelay = this.options.retry?.baseDelayMs ?? 200;
    const maxRetryAfter = this.options.retry?.maxRetryAfterMs ?? 30_000;
    if (given !== undefined && !isIdempotencyKey(given)) throw new MooncdnError('ParameterInvalid', `The idempotency key "${given.slice(0, 64)}" is not one: it must be ${IDEMPOTENCY_KEY_RULE}.`);
    const idempotencyKey = method === 'GET' ? undefined : (given ?? (this.options.idempotentRetries ? randomUUID() : undefined));
    // Safe to send again: a GET, or a change the server answers once per key.
    const repeatable = method === 'GET' || idempotencyKey !== undefined;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let response: Dispatcher.ResponseData;
      let text: string;
      try {
        response = await request(url, {
          method: method as Dispatcher.HttpMethod,
          headers: {
            ...signRequest(method, url, this.options.key),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          dispatcher: this.dispatcher,
          ...(signal ? { signal } : {}),
        });
        // Inside the try: a connection that fails while the body arrives is a connection error too.
        text = await response.body.text();
      } catch (error) {
        if (signal?.aborted) throw new MooncdnError('Aborted', 'The request was aborted.', 0, undefined, undefined, { cause: error });
        const code = (error as { code?: string }).code ?? '';
        const refused = code === 'ECONNREFUSED';
        // A certificate that does not verify will not verify on the next try either.
        const untrusted = isCertificateFailure(code);
        if (!last && !untrusted && (repeatable || refused)) {
          await this.wait({ reason: 'connection', status: 0, delayMs: backoff(baseDelay, attempt), attempt: attempt + 1 }, signal);
          continue;
        }
        throw new MooncdnError('ConnectionError', `Cannot reach ${this.baseUrl}: ${describe(error)}.`, 0, undefined, undefined, { cause: error });
      }

      const correlationId = header(response.headers, 'x-correlation-id');
      if (response.statusCode < 400) {
        return { status: response.statusCode, body: (text ? parseJson(text, response.statusCode, correlationId) : undefined) as T, headers: response.headers };
      }
      if (!last && response.statusCode === 429) {
        // Without a usable Retry-After, back off as for a 5xx.
        const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
        if (retryAfterMs === undefined || retryAfterMs <= maxRetryAfter) {
          await this.wait({ reason: 'throttled', status: 429, delayMs: retryAfterMs ?? backoff(baseDelay, attempt), attempt: attempt + 1 }, signal);
          continue;
        }
      }
      // The key's first attempt is still being answered (it may have reached the server before its connection broke).
      if (!last && idempotencyKey !== undefined && response.statusCode === 409 && header(response.headers, 'retry-after') !== undefined) {
        const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
        await this.wait({ reason: 'server', status: 409, delayMs: Math.min(retryAfterMs ?? baseDelay, maxRetryAfter), attempt: attempt + 1 }, signal);
        continue;
      }
      if (!last && response.statusCode >= 500 && repeatable) {
        await this.wait({ reason: 'server', status: response.statusCode, delayMs: backoff(baseDelay, attempt), attempt: attempt + 1 }, signal);
        continue;
      }
      throw toError(text, response.statusCode, correlationId);
    }
  }

  /**
   * A signed GET whose answer is read as it comes (the event stream): its body's chunks once
   * the status is 2xx; an error answer is thrown as send() throws it. Not retried.
   */
  async stream(path: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const url = `${this.baseUrl}${path}${path.includes('?') ? '&' : '?'}apiVersion=1.0`;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { method: 'GET', headers: { ...signRequest('GET', url, this.options.key) }, dispatcher: this.dispatcher, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw new MooncdnError('Aborted', 'The request was aborted.', 0, undefined, undefined, { cause: error });
      throw new MooncdnError('ConnectionError', `Cannot reach ${this.baseUrl}: ${describe(error)}.`, 0, undefined, undefined, { cause: error });
    }
    if (response.statusCode >= 400) throw toError(await response.body.text(), response.statusCode, header(response.headers, 'x-correlation-id'));
    return response.body;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private wait(retry: RetryEvent, signal: AbortSignal | undefined): Promise<void> {
    this.options.retry?.onRetry?.(retry);
    return sleep(retry.delayMs, signal);
  }
}

function toError(text: string, status: number, correlationId: string | undefined): MooncdnError {
  try {
    const info = (JSON.parse(text) as { ErrorInfo?: { Type?: string; Message?: string } }).ErrorInfo;
    if (info?.Type && info.Message !== undefined) {
      return new MooncdnError(info.Type as MooncdnError['type'], info.Message, status, correlationId);
    }
  } catch {
    // not JSON: reported below
  }
  return new MooncdnError('UnexpectedResponse', `The server answered ${status} without the contract's error body: ${text.slice(0, 200)}`, status, correlationId);
}

function parseJson(text: string, status: number, correlationId: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MooncdnError('UnexpectedResponse', `The server answered ${status} with a body that is not JSON.`, status, correlationId);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(baseMs: number, attempt: number): number {
  const ceiling = Math.min(5_000, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Whether a connection error's code says the server's TLS certificate did not verify. */
export function isCertificateFailure(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) return 'no answer in time';
  return e.code ?? e.cause?.code ?? e.message ?? String(error);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new MooncdnError('Aborted', 'Aborted.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new MooncdnError('Aborted', 'Aborted.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
