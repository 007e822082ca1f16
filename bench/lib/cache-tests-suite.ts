/**
 * The HTTP cache test suite (http-tests/cache-tests), loaded from a checkout at run time, and
 * scored as cache-tests.fyi scores it: the suite's own `determineTestResult` with dependencies
 * honoured, required tests only, browser-only tests left out. Nothing of the suite is copied
 * here: its modules are imported from the checkout's path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CacheTest {
  readonly id: string;
  readonly name: string;
  readonly kind?: 'required' | 'optimal' | 'check';
  readonly browser_only?: boolean;
  readonly depends_on?: readonly string[];
}

export interface TestSuite {
  readonly id: string;
  readonly name: string;
  readonly tests: readonly CacheTest[];
}

/** What the suite's client prints: per test id, true or [error name, message]. */
export type SuiteResults = Readonly<Record<string, true | readonly [string, string]>>;

/** The suite's result type: [icon, colour, symbol]; compared by identity with its resultTypes. */
type ResultType = readonly [string, string, string];

export interface Implementation {
  readonly name: string;
  readonly type: string;
  readonly version: string;
  readonly results: SuiteResults;
}

export interface Suite {
  readonly root: string;
  readonly suites: readonly TestSuite[];
  /** The file under tests/ that defines each suite. */
  readonly fileOf: ReadonlyMap<TestSuite, string>;
  /** The published results of caches (browsers left out). */
  readonly published: readonly Implementation[];
  determine(testId: string, results: SuiteResults): ResultType;
  readonly resultTypes: Readonly<Record<string, ResultType>>;
}

/** The files a usable checkout has; a missing one is named in the error. */
const NEEDED = ['tests/index.mjs', 'test-engine/lib/results.mjs', 'test-engine/cli.mjs', 'test-engine/server/server.mjs', 'results/index.mjs'];

export class CheckoutError extends Error {}

/** Checks the checkout before anything is started, so a wrong path fails at once and clearly. */
export function checkCheckout(path: string): string {
  const root = resolve(path);
  const missing = NEEDED.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) {
    throw new CheckoutError(`${root} is not a checkout of http-tests/cache-tests: it has no ${missing.join(', ')}.`);
  }
  // The suite's client imports undici for its interim-response tests.
  if (!existsSync(join(root, 'node_modules', 'undici'))) {
    throw new CheckoutError(`${root} has no node_modules/undici: run \`npm install\` there first.`);
  }
  return root;
}

export async function loadSuite(root: string): Promise<Suite> {
  const load = async (file: string) => (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
  const suites = (await load('tests/index.mjs')).default as TestSuite[];
  const { determineTestResult, resultTypes } = (await load('test-engine/lib/results.mjs')) as {
    determineTestResult: (suites: readonly TestSuite[], id: string, results: SuiteResults, honourDependencies?: boolean) => ResultType;
    resultTypes: Record<string, ResultType>;
  };

  // Modules are cached, so each file's default export is the very object tests/index.mjs lists.
  const fileOf = new Map<TestSuite, string>();
  for (const file of readdirSync(join(root, 'tests')).filter((name) => name.endsWith('.mjs') && name !== 'index.mjs')) {
    const exported = (await load(join('tests', file))).default as TestSuite;
    if (suites.includes(exported)) fileOf.set(exported, file);
  }

  const listed = (await load('results/index.mjs')).default as { file: string; name: string; type: string; version: string }[];
  const published = listed
    .filter((entry) => entry.type !== 'browser')
    .map((entry) => ({
      name: entry.name,
      type: entry.type,
      version: entry.version,
      results: JSON.parse(readFileSync(join(root, 'results', entry.file), 'utf8')) as SuiteResults,
    }));

  return { root, suites, fileOf, published, determine: (id, results) => determineTestResult(suites, id, results, true), resultTypes };
}

/** The tests that count: required (the default kind), and not for browsers only. */
export function requiredTests(suite: Suite): { test: CacheTest; testSuite: TestSuite }[] {
  return suite.suites.flatMap((testSuite) =>
    testSuite.tests.filter((test) => (test.kind ?? 'required') === 'required' && test.browser_only !== true).map((test) => ({ test, testSuite })),
  );
}

export interface Failure {
  readonly file: string;
  readonly suiteName: string;
  readonly id: string;
  readonly name: string;
  /** The suite's result symbol, e.g. ⛔️ failed, ⚪️ a test it depends on failed. */
  readonly symbol: string;
  /** What the suite's client said, when it said something. */
  readonly detail: string;
  /** For a dependency failure: the test it depends on that did not pass. */
  readonly blockedBy?: string;
}

export interface Score {
  readonly passed: number;
  readonly total: number;
  readonly failures: readonly Failure[];
}

export function score(suite: Suite, results: SuiteResults): Score {
  const required = requiredTests(suite);
  const passes = (id: string) => [suite.resultTypes.pass, suite.resultTypes.yes].includes(suite.determine(id, results));
  const failures: Failure[] = [];
  for (const { test, testSuite } of required) {
    const type = suite.determine(test.id, results);
    if (type === suite.resultTypes.pass) continue;
    const raw = results[test.id];
    failures.push({
      file: suite.fileOf.get(testSuite) ?? testSuite.id,
      suiteName: testSuite.name,
      id: test.id,
      name: test.name,
      symbol: type[2],
      detail: raw === undefined ? 'not run' : raw === true ? '' : raw[1],
      ...(type === suite.resultTypes.dependency_fail ? { blockedBy: test.depends_on?.find((id) => !passes(id)) } : {}),
    });
  }
  return { passed: required.length - failures.length, total: required.length, failures };
}

/** The failures as Markdown, grouped by the suite's test file, for developers to work through. */
export function failuresReport(failures: readonly Failure[], symbols: string): string {
  const byFile = new Map<string, Failure[]>();
  for (const failure of failures) byFile.set(failure.file, [...(byFile.get(failure.file) ?? []), failure]);
  const lines = [`# Required cache tests that fail (${failures.length})`, '', symbols, ''];
  for (const [file, list] of byFile) {
    lines.push(`## tests/${file}: ${list[0]!.suiteName} (${list.length})`, '');
    for (const failure of list) {
      const blocked = failure.blockedBy ? `; needs \`${failure.blockedBy}\`` : '';
      const detail = failure.detail ? ` (${failure.detail.replace(/\s+/g, ' ')}${blocked})` : blocked ? ` (${blocked.slice(2)})` : '';
      lines.push(`- ${failure.symbol} \`${failure.id}\`: ${failure.name}${detail}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
