/**
 * What an endpoint settings editor (cache rules, access control) holds: the stored settings,
 * the draft being edited, and saving it with PUT: the accepted operation, or the API's problem
 * with the field it names (`at(path)` gives the problem to show beside that field).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Accepted, Api, ApiProblem } from '../api.js';
import { belongsTo, fieldOf } from '../field-errors.js';
import { asProblem, useLoad, type Loaded } from './use-async.js';

export interface SettingsEditor<Draft> {
  readonly stored: Loaded<Draft>;
  readonly draft: Draft | undefined;
  setDraft(draft: Draft): void;
  readonly problem: ApiProblem | undefined;
  readonly accepted: Accepted | undefined;
  /** The field the problem names, if any. */
  readonly field: string | undefined;
  at(path: string): ApiProblem | undefined;
  save(event: Event): Promise<void>;
}

export function useSettingsEditor<Draft>(api: Api, path: string): SettingsEditor<Draft> {
  const stored = useLoad(() => api.get<Draft>(path), [api, path]);
  const [draft, setDraft] = useState<Draft>();
  const [problem, setProblem] = useState<ApiProblem>();
  const [accepted, setAccepted] = useState<Accepted>();
  useEffect(() => {
    if (stored.value && !draft) setDraft(stored.value);
  }, [stored.value]);
  const field = fieldOf(problem?.message ?? '');
  return {
    stored,
    draft,
    setDraft,
    problem,
    accepted,
    field,
    at: (fieldPath) => (belongsTo(field, fieldPath) ? problem : undefined),
    async save(event) {
      event.preventDefault();
      setProblem(undefined);
      try {
        setAccepted(await api.change('PUT', path, draft));
      } catch (error) {
        setProblem(asProblem(error));
      }
    },
  };
}
