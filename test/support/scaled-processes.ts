/**
 * Real processes of the scaled shape (`mooncdn api`, `worker`, `edge` from dist/), started as
 * an operator would, on ports the system picks; each resolves once its banner says it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { commandLine, MAIN, type Credentials } from './server-process.js';

export interface ScaledProcess {
  readonly kind: 'api' | 'worker' | 'edge';
  readonly child: ChildProcess;
  /** api: its URL. */
  readonly url: string;
  /** edge: its HTTP and HTTPS ports. */
  readonly httpPort: number;
  readonly httpsPort: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const BANNERS = {
  api: /serving the management API at (\S+?)\s/,
  worker: /mooncdn worker (\S+) is running/,
  edge: /listens on \S+ ports (\d+) \(HTTP\) and (\d+) \(HTTPS\)/,
};

export interface ScaledOptions {
  readonly databaseUrl?: string;
  readonly natsUrl: string;
  readonly credentials?: Credentials;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
}

export async function startScaled(kind: ScaledProcess['kind'], options: ScaledOptions): Promise<ScaledProcess> {
  const command = commandLine();
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...command.env, MOONCDN_LOG_LEVEL: 'info', MOONCDN_LOG_FORMAT: 'json', ...options.env };
  if (options.credentials && kind === 'api') {
    Object.assign(env, { MOONCDN_SUBSCRIPTION_ID: options.credentials.subscriptionId, MOONCDN_KEY_ID: options.credentials.keyId, MOONCDN_KEY_VALUE: options.credentials.keyValue });
  }
  const ports = kind === 'api' ? ['--port', '0'] : kind === 'edge' ? ['--edge-port', '0', '--edge-tls-port', '0'] : [];
  const database = kind === 'edge' || !options.databaseUrl ? [] : ['--database-url', options.databaseUrl];
  const nats = kind === 'api' ? [] : ['--nats-url', options.natsUrl];
  const child = spawn(process.execPath, [...command.nodeFlags, MAIN, kind, ...ports, ...database, ...nats, ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mooncdn ${kind} did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      const found = BANNERS[kind].exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`mooncdn ${kind} exited with ${code} before it started:\n${output}`));
    });
  });
  return {
    kind,
    child,
    url: kind === 'api' ? match[1]! : '',
    httpPort: kind === 'edge' ? Number(match[1]) : 0,
    httpsPort: kind === 'edge' ? Number(match[2]) : 0,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
