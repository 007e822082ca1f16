/** An API error shown plainly: its Message, with its Type and correlation id for a bug report. */
import type { ApiProblem } from '../api.js';

export function Problem({ problem, id }: { problem: ApiProblem | undefined; id?: string }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert" id={id}>
      <strong>{problem.message}</strong>
      <small>
        {' '}
        ({problem.type}
        {problem.correlationId ? `, correlation id ${problem.correlationId}` : ''})
      </small>
    </div>
  );
}

/** The message beside the field it concerns. */
export function FieldProblem({ problem, id }: { problem: ApiProblem | undefined; id: string }) {
  if (!problem) return null;
  return (
    <span class="field-problem" id={id} role="alert">
      {problem.message}
    </span>
  );
}
