/**
 * The web console (src/console, built into dist/console by `npm run build`), public and unsigned
 * like /openapi.json: its files hold no secret, and everything it shows it asks the signed API
 * for, with the key the user typed. Only the built files are served, read once at the first
 * request for one, under a Content-Security-Policy that allows no inline script and no framing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { Errors } from '../../contract/errors.js';
import type { App } from '../types.js';

/** dist/console beside this file's dist/ (or src/, when run from source): the same folder. */
export const CONSOLE_DIR = new URL('../../../dist/console/', import.meta.url);

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

function loadAssets(dir: URL): Map<string, Asset> | undefined {
  if (!existsSync(dir)) return undefined;
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)];
    if (type) assets.set(name.toLowerCase(), { body: readFileSync(new URL(name, dir)), type });
  }
  return assets;
}

export function consoleRoutes(app: App, dir: URL = CONSOLE_DIR): void {
  let assets: Map<string, Asset> | undefined;
  const send = (name: string, reply: FastifyReply) => {
    assets ??= loadAssets(dir);
    if (!assets) throw Errors.resourceNotFound('The web console is not built in this installation: run npm run build.');
    const asset = assets.get(name.toLowerCase());
    if (!asset) throw Errors.resourceNotFound(`/console/${name} does not exist.`);
    return reply.headers({ ...CONSOLE_SECURITY_HEADERS, 'cache-control': 'no-cache' }).type(asset.type).send(asset.body);
  };
  const config = { public: true } as const;

  // "/" had nothing to say; whoever opens the API's address in a browser wants the console.
  app.get('/', { config, schema: { hide: true } }, async (_, reply) => reply.redirect('/console/'));
  // With ignoreTrailingSlash, this is /console too.
  app.get('/console/', { config, schema: { hide: true } }, async (_, reply) => send('index.html', reply));
  app.get<{ Params: { file: string } }>('/console/:file', { config, schema: { hide: true } }, async (request, reply) => send(request.params.file, reply));
}
