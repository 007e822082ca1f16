/**
 * Dependencies point one way (docs/architecture.md): an edge runs on hosts with no database and
 * no control plane, so nothing under src/edge may import the store, the API, the server wiring
 * or the operation engine (only the wire types of operations/edge-config.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../../src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** The src-relative modules a file imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:from|import) '(\.[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(SRC, resolve(dirname(file), specifier)));
}

/** The same, without `import type` (erased at build): what loading the module loads. */
function runtimeImportsOf(file: string): string[] {
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export) (?!type )[^;]*? from '(\.[^']+)'/gms)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(SRC, resolve(dirname(file), specifier)));
}

describe('dependencies', () => {
  it('the edge imports neither the store, the API, the server wiring nor the engine', () => {
    const allowed = new Set(['operations/edge-config.js']);
    const offending = filesUnder(join(SRC, 'edge')).flatMap((file) =>
      importsOf(file)
        .filter((target) => /^(store|api|server|operations|cli)\//.test(target) && !allowed.has(target))
        .map((target) => `${relative(SRC, file)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('the edge process of the scaled shape reaches no module that imports the store', () => {
    // Everything `mooncdn edge` loads, followed import by import from its start-up (an edge host
    // need not have the database drivers' configuration, nor may it reach the database).
    const seen = new Set<string>();
    const visit = (module: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      for (const target of runtimeImportsOf(join(SRC, module.replace(/\.js$/, '.ts')))) visit(target);
    };
    visit('server/edge-process.js');
    // The edge workers' entry (--edge-workers), loaded by node:cluster rather than imported.
    visit('server/edge-worker.js');
    expect([...seen].filter((module) => /^(store|api|operations\/(?!edge-config))/.test(module))).toEqual([]);
    expect(seen.has('fleet/nats/edge-link.js')).toBe(true);
  });

  it('the web console reaches only browser code: no node: module, and of the server only signing, enums and schema types', () => {
    const seen = new Set<string>();
    const queue = filesUnder(join(SRC, 'console'));
    const offending: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import) '(node:[^']+|[a-z@][^']*)'/g)) {
        if (!/^(preact|preact\/hooks|uplot|uplot\/dist\/uPlot\.min\.css|@sinclair\/typebox)$/.test(match[1]!)) offending.push(`${relative(SRC, file)} imports ${match[1]}`);
      }
      for (const target of importsOf(file)) {
        const typeOnly = new RegExp(`import type [^;]+ from '[^']*${target.split('/').pop()!.replace('.', '\\.')}'`).test(text);
        // Types are erased from the bundle: a schema's type costs nothing in the browser.
        if (typeOnly && target.startsWith('contract/schemas/')) continue;
        if (target.startsWith('console/') || target.startsWith('signing/') || target === 'contract/enums.js') {
          const source = join(SRC, target).replace(/\.js$/, '');
          for (const candidate of [`${source}.ts`, `${source}.tsx`]) if (existsSync(candidate)) queue.push(candidate);
        } else if (!target.endsWith('.css')) {
          offending.push(`${relative(SRC, file)} imports ${target}`);
        }
      }
    }
    expect(offending).toEqual([]);
    expect([...seen].map((file) => relative(SRC, file))).toContain('signing/sign-request-web.ts');
    expect([...seen].map((file) => relative(SRC, file))).not.toContain('signing/hmac.ts');
  });
});
