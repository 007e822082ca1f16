#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --heap-growing-percent=20 --single-threaded-gc
/**
 * (The first line: an 8 MiB young generation keeps the idle process small and promotes less of
 * what a fill leaves behind than 4 MiB did; V8 lets the old generation grow to 1.2 times what
 * the last full collection left (not up to 4 times, its default), so what evicted objects leave
 * on the heap is collected before it outgrows the budget's margin; V8 collects on the main
 * thread only: an edge process has one core to itself (`--edge-workers` runs one per core), and
 * V8's helper threads for marking and parallel scavenges competed with the main thread for it,
 * so a 1 ms step waited tens of milliseconds for them (BENCHMARKS.md, "Memory", event loop);
 * glibc hands buffers of 64 KiB and more back to the system when they are freed, trims its heap
 * sooner and keeps two arenas. Cached bodies are in the edge's slab pool, off the V8 heap
 * (edge/cache/slab-pool.ts), so the resident size follows the cache budget without forced
 * collections. BENCHMARKS.md, "Memory".)
 *
 * The `mooncdn` command. Exit codes: 0 done; 1 the API refused (its error Type and Message on
 * stderr), an operation waited for Failed, or the command could not do its work; 2 a usage
 * mistake (with the command's help); 3 --wait ran out of time while the operation goes on.
 */
import { Command, CommanderError } from 'commander';
import { MooncdnError } from '../client/errors.js';
import { AdminError } from './admin-commands.js';
import { buildProgram } from './program.js';
import { CommandError, UsageError } from './user/connection.js';
import { describeApiError } from './user/error-hints.js';

const program = buildProgram((code) => {
  process.exitCode = code;
});

// Every command: usage errors exit 2 with that command's help.
let current: Command = program;
applyToTree(program);
program.hook('preAction', (_, actionCommand) => {
  current = actionCommand;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError) {
    try {
      current.error(error.message, { exitCode: 2, code: 'mooncdn.usage' });
    } catch {
      // error() printed the message and the help and threw to leave; the exit code is ours.
    }
    return 2;
  }
  if (error instanceof MooncdnError) {
    process.stderr.write(`${describeApiError(error)}\n`);
    return 1;
  }
  if (error instanceof AdminError || error instanceof CommandError) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  return 1;
}

function applyToTree(command: Command): void {
  command.showHelpAfterError().exitOverride();
  for (const sub of command.commands) applyToTree(sub);
}
