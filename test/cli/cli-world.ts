/**
 * What the user-command suites share: a real `mooncdn serve` with its edge, a real origin, the
 * environment a user would export, and ways to run the real `mooncdn` binary (piped, with text
 * on stdin, or on a pseudo-terminal). The signed client reads server state independently of
 * the CLI; the server's request log says what the CLI actually sent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { OriginServer } from '../support/origin-server.js';
import { MAIN, runCli, startServer, storeArgs, type ServerProcess } from '../support/server-process.js';
import { SignedClient } from '../support/signed-client.js';
import { newStoreLocation, type TestStoreLocation } from '../support/stores.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** `script` (util-linux) gives the command a pseudo-terminal; without it the terminal tests are skipped. */
export const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

export class CliWorld {
  private constructor(
    readonly server: ServerProcess,
    readonly origin: OriginServer,
    readonly api: SignedClient,
    readonly edgePort: number,
    private readonly where: TestStoreLocation,
  ) {}

  static async start(serveArgs: readonly string[] = []): Promise<CliWorld> {
    const where = await newStoreLocation('sqlite');
    const origin = await OriginServer.start();
    const server = await startServer({ store: where.location, args: serveArgs });
    const edgePort = Number(/http:\/\/[^:]+:(\d+) and https/.exec(server.output())![1]);
    return new CliWorld(server, origin, new SignedClient(server.url, server.credentials), edgePort, where);
  }

  /** The four variables a user exports (the line `mooncdn serve` prints). */
  get env(): Record<string, string> {
    return {
      MOONCDN_API_URL: this.server.url,
      MOONCDN_SUBSCRIPTION_ID: this.server.credentials.subscriptionId,
      MOONCDN_KEY_ID: this.server.credentials.keyId,
      MOONCDN_KEY_VALUE: this.server.credentials.keyValue,
    };
  }

  /** The flags that point `mooncdn admin` at this server's store. */
  get storeArgs(): string[] {
    return storeArgs(this.where.location);
  }

  /** Runs `mooncdn ARGS` configured by the environment, stdout and stderr piped. */
  cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { ...this.env, ...env });
  }

  /** Runs `mooncdn ARGS` with `input` on its stdin. */
  cliWithInput(args: readonly string[], input: string): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN, ...args], { env: { ...(process.env as Record<string, string>), ...this.env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  /** Runs `mooncdn ARGS` on a pseudo-terminal; `output` is what the terminal got (stdout and stderr). */
  inTerminal(args: readonly string[]): Promise<{ code: number; output: string }> {
    const command = [process.execPath, MAIN, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
    return new Promise((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...(process.env as Record<string, string>), ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => resolve({ code: code ?? -1, output }));
    });
  }

  /** Creates an endpoint through the API (not the CLI) and waits until it is Normal. */
  async endpoint(domain: string): Promise<string> {
    const created = await this.api.sub('POST', '/endpoints', { CustomDomain: domain, Origin: { Addresses: [this.origin.address] } });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const operationId = /operations\/([0-9a-f-]+)/.exec(String(created.headers['operation-location']))![1]!;
    await this.api.waitForOperation(created.body.EndpointID, operationId);
    return created.body.EndpointID;
  }

  /**
   * How many requests of this method to a path ending in `pathEnd` the server has logged, once
   * every earlier request is in the log (a marker request is sent and awaited first).
   */
  async requests(method: string, pathEnd: string): Promise<number> {
    const marker = `/endpoints/${randomUUID()}`;
    await this.api.sub('GET', marker);
    const deadline = Date.now() + 5_000;
    while (this.logged('GET', marker) === 0) {
      if (Date.now() > deadline) throw new Error(`the marker request ${marker} never reached the server log`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.logged(method, pathEnd);
  }

  private logged(method: string, pathEnd: string): number {
    return this.server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}') && line.includes('"msg":"request"'))
      .map((line) => JSON.parse(line) as { method: string; path: string })
      .filter((entry) => entry.method === method && entry.path.endsWith(pathEnd)).length;
  }

  async stop(): Promise<void> {
    await this.api.close();
    // The origin first: a fetch it holds (a test's hanging answer) would hold the shutdown.
    await this.origin.close();
    await this.server.stop();
    await this.where.cleanup();
  }
}

/** stdout as one JSON document: fails if it holds anything else. */
export function parseJson(result: CliResult): any {
  expect(result.stdout.trim().startsWith('{') || result.stdout.trim().startsWith('['), result.stdout).toBe(true);
  return JSON.parse(result.stdout);
}

/** A usage error: exit 2, the message and the command's help on stderr, nothing on stdout. */
export function expectUsageError(result: CliResult, message: string, usage: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(message);
  expect(result.stderr).toContain(`Usage: mooncdn ${usage}`);
  expect(result.stderr).toContain('Example');
}
