/** An operation as the store and the engine see it. */
import type { OperationStatus, OperationType } from '../contract/schemas/operation.js';
import type { PRELOAD_ITEM_STATUSES, PURGE_ITEM_STATUSES } from '../contract/schemas/purge-preload.js';
import type { ContentKind } from './content-url.js';

export type { OperationStatus, OperationType };

export interface OperationRecord {
  readonly id: string;
  readonly subscriptionId: string;
  readonly endpointId: string;
  readonly type: OperationType;
  readonly status: OperationStatus;
  readonly message: string | null;
  /** When it was accepted (the wire's Start). */
  readonly startedAt: number;
  /** When it reached Succeeded or Failed (the wire's End). */
  readonly endedAt: number | null;
  /** What the handler needs, as accepted; JSON. */
  readonly payload: OperationPayload;
  readonly attempts: number;
}

/** Payloads: the new settings, and the LifetimeStatus to return to if the change fails. */
export interface OperationPayload {
  readonly before?: string;
  readonly [field: string]: unknown;
}

/** What an item names: a URL (file or directory), or (extension) a cache tag, kept in `url` and `path`. */
export type ItemKind = ContentKind | 'tag';

export type ItemStatus = (typeof PURGE_ITEM_STATUSES)[number] | (typeof PRELOAD_ITEM_STATUSES)[number];

/** One URL (or tag) of a purge or preload, with its own status. */
export interface OperationItem {
  readonly operationId: string;
  readonly position: number;
  readonly kind: ItemKind;
  readonly url: string;
  readonly path: string;
  readonly query: string;
  readonly status: ItemStatus;
  readonly message: string | null;
}

export function isFinal(status: OperationStatus): boolean {
  return status === 'Succeeded' || status === 'Failed';
}
