/**
 * nginx (Debian's package) with proxy_cache in front of an origin: the ceiling the edge is
 * compared with. One worker pinned to the server core by default; `workers` and `pinned: false`
 * for runs across every core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_CORE } from './wrk.js';

export interface Nginx {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startNginx(originAddress: string, domain: string, port: number, cacheBytes: number, options: { workers?: number; pinned?: boolean } = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'mooncdn-nginx-'));
  const conf = `
worker_processes ${options.workers ?? 1};
user root;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=edge:16m max_size=${cacheBytes} inactive=1h use_temp_path=off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream origin { server ${originAddress}; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    server_name ${domain};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_cache edge;
      proxy_cache_key $host$uri$is_args$args;
      proxy_cache_valid 200 1h;
      add_header X-Cache $upstream_cache_status;
    }
  }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const command = ['/usr/sbin/nginx', '-c', join(dir, 'nginx.conf'), '-p', dir];
  const pinned = options.pinned === false ? command : ['taskset', '-c', SERVER_CORE, ...command];
  const child: ChildProcess = spawn(pinned[0]!, pinned.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port);
  return {
    port,
    async stop() {
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}`);
}
