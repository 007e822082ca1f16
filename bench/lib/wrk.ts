/**
 * wrk (Debian's package) as the load generator, pinned to its own core with taskset so it does
 * not starve the server under test, which the benchmarks pin to the other core.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The core the load generator runs on; the server gets SERVER_CORE. */
export const LOAD_CORE = '1';
export const SERVER_CORE = '0';

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface WrkOptions {
  readonly url: string;
  readonly connections?: number;
  readonly seconds?: number;
  readonly headers?: Record<string, string>;
  readonly method?: string;
  readonly body?: string;
  /**
   * Requests taken in turn (paths on the URL's host, each with its own headers, e.g. its
   * signature, and body), instead of the URL's path with `headers` and `body`; `method` applies to each.
   */
  readonly rotate?: readonly { readonly path: string; readonly headers: Record<string, string>; readonly body: string }[];
  /** How long wrk waits for an answer before it counts a timeout (wrk's default: 2 s). */
  readonly timeoutSeconds?: number;
  /** Pinned to LOAD_CORE (default), or left to the scheduler (several wrk against several processes). */
  readonly pinned?: boolean;
  /** wrk's threads (default 1). */
  readonly threads?: number;
}

let scripts = 0;

export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = ['wrk', `-t${options.threads ?? 1}`, `-c${options.connections ?? 32}`, `-d${options.seconds ?? 10}s`, '--latency', ...(options.timeoutSeconds ? ['--timeout', `${options.timeoutSeconds}s`] : [])];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  let script: string | undefined;
  if (options.method || options.body || options.rotate) {
    script = join(tmpdir(), `mooncdn-wrk-${process.pid}-${++scripts}.lua`);
    let lua = `wrk.method = ${JSON.stringify(options.method ?? 'POST')}\nwrk.body = ${JSON.stringify(options.body ?? '')}\n`;
    if (options.rotate) {
      // Plain ASCII strings: JSON's quoting is Lua's.
      const table = (headers: Record<string, string>) => `{ ${Object.entries(headers).map(([name, value]) => `[${JSON.stringify(name)}] = ${JSON.stringify(value)}`).join(', ')} }`;
      lua += `local requests = {\n${options.rotate.map((r) => `  { path = ${JSON.stringify(r.path)}, headers = ${table(r.headers)}, body = ${JSON.stringify(r.body)} },`).join('\n')}\n}\n`;
      lua += 'local i = 0\nrequest = function()\n  i = i % #requests + 1\n  return wrk.format(nil, requests[i].path, requests[i].headers, requests[i].body)\nend\n';
    }
    writeFileSync(script, lua);
    args.push('-s', script);
  }
  args.push(options.url);
  try {
    const { stdout } = options.pinned === false ? await run('wrk', args.slice(1), { maxBuffer: 1 << 20 }) : await run('taskset', ['-c', LOAD_CORE, ...args], { maxBuffer: 1 << 20 });
    return parse(stdout);
  } finally {
    if (script) rmSync(script, { force: true });
  }
}

function parse(text: string): WrkResult {
  const number = (re: RegExp) => {
    const match = re.exec(text);
    return match ? Number(match[1]) : 0;
  };
  const latency = (percentile: string) => {
    const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    if (!match) return NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(text);
  const scale: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    bytesPerSecond: transfer ? Number(transfer[1]) * scale[transfer[2]!]! : 0,
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/),
    // connect, read, write and timeout: a request that timed out is in neither count nor latency.
    errors: (/Socket errors:(.*)/.exec(text)?.[1]?.match(/\d+/g) ?? []).reduce((sum, n) => sum + Number(n), 0),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs A and B alternately `rounds` times (A, B, A, B, ...) and gives the median of each, so
 * drift in the machine's speed falls on both alike.
 */
export async function alternate(rounds: number, a: () => Promise<WrkResult>, b: () => Promise<WrkResult>): Promise<{ a: WrkResult; b: WrkResult }> {
  const as: WrkResult[] = [];
  const bs: WrkResult[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  const med = (results: WrkResult[]): WrkResult => ({
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    bytesPerSecond: median(results.map((r) => r.bytesPerSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    non2xx: Math.max(...results.map((r) => r.non2xx)),
    errors: Math.max(...results.map((r) => r.errors)),
  });
  return { a: med(as), b: med(bs) };
}
