/**
 * The cache test suite's own origin server and client, run from its checkout as child
 * processes (as `npm run server` and `npm run cli` would, without npm in between so that a
 * signal reaches node itself).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SuiteResults } from './cache-tests-suite.js';

/**
 * The suite's server listens on every interface (`server.listen(port)`); this preload makes a
 * listen given only a port bind loopback, so the bench exposes nothing beyond this machine.
 */
const LOOPBACK_ONLY = `import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (port, ...rest) {
  const portOnly = (typeof port === 'number' || typeof port === 'string') && typeof rest[0] !== 'string';
  return portOnly ? listen.call(this, port, '127.0.0.1', ...rest) : listen.call(this, port, ...rest);
};`;

export interface Child {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
}

/** Starts the suite's origin on a port the system picks; resolves with its host:port. */
export async function startSuiteOrigin(root: string, scratchDir: string): Promise<Child & { address: string }> {
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(LOOPBACK_ONLY)}`, join(root, 'test-engine/server/server.mjs')], {
    cwd: root,
    // The settings `npm run server` would pass from package.json's config, port 0 instead of 8000.
    env: { ...process.env, npm_config_protocol: 'http', npm_config_port: '0', npm_config_pidfile: join(scratchDir, 'origin.pid') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = stopper(child);
  let output = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the suite's origin server did not start within 20 s:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on http:\/\/(127\.0\.0\.1:\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the suite's origin server exited (${code ?? signal}) before it listened:\n${output}`));
    });
  });
  // Keep draining its output (warnings for unsupported statuses) so it never blocks on a pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, address, stop };
}

export interface ClientRun {
  readonly results: SuiteResults;
  /** What the client wrote to stderr: harness errors such as a failed config upload. */
  readonly errors: string;
}

/** Runs every test of the suite against `base` (e.g. http://cachetests.test:8080). */
export async function runSuiteClient(root: string, base: string, timeoutMs: number, onStart: (child: Child) => void): Promise<ClientRun> {
  const child = spawn(process.execPath, ['--no-warnings', join(root, 'test-engine/cli.mjs')], {
    cwd: root,
    // An empty id runs every test; the cli reads npm's config variables.
    env: { ...process.env, npm_config_base: base, npm_config_id: '', npm_package_config_id: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onStart({ child, stop: stopper(child) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      resolve(exitCode ?? signal ?? 'unknown');
    });
  });
  if (code !== 0) throw new Error(`the suite's client exited with ${code} (limit ${timeoutMs / 1000} s):\n${stderr.slice(-4000)}`);
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`the suite's client printed no results:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  return { results: JSON.parse(stdout.slice(start)) as SuiteResults, errors: stderr };
}
