/**
 * The SDK is shipped on its own (`mooncdn/client`): it may reach src/signing and src/contract,
 * never the server's code. Follows every import from the files of src/client, transitively.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const ALLOWED_DIRS = ['client', 'signing', 'contract'];
/** Packages the SDK's closure may load: the HTTP client, and TypeBox under the contract's schemas. */
const ALLOWED_PACKAGES = ['undici', '@sinclair/typebox'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier of a file: static imports and re-exports (type-only too), dynamic import(), require(). */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gms,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The .ts file a relative `.js` specifier names. */
function resolveRelative(from: string, specifier: string): string {
  return resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('what the SDK imports', () => {
  it('finds the imports it must check (the scanner works)', () => {
    const client = readFileSync(join(SRC, 'client/transport.ts'), 'utf8');
    expect(specifiersOf(client)).toEqual(expect.arrayContaining(['undici', '../signing/sign-request.js', './errors.js']));
    expect(specifiersOf("import type { A } from '../api/x.js';\nexport * from '../store/y.js';\nconst m = await import('../edge/z.js');")).toEqual([
      '../api/x.js',
      '../store/y.js',
      '../edge/z.js',
    ]);
    expect(specifiersOf("import {\n  a,\n  b,\n} from '../server/multi-line.js';")).toEqual(['../server/multi-line.js']);
  });

  it('reaches only src/client, src/signing, src/contract, node: builtins and its packages', () => {
    const roots = filesUnder(join(SRC, 'client'));
    expect(roots.map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(['client/client.ts', 'client/errors.ts', 'client/index.ts', 'client/transport.ts']));
    const visited = new Set<string>();
    const problems: string[] = [];
    const queue = [...roots];
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (visited.has(file)) continue;
      visited.add(file);
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const where = relative(SRC, file);
        if (specifier.startsWith('.')) {
          const target = resolveRelative(file, specifier);
          const top = relative(SRC, target).split('/')[0]!;
          if (!ALLOWED_DIRS.includes(top) || relative(SRC, target).startsWith('..')) problems.push(`${where} imports ${specifier}`);
          else queue.push(target);
        } else if (!specifier.startsWith('node:') && !ALLOWED_PACKAGES.includes(packageOf(specifier))) {
          problems.push(`${where} imports the package ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The walk went through signing and the contract, not only the client's own files.
    const reached = [...visited].map((f) => relative(SRC, f));
    expect(reached).toContain('signing/sign-request.ts');
    expect(reached).toContain('contract/errors.ts');
  });
});
