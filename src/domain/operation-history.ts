/**
 * The query of the history routes (an extension): filters, page size and the continuation
 * token. The token is base64url of JSON naming the last operation's seq; the next page starts
 * strictly below it, so operations accepted between pages (higher seqs) never shift a page:
 * nothing repeats and nothing is skipped (keyset pagination, as CloudFront's Marker).
 */
import { Errors } from '../contract/errors.js';
import type { OperationStatus, OperationType } from './operation.js';
import { parseTime } from './traffic-range.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface HistoryQuery {
  readonly status?: OperationStatus;
  readonly type?: OperationType;
  /** Accepted at or after (ms). */
  readonly startTime?: number;
  /** Accepted at or before (ms). */
  readonly endTime?: number;
  readonly top: number;
  /** Only operations with a seq below this (from the continuation token). */
  readonly beforeSeq?: number;
}

/** As the query string has them; status and type already checked against their enums by the route schema. */
export interface HistoryParameters {
  readonly status?: string;
  readonly type?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly top?: string;
  readonly continuationToken?: string;
}

export function parseHistoryQuery(parameters: HistoryParameters): HistoryQuery {
  const startTime = parameters.startTime === undefined ? undefined : parseTime('startTime', parameters.startTime);
  const endTime = parameters.endTime === undefined ? undefined : parseTime('endTime', parameters.endTime);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw Errors.parameterInvalid(`startTime ${parameters.startTime} is after endTime ${parameters.endTime}.`);
  }
  const beforeSeq = parameters.continuationToken === undefined ? undefined : decodeContinuationToken(parameters.continuationToken);
  return {
    ...(parameters.status !== undefined ? { status: parameters.status as OperationStatus } : {}),
    ...(parameters.type !== undefined ? { type: parameters.type as OperationType } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    top: parsePageSize(parameters.top),
    ...(beforeSeq !== undefined ? { beforeSeq } : {}),
  };
}

export function parsePageSize(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE;
  const size = /^[0-9]{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw Errors.parameterInvalid(`Query parameter top "${value}" must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return size;
}

export function encodeContinuationToken(lastSeq: number): string {
  return Buffer.from(JSON.stringify({ seq: lastSeq })).toString('base64url');
}

export function decodeContinuationToken(token: string): number {
  const invalid = () =>
    Errors.parameterInvalid('Query parameter continuationToken is not one this API gave; pass the ContinuationToken of the previous page unchanged.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const seq = (decoded as { seq?: unknown } | null)?.seq;
  if (typeof decoded !== 'object' || decoded === null || !Number.isSafeInteger(seq) || (seq as number) < 1) throw invalid();
  return seq as number;
}
