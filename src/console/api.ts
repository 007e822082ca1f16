/**
 * The console's API client: every request signed in the browser with WebCrypto through
 * src/signing (the module the SDK signs with), errors turned into ApiProblem with the API's own
 * Type and Message.
 */
import { signRequestWithWebCrypto } from '../signing/sign-request-web.js';
import type { Session } from './session.js';

export class ApiProblem extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly correlationId?: string,
  ) {
    super(message);
  }
}

export interface Accepted {
  readonly operationId: string;
  readonly endpointId: string;
}

export type Query = Record<string, string | undefined>;

export class Api {
  constructor(readonly session: Session) {}

  /** `path` is below /subscriptions/{id}, starting with "/". */
  async call<T>(method: string, path: string, query: Query = {}, body?: unknown): Promise<{ body: T; headers: Headers }> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, value);
    search.set('apiVersion', '1.0');
    const url = `/subscriptions/${encodeURIComponent(this.session.subscriptionId)}${path}?${search.toString()}`;
    const signed = await signRequestWithWebCrypto(method, url, this.session);
    return send<T>(url, {
      method,
      headers: { ...signed, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async get<T>(path: string, query: Query = {}): Promise<T> {
    return (await this.call<T>('GET', path, query)).body;
  }

  /** A change answered 202: the operation to follow. */
  async change(method: string, path: string, body?: unknown): Promise<Accepted> {
    const { body: answer, headers } = await this.call<{ AsyncInfo?: { TaskTrackId?: string }; EndpointID?: string }>(method, path, {}, body);
    const location = headers.get('operation-location') ?? '';
    const match = /endpoints\/([0-9a-f-]+)\/operations\/([0-9a-f-]+)/i.exec(location);
    const operationId = answer?.AsyncInfo?.TaskTrackId ?? match?.[2];
    const endpointId = match?.[1] ?? answer?.EndpointID;
    if (!operationId || !endpointId) throw new ApiProblem('UnexpectedResponse', 'The API accepted the change but named no operation to follow.', 202);
    return { operationId, endpointId };
  }
}

/**
 * One request to the API from this page (no cookie, no cache), its JSON answer; an error answer
 * becomes an ApiProblem with the API's Type and Message.
 */
export async function send<T>(url: string, init: RequestInit): Promise<{ body: T; headers: Headers }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    throw new ApiProblem('ConnectionError', `The API did not answer: ${(error as Error).message}`, 0);
  }
  const text = await response.text();
  const correlationId = response.headers.get('x-correlation-id') ?? undefined;
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiProblem('UnexpectedResponse', `The API answered ${response.status} with a body that is not JSON.`, response.status, correlationId);
  }
  if (!response.ok) {
    const info = (parsed as { ErrorInfo?: { Type?: string; Message?: string } } | undefined)?.ErrorInfo;
    throw new ApiProblem(info?.Type ?? 'UnexpectedResponse', info?.Message ?? `The API answered ${response.status}.`, response.status, correlationId);
  }
  return { body: parsed as T, headers: response.headers };
}

/** Dates as the API's query parameters want them: yyyy-MM-ddTHH:mm:ssZ. */
export function apiTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
