/**
 * The scaled shape's purges, with real processes (the built `mooncdn api`, `worker`, `edge`) on
 * a PostgreSQL database and a nats-server started for each run:
 *
 * 1. latency: one API, one worker, and 1, then 3, then 10 edges. After a warm-up, PURGES
 *    one-URL purges one after another, each POSTed and its operation read every 5 ms until it
 *    says Succeeded (which it says only once every serving edge has acknowledged the purge).
 *    p50 and p99 of POST to Succeeded, and of the POST alone.
 * 2. accept: two APIs, two workers, three edges. Two wrk (16 connections each, one per API) POST
 *    one-URL purges for SECONDS; counts the 202s, then how long after the load the workers need
 *    until no operation is unfinished, and checks none Failed.
 *
 * Each is run RUNS times, each run on a fresh database and nats-server; medians are printed.
 *
 *   npm run build && npx tsx bench/scaled-purge.ts [purges=200] [runs=3] [seconds=10] [latency|accept|both] [endpoints=1]
 *
 * endpoints: accept spreads its purges over that many endpoints, in turn.
 * BENCH_SYNCHRONOUS_COMMIT=off: the run's database commits without waiting for the disk.
 */
import { signRequest } from '../src/signing/index.js';
import { FleetTrace, wallNow } from './lib/fleet-trace.js';
import { startScaledFleet, until, type ScaledFleet } from './lib/scaled-fleet.js';
import { median, wrk, type WrkResult } from './lib/wrk.js';

const PURGES = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 3);
const SECONDS = Number(process.argv[4] ?? 10);
const WHICH = process.argv[5] ?? 'both';
/** accept: purges spread over this many endpoints (each accept locks its endpoint's row). */
const ENDPOINTS = Number(process.argv[6] ?? 1);
const EDGE_COUNTS = [1, 3, 10];
const WARM_UP = 50;
const POLL_MS = 5;
const env = { MOONCDN_QUOTA_FILE_PURGES: '100000000' };

const percentile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (ms: number): number => Math.round(ms * 10) / 10;

interface LatencyResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The POST alone (accepted, durable): its share of the total. */
  readonly postP50Ms: number;
  readonly postP99Ms: number;
  /**
   * Where the time goes, p50 and p99 of each step (seen from outside): accepted (the operation's
   * Start) to the change on the NATS log (the worker woke, claimed, published); to the last
   * edge's ack; to the operation's End (the worker heard the acks); to Succeeded read by the
   * poll (the worker's commit, the poll interval, the GET).
   */
  readonly steps: Record<Step, { p50Ms: number; p99Ms: number }>;
}

const STEPS = ['acceptedToLog', 'logToLastAck', 'lastAckToEnd', 'endToRead'] as const;
type Step = (typeof STEPS)[number];

