/** Small hooks: load something from the API (with its error), and repeat while a condition holds. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../api.js';

export interface Loaded<T> {
  readonly value: T | undefined;
  readonly problem: ApiProblem | undefined;
  readonly loading: boolean;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value?: T; problem?: ApiProblem; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error: unknown) => current && setState({ problem: asProblem(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { value: state.value, problem: state.problem, loading: state.loading, reload };
}

/** Calls `tick` every `ms` while `active`, never two at once; stops when the component goes. */
export function usePoll(tick: () => Promise<void>, active: boolean, ms = 400): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await tickRef.current();
      } finally {
        if (!stopped) timer = setTimeout(run, ms);
      }
    };
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [active, ms]);
}

export function asProblem(error: unknown): ApiProblem {
  return error instanceof ApiProblem ? error : new ApiProblem('ConsoleError', error instanceof Error ? error.message : String(error), 0);
}
