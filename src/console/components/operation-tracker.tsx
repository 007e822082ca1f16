/**
 * An operation followed until it ends: polled every 400 ms, its Status and Message shown live
 * (an aria-live region, so a screen reader hears it end).
 */
import { useState } from 'preact/hooks';
import type { Operation } from '../../contract/schemas/operation.js';
import type { Api, Accepted } from '../api.js';
import { asProblem, usePoll } from './use-async.js';
import { Problem } from './problem.js';
import type { ApiProblem } from '../api.js';

export function isFinished(operation: Operation | undefined): boolean {
  return operation?.Status === 'Succeeded' || operation?.Status === 'Failed';
}

export function OperationTracker({ api, accepted, label, onEnd }: { api: Api; accepted: Accepted; label: string; onEnd?: (operation: Operation) => void }) {
  const [operation, setOperation] = useState<Operation>();
  const [problem, setProblem] = useState<ApiProblem>();
  usePoll(async () => {
    try {
      const current = await api.get<Operation>(`/endpoints/${accepted.endpointId}/operations/${accepted.operationId}`);
      setOperation(current);
      setProblem(undefined);
      if (isFinished(current)) onEnd?.(current);
    } catch (error) {
      setProblem(asProblem(error));
    }
  }, !isFinished(operation) && !(problem && problem.status === 404));
  const status = operation?.Status ?? 'NotSet';
  return (
    <div class={`operation status-${status}`} role="status" aria-live="polite" data-operation-id={accepted.operationId}>
      <span>
        {label}: operation {operation?.Type ?? ''} <strong class="operation-status">{status}</strong>
      </span>
      {operation?.Message ? <span class="operation-message"> — {operation.Message}</span> : null}
      <Problem problem={problem} />
    </div>
  );
}