async function purgeLatency(fleet: ScaledFleet, trace: FleetTrace, endpointId: string, domain: string, count: number, from: number): Promise<LatencyResult> {
  const client = fleet.clients[0]!;
  const totals: number[] = [];
  const posts: number[] = [];
  const steps = Object.fromEntries(STEPS.map((step) => [step, [] as number[]])) as Record<Step, number[]>;
  for (let i = 0; i < count; i++) {
    trace.reset();
    const started = performance.now();
    const accepted = await client.sub('POST', `/endpoints/${endpointId}/purges`, { Files: [`http://${domain}/${from + i}.png`] });
    if (accepted.status !== 202) throw new Error(`purge answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
    posts.push(performance.now() - started);
    let operation;
    for (;;) {
      operation = await client.sub('GET', `/endpoints/${endpointId}/operations/${accepted.body.AsyncInfo.TaskTrackId}`);
      if (operation.body.Status === 'Succeeded') break;
      if (operation.body.Status === 'Failed') throw new Error(`purge failed: ${operation.body.Message}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const read = wallNow();
    totals.push(performance.now() - started);
    // One purge at a time: the one change on the log since the reset is this purge's.
    const [published] = trace.published;
    const seqs = new Set(trace.acks.map((ack) => ack.seq));
    const total = totals[totals.length - 1]!;
    if (total > 1_000) {
      // An outlier: say what was seen of it.
      const seen = { published: published === undefined ? null : round(published - Date.parse(operation.body.Start)), acks: trace.acks.map((ack) => ({ edge: ack.edge, afterStartMs: round(ack.at - Date.parse(operation.body.Start)) })) };
      console.error(JSON.stringify({ outlierMs: round(total), postMs: round(posts[posts.length - 1]!), start: operation.body.Start, end: operation.body.End, ...seen }));
    }
    if (published !== undefined && seqs.size === 1 && trace.acks.length === fleet.edges.length) {
      const lastAck = Math.max(...trace.acks.map((ack) => ack.at));
      const start = Date.parse(operation.body.Start);
      const end = Date.parse(operation.body.End);
      steps.acceptedToLog.push(published - start);
      steps.logToLastAck.push(lastAck - published);
      steps.lastAckToEnd.push(end - lastAck);
      steps.endToRead.push(read - end);
    }
  }
  totals.sort((a, b) => a - b);
  posts.sort((a, b) => a - b);
  for (const step of STEPS) steps[step].sort((a, b) => a - b);
  return {
    steps: Object.fromEntries(STEPS.map((step) => [step, { p50Ms: round(percentile(steps[step], 0.5)), p99Ms: round(percentile(steps[step], 0.99)) }])) as LatencyResult['steps'],
    p50Ms: round(percentile(totals, 0.5)),
    p99Ms: round(percentile(totals, 0.99)),
    maxMs: round(totals[totals.length - 1]!),
    postP50Ms: round(percentile(posts, 0.5)),
    postP99Ms: round(percentile(posts, 0.99)),
  };
}

/** One run: a fresh fleet grown from 1 to 3 to 10 edges, measured at each size. */
async function latencyRun(): Promise<Map<number, LatencyResult>> {
  const fleet = await startScaledFleet({ apis: 1, workers: 1, env });
  const trace = await FleetTrace.start(fleet.natsUrl).catch(async (error: unknown) => {
    await fleet.close();
    throw error;
  });
  try {
    const domain = 'latency.example.com';
    const endpointId = await fleet.createEndpoint(domain);
    const results = new Map<number, LatencyResult>();
    let sent = 0;
    for (const edges of EDGE_COUNTS) {
      await fleet.addEdges(edges - fleet.edges.length);
      await purgeLatency(fleet, trace, endpointId, domain, WARM_UP, sent);
      sent += WARM_UP;
      const result = await purgeLatency(fleet, trace, endpointId, domain, PURGES, sent);
      sent += PURGES;
      results.set(edges, result);
      console.error(JSON.stringify({ edges, ...result }));
      // What the edges said about their link beyond their first sync (they log at info).
      for (const edge of fleet.edges) {
        const said = edge.output().split('\n').filter((line) => /reading anew|is new; resyncing|no longer holds|trying again/.test(line));
        if (said.length) console.error(JSON.stringify({ edge: fleet.edges.indexOf(edge) + 1, said: said.slice(-5) }));
      }
    }
    return results;
  } finally {
    await trace.close();
    await fleet.close();
  }
}

interface AcceptResult {
  readonly acceptedPerSecond: number;
  readonly accepted: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** From the end of the load until no operation is unfinished. */
  readonly drainedAfterMs: number;
  /** Operations the workers ended per second, over load and drain together. */
  readonly endedPerSecond: number;
}

async function acceptRun(): Promise<AcceptResult> {
  const fleet = await startScaledFleet({ apis: 2, workers: 2, env });
  try {
    const endpoints: { id: string; domain: string }[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const domain = `accept-${i}.example.com`;
      endpoints.push({ id: await fleet.createEndpoint(domain), domain });
    }
    await fleet.addEdges(3);
    const credentials = fleet.clients[0]!.credentials;
    const load = (apiUrl: string): Promise<WrkResult> => {
      const rotate = endpoints.map(({ id, domain }) => {
        const path = `/subscriptions/${credentials.subscriptionId}/endpoints/${id}/purges?apiVersion=1.0`;
        const headers = { ...signRequest('POST', `${apiUrl}${path}`, credentials), 'content-type': 'application/json' };
        return { path, headers, body: JSON.stringify({ Files: [`http://${domain}/a.png`] }) };
      });
      return wrk({ url: `${apiUrl}${rotate[0]!.path}`, method: 'POST', rotate, seconds: SECONDS, connections: 16, pinned: false, timeoutSeconds: 30 });
    };
    const started = performance.now();
    const results = await Promise.all(fleet.apis.map((api) => load(api.url)));
    const loadEnded = performance.now();
    for (const result of results) if (result.non2xx || result.errors) throw new Error(`${result.non2xx} answers were not 202, ${result.errors} socket errors`);
    await until(async () => (await fleet.unfinished()) === 0, 'every accepted purge ended', 600_000, 20);
    const drained = performance.now();
    const failed = await fleet.clients[0]!.send('GET', `/subscriptions/${credentials.subscriptionId}/operations?status=Failed&top=1`);
    if (failed.status !== 200) throw new Error(`the operation history answered ${failed.status}: ${JSON.stringify(failed.body)}`);
    if (failed.body.Operations.length > 0) throw new Error(`some purges failed: ${JSON.stringify(failed.body)}`);
    const perSecond = results.reduce((sum, result) => sum + result.requestsPerSecond, 0);
    const accepted = Math.round(perSecond * SECONDS);
    const result = {
      acceptedPerSecond: Math.round(perSecond),
      accepted,
      p50Ms: round(median(results.map((r) => r.p50Ms))),
      p99Ms: round(Math.max(...results.map((r) => r.p99Ms))),
      drainedAfterMs: Math.round(drained - loadEnded),
      endedPerSecond: Math.round(accepted / ((drained - started) / 1000)),
    };
    console.error(JSON.stringify(result));
    return result;
  } finally {
    await fleet.close();
  }
}

/** Medians over runs, field by field (nested objects too). */
function medians<T extends object>(results: readonly T[]): T {
  const keys = Object.keys(results[0]!) as (keyof T)[];
  return Object.fromEntries(
    keys.map((key) => {
      const values = results.map((result) => result[key]);
      return [key, typeof values[0] === 'number' ? median(values as number[]) : medians(values as object[])];
    }),
  ) as T;
}

const report: Record<string, unknown> = { benchmark: 'scaled shape: purges (PostgreSQL, NATS JetStream, real processes)', runs: RUNS };
if (WHICH === 'both' || WHICH === 'latency') {
  const runs: Map<number, LatencyResult>[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await latencyRun());
  report.latency = {
    purges: PURGES,
    pollMs: POLL_MS,
    byEdges: Object.fromEntries(EDGE_COUNTS.map((edges) => [edges, medians(runs.map((run) => run.get(edges)!))])),
  };
}
if (WHICH === 'both' || WHICH === 'accept') {
  const runs: AcceptResult[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await acceptRun());
  report.accept = { apis: 2, workers: 2, edges: 3, endpoints: ENDPOINTS, connections: 32, seconds: SECONDS, ...medians(runs) };
}
console.log(JSON.stringify(report, null, 2));
