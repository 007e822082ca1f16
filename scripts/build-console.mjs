#!/usr/bin/env node
/**
 * Builds the web console (src/console) into dist/console: one minified ES module (app.js), its
 * stylesheet (app.css, uPlot's included) and index.html. Everything is local: the API serves
 * these files and nothing else is loaded at run time. Run by `npm run build` and by the test
 * suite's global setup.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/console');

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/console/app.tsx', 'src/console/index.html'],
  loader: { '.html': 'copy' },
  outdir,
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
});
