/**
 * A real `mooncdn serve` process (the built dist/cli/main.js), on free ports, for black-box
 * tests. By default it is bootstrapped with a known subscription and key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { newKeyValue } from '../../src/domain/api-key.js';
import type { StoreLocation } from '../../src/store/store.js';
import { dirname, join } from 'node:path';

export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface Credentials {
  readonly subscriptionId: string;
  readonly keyId: string;
  readonly keyValue: string;
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly credentials: Credentials;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** What it wrote to stdout, and to stderr, so far. */
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface StartOptions {
  readonly store: StoreLocation;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Bootstrap credentials (default: new ones); null for none. */
  readonly credentials?: Credentials | null;
  /** A command to run node under, e.g. ['taskset', '-c', '0'] (benchmarks). */
  readonly wrapper?: readonly string[];
  /** Flags for node itself (default: those of the mooncdn command's own first line). */
  readonly nodeFlags?: readonly string[];
}

/**
 * How the built `mooncdn` command runs node, from its #! line (`env -S VAR=value node --flag`),
 * so tests and benchmarks run it as users do.
 */
export function commandLine(): { env: Record<string, string>; nodeFlags: string[] } {
  const shebang = readFileSync(MAIN, 'utf8').split('\n', 1)[0]!;
  const words = shebang.replace(/^#!\/usr\/bin\/env( -S)?/, '').trim().split(/\s+/);
  const nodeAt = words.indexOf('node');
  const env = Object.fromEntries(words.slice(0, Math.max(0, nodeAt)).map((word) => word.split('=', 2) as [string, string]));
  return { env, nodeFlags: words.slice(nodeAt + 1) };
}

export function newCredentials(): Credentials {
  return { subscriptionId: randomUUID(), keyId: randomUUID(), keyValue: newKeyValue() };
}

export function storeArgs(store: StoreLocation): string[] {
  return store.kind === 'postgres' ? ['--database-url', store.connectionString] : ['--data-dir', dirname(store.file)];
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const credentials = options.credentials === undefined ? newCredentials() : options.credentials;
  const command = commandLine();
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...command.env, MOONCDN_LOG_LEVEL: 'info', ...options.env };
  if (credentials) {
    Object.assign(env, {
      MOONCDN_SUBSCRIPTION_ID: credentials.subscriptionId,
      MOONCDN_KEY_ID: credentials.keyId,
      MOONCDN_KEY_VALUE: credentials.keyValue,
    });
  }
  const args = [MAIN, 'serve', '--port', '0', '--edge-port', '0', '--edge-tls-port', '0', ...storeArgs(options.store), ...(options.args ?? [])];
  const [program, ...prefix] = [...(options.wrapper ?? []), process.execPath, ...(options.nodeFlags ?? command.nodeFlags)];
  const child = spawn(program!, [...prefix, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const streams = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      streams[name] += chunk.toString();
    });
  }
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /serving the management API at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it started:\n${output}`));
    });
  });

  // Without credentials, the banner ends with a development key's export line (on stderr,
  // which may come after stdout) or says the store has subscriptions already.
  const bannerEnd = /MOONCDN_KEY_VALUE=\S+\n|Using the subscriptions already in the store/;
  for (const deadline = Date.now() + 5_000; credentials === null && !bannerEnd.test(output) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  let devCredentials: Credentials | undefined;
  const exported = /MOONCDN_SUBSCRIPTION_ID=(\S+) MOONCDN_KEY_ID=(\S+) MOONCDN_KEY_VALUE=(\S+)/.exec(output);
  if (exported) devCredentials = { subscriptionId: exported[1]!, keyId: exported[2]!, keyValue: exported[3]! };

  return {
    url,
    child,
    credentials: credentials ?? devCredentials ?? { subscriptionId: '', keyId: '', keyValue: '' },
    output: () => output,
    stdout: () => streams.stdout,
    stderr: () => streams.stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the mooncdn command to completion. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...(process.env as Record<string, string>), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
