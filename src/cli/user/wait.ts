/**
 * `--wait`: follow operations to their end, with a spinner and counts on a terminal (nothing
 * extra when piped), then print the final operations. Exit 0 when all Succeeded, 1 when one
 * Failed, 3 when --timeout ran out first (the operation goes on: it is not a failure).
 */
import { positiveInteger } from '../arguments.js';
import { Command, Option } from 'commander';
import type { MooncdnClient, Operation } from '../../client/index.js';
import { MooncdnError } from '../../client/errors.js';
import { describeOperation, printJson, printLines, Progress } from './output.js';

export interface Started {
  readonly endpointId: string;
  readonly operationId: string;
  /** Purges and preloads report per-URL progress. */
  readonly kind: 'purge' | 'preload' | 'other';
}

export interface WaitFlags {
  wait?: boolean;
  timeout?: number;
}

export function withWait(command: Command): Command {
  return command
    .option('--wait', 'Wait until the operation ends; exit 0 if it Succeeded, 1 if it Failed, 3 if --timeout ran out first')
    .addOption(new Option('--timeout <seconds>', 'How long --wait waits').default(600).argParser(positiveInteger));
}

/** The exit code of a --wait whose time ran out before the operation ended. */
export const EXIT_STILL_RUNNING = 3;

/** Waits for every operation and prints them; returns the exit code. */
export async function waitAndReport(client: MooncdnClient, started: readonly Started[], json: boolean, asList: boolean, timeoutSeconds: number): Promise<number> {
  const progress = new Progress();
  const statuses = new Map<string, string>();
  const items = new Map<string, { done: number; total: number }>();
  // Per-URL counts still being read; awaited before the display is cleared, so none redraws it afterwards.
  const counting = new Set<Promise<void>>();
  const show = () => {
    const ended = [...statuses.values()].filter((s) => s === 'Succeeded' || s === 'Failed').length;
    const urls = [...items.values()].reduce((sum, i) => ({ done: sum.done + i.done, total: sum.total + i.total }), { done: 0, total: 0 });
    progress.update(
      `Waiting for ${started.length} operation${started.length === 1 ? '' : 's'}: ${ended} ended` + (urls.total > 0 ? `, ${urls.done} of ${urls.total} URLs done` : ''),
    );
  };
  let finals: Operation[];
  try {
    finals = await Promise.all(
      started.map(async (s) => {
        try {
          return await client.waitForOperation(s.endpointId, s.operationId, {
            pollMs: 250,
            timeoutMs: timeoutSeconds * 1000,
            onProgress: (operation) => {
              statuses.set(s.operationId, operation.Status);
              if (process.stderr.isTTY && s.kind !== 'other') {
                const count: Promise<void> = countItems(client, s, items).then(show, () => undefined).finally(() => counting.delete(count));
                counting.add(count);
              }
              show();
            },
          });
        } catch (error) {
          if (error instanceof MooncdnError && (error.type === 'OperationFailed' || error.type === 'OperationTimedOut') && error.operation) {
            return error.operation;
          }
          throw error;
        } finally {
          show();
        }
      }),
    );
  } finally {
    // Also when waiting fails (an API error): the error is then printed on a clean line.
    await Promise.all(counting);
    progress.done();
  }
  print(finals, json, asList);
  if (finals.some((operation) => operation.Status === 'Failed')) return 1;
  const unfinished = finals.filter((operation) => operation.Status !== 'Succeeded');
  for (const operation of unfinished) {
    process.stderr.write(
      `Operation ${operation.Id} is still ${operation.Status} after ${timeoutSeconds} s; it goes on. Follow it with: mooncdn operation show ${operation.EndpointId} ${operation.Id}\n`,
    );
  }
  return unfinished.length > 0 ? EXIT_STILL_RUNNING : 0;
}

export function print(operations: readonly Operation[], json: boolean, asList: boolean): void {
  if (json) printJson(asList ? operations : operations[0]);
  else printLines(operations.flatMap(describeOperation));
}

async function countItems(client: MooncdnClient, started: Started, items: Map<string, { done: number; total: number }>): Promise<void> {
  const result =
    started.kind === 'purge'
      ? await client.getPurge(started.endpointId, started.operationId).then((r) => [...r.Files, ...r.Directories, ...(r.Tags ?? [])])
      : await client.getPreload(started.endpointId, started.operationId).then((r) => r.Files);
  items.set(started.operationId, { done: result.filter((i) => i.Status === 'Succeed' || i.Status === 'Failed').length, total: result.length });
}
