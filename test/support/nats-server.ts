/**
 * A real NATS server with JetStream for one test file (/usr/sbin/nats-server, as machines here
 * have it), on a port the system picks, its data in a temporary directory. `restart()` brings it
 * back on the same port with the same data, as an operator restarting it would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = process.env.MOONCDN_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

/** `config`: extra nats-server configuration text (authorization, say). */
export async function startNatsServer(config = ''): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-nats-'));
  const configFile = join(dir, 'nats.conf');
  let port = -1;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    writeFileSync(configFile, `host: 127.0.0.1\nport: ${port}\njetstream { store_dir: "${join(dir, 'js')}" }\n${config}\n`);
    const started = spawn(NATS_SERVER, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${output}`)), 10_000);
      const check = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Listening for client connections on [^\s]*:(\d+)/.exec(output);
        if (match && /Server is ready/.test(output)) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      started.stdout!.on('data', check);
      started.stderr!.on('data', check);
      started.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${output}`));
      });
    });
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
