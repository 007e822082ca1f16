/**
 * Server-sent events of one operation (extension): `event: status` with the Operation when its
 * status changes, `event: item` with {Url, Status} when one of its URLs changes status (a cache
 * tag's item carries the tag as its Url: one item shape for clients), `event: edge` with
 * {EdgeId, Status, Message} when an edge's outcome of a purge or preload is recorded (as each
 * edge answers); the stream starts with the current state and ends after the final status.
 * While nothing
 * happens, a comment line every HEARTBEAT_MS keeps proxies from closing the connection.
 */
import type { ServerResponse } from 'node:http';
import { isFinal, type OperationItem, type OperationRecord } from '../../domain/operation.js';
import type { EdgeOutcomeRecord } from '../../store/repositories/edges.js';
import { presentEdgeResult, presentOperation } from '../presenters.js';
import type { OperationWatch } from './operation-watch.js';

export const HEARTBEAT_MS = 15_000;

export interface StreamSource {
  readonly watch: OperationWatch;
  readonly operationId: string;
  /** The operation first, then its items and edges: what is read after a final status is final too. */
  readonly read: () => Promise<{ operation: OperationRecord; items: readonly OperationItem[]; edges: readonly EdgeOutcomeRecord[] }>;
}

/** The text of one event. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Writes the events to `out` (headers already sent) until the operation has ended or the
 * client has gone (`signal`), then ends it. Changes that come faster than they are read are
 * sent as the states read: every status is sent in the order taken, a state held for less
 * than a read may be passed over.
 */
export async function streamOperation(source: StreamSource, out: ServerResponse, signal: AbortSignal): Promise<void> {
  let lastStatus: string | undefined;
  let lastMessage: string | null | undefined;
  const itemStatus = new Map<number, string>();
  const edgeStatus = new Map<string, string>();
  try {
    for (;;) {
      const wake = source.watch.next(source.operationId, HEARTBEAT_MS, signal);
      const { operation, items, edges } = await source.read();
      const changedItems = items.filter((item) => itemStatus.get(item.position) !== item.status);
      for (const item of changedItems) itemStatus.set(item.position, item.status);
      const changedEdges = edges.filter((edge) => edgeStatus.get(edge.edgeId) !== `${edge.status} ${edge.message}`);
      for (const edge of changedEdges) edgeStatus.set(edge.edgeId, `${edge.status} ${edge.message}`);
      const statusChanged = operation.status !== lastStatus || operation.message !== lastMessage;
      lastStatus = operation.status;
      lastMessage = operation.message;
      const final = isFinal(operation.status);
      let text = '';
      // A status before the items it brings (Processing, then URLs running); the final status
      // after them and after every edge's outcome.
      if (statusChanged && !final) text += formatEvent('status', presentOperation(operation));
      for (const item of changedItems) text += formatEvent('item', { Url: item.url, Status: item.status });
      for (const edge of changedEdges) text += formatEvent('edge', presentEdgeResult(edge));
      if (final) text += formatEvent('status', presentOperation(operation));
      if (text) out.write(text);
      if (final) {
        wake.cancel();
        return;
      }
      const reason = await wake.reason;
      if (reason === 'aborted') return;
      if (reason === 'timeout') out.write(': keep-alive\n\n');
    }
  } finally {
    out.end();
  }
}
