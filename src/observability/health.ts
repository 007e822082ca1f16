/**
 * Liveness and readiness. /healthz answers while the process is up; /readyz runs every named
 * check (store reachable, workers running, edge listening) and is ready only if all pass.
 */

export type Check = () => Promise<void> | void;

export interface ReadinessReport {
  readonly ready: boolean;
  /** "ok", or what is wrong, per check. */
  readonly checks: Record<string, string>;
}

export class Health {
  private readonly checks = new Map<string, Check>();

  add(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, string]> => {
        try {
          await check();
          return [name, 'ok'];
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)];
        }
      }),
    );
    return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
  }
}
