/**
 * The public HTTP cache test suite (http-tests/cache-tests) through mooncdn's embedded edge on
 * loopback, scored as cache-tests.fyi scores it, beside the suite's published results for other
 * caches (CONFORMANCE.md has the latest run).
 *
 *   npm run build && npx tsx bench/cache-tests.ts /path/to/cache-tests [--failures FILE]
 *       [--results FILE] [--host cachetests.test] [--timeout 900]
 *
 * The checkout is one of the suite's repository with `npm install` run in it; nothing of it is
 * copied here. The suite's client sends the endpoint's hostname, so that name must resolve to
 * 127.0.0.1: run as root, the script adds `127.0.0.1 cachetests.test` to /etc/hosts when it is
 * missing; otherwise add that line yourself.
 *
 * The endpoint has no cache rules and the default policy (Cache-Control honoured, query string
 * in the key, cookies not ignored): the origin's headers alone decide, as in a shared cache that
 * follows RFC 9111.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAIN } from '../test/support/server-process.js';
import { ensureLoopbackName } from './lib/loopback-name.js';
import { runSuiteClient, startSuiteOrigin, type Child } from './lib/cache-tests-processes.js';
import { CheckoutError, checkCheckout, failuresReport, loadSuite, score } from './lib/cache-tests-suite.js';
import { createEndpoint, startBenchServer } from './lib/serve.js';

const USAGE = 'usage: npx tsx bench/cache-tests.ts /path/to/cache-tests [--failures FILE] [--results FILE] [--host NAME] [--timeout SECONDS]';

function fail(message: string, code = 2): never {
  console.error(`cache-tests: ${message}`);
  process.exit(code);
}

const { values: options, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        failures: { type: 'string' },
        results: { type: 'string' },
        host: { type: 'string', default: 'cachetests.test' },
        timeout: { type: 'string', default: '900' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
})();
if (positionals.length !== 1) fail(USAGE);
const timeoutSeconds = Number(options.timeout);
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) fail(`--timeout "${options.timeout}" must be a number of seconds above 0.`);

let root: string;
try {
  root = checkCheckout(positionals[0]!);
} catch (error) {
  if (error instanceof CheckoutError) fail(error.message);
  throw error;
}
if (!existsSync(MAIN)) fail(`${MAIN} is missing: run \`npm run build\` first.`);
const host = options.host!;
try {
  await ensureLoopbackName(host);
} catch (error) {
  fail((error as Error).message);
}
const suite = await loadSuite(root);

// Everything started is stopped on the way out, also on Ctrl-C.
const stops: (() => Promise<void>)[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'mooncdn-cache-tests-'));
let interrupted: NodeJS.Signals | undefined;
let cleaning: Promise<void> | undefined;
/** One clean-up, whoever asks first (the signal handler or the main path); both wait for it. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = signal;
    console.error(`cache-tests: ${signal}, stopping what was started`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  const bench = await startBenchServer();
  stops.push(() => bench.close());
  const origin = await startSuiteOrigin(root, scratch);
  stops.push(() => origin.stop());
  await createEndpoint(bench.client, host, origin.address);

  // The edge must route the name to the suite's origin: its config route answers a GET with 405.
  const base = `http://${host}:${bench.edgePort}`;
  const probe = await fetch(`${base}/config/probe`, { signal: AbortSignal.timeout(10_000) });
  if (probe.status !== 405) throw new Error(`${base}/config/probe gave ${probe.status}, not the suite origin's 405: ${await probe.text()}`);

  console.error(`cache-tests: running the suite against ${base} (origin ${origin.address}); this takes a few minutes`);
  const run = await runSuiteClient(root, base, timeoutSeconds * 1000, (child: Child) => stops.push(() => child.stop()));
  if (options.results) writeFileSync(options.results, `${JSON.stringify(run.results, null, 2)}\n`);
  const harnessErrors = run.errors.split('\n').filter((line) => line.startsWith('ERROR:'));
  if (harnessErrors.length > 0) console.error(`cache-tests: the suite's client reported ${harnessErrors.length} harness errors, e.g. ${harnessErrors[0]}`);

  const ours = score(suite, run.results);
  const rows = [
    { name: 'mooncdn (this checkout)', type: 'cdn', passed: ours.passed, total: ours.total },
    ...suite.published.map((implementation) => ({ name: `${implementation.name} ${implementation.version}`, type: implementation.type, ...score(suite, implementation.results) })),
  ].sort((a, b) => b.passed - a.passed);
  console.log('| implementation | type | required passed |');
  console.log('| --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.name} | ${row.type} | ${row.passed} / ${row.total} |`);

  const report = failuresReport(ours.failures, "Symbols are the suite's: ⛔️ failed, ⚪️ a test it depends on did not pass, 🔹 setup failed, ⁉️ harness failed (e.g. timed out), ↻ the cache retried a request.");
  if (options.failures) {
    writeFileSync(options.failures, report);
    console.error(`cache-tests: ${ours.failures.length} failing required tests written to ${options.failures}`);
  } else {
    console.log(`\n${report}`);
  }
} catch (error) {
  await cleanUp();
  if (interrupted) fail(`stopped by ${interrupted}`, 130);
  fail((error as Error).message, 1);
}
await cleanUp();
