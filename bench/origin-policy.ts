/**
 * What the origin address policy costs. It runs once per new connection to an origin (not per
 * request on a kept-alive one), so this measures the worst case: every request on a new
 * connection (the origin answers `Connection: close`), through an undici Agent with the
 * guarded connector and through a plain one, to 127.0.0.1 by address and as `localhost`.
 * The deny list has the non-loopback `private` ranges, so every check runs to the end; the
 * process's own listener is added too. Also: one `refusal()` call.
 *
 *   npx tsx bench/origin-policy.ts [requests=2000] [rounds=3]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { guardedConnector } from '../src/edge/origin-connector.js';
import { OriginAddressPolicy, parseDenyList, type DeniedRange } from '../src/edge/policy/origin-address.js';

const REQUESTS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);

const origin = createServer((_req, res) => res.writeHead(200, { connection: 'close', 'content-length': '2' }).end('ok'));
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const port = (origin.address() as AddressInfo).port;

const ranges = (parseDenyList('0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,169.254.0.0/16,172.16.0.0/12,192.168.0.0/16,fc00::/7,fe80::/10') as { ranges: DeniedRange[] }).ranges;
const policy = new OriginAddressPolicy(ranges);
policy.addListener('127.0.0.1', 7070);

async function perRequestMicros(agent: Agent, host: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const response = await request(`http://${host}:${port}/`, { dispatcher: agent });
    await response.body.text();
  }
  return ((performance.now() - started) * 1000) / REQUESTS;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const host of ['127.0.0.1', 'localhost']) {
  const plain: number[] = [];
  const guarded: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = new Agent({ connect: { timeout: 10_000 } });
    const b = new Agent({ connect: guardedConnector(policy, { timeout: 10_000 }) });
    plain.push(await perRequestMicros(a, host));
    guarded.push(await perRequestMicros(b, host));
    await a.close();
    await b.close();
  }
  console.log(`${host}: new connection per request, plain ${median(plain).toFixed(0)} µs, guarded ${median(guarded).toFixed(0)} µs`);
}

const CALLS = 1_000_000;
let refused = 0;
const started = performance.now();
for (let i = 0; i < CALLS; i++) if (policy.refusal(i % 2 ? '203.0.113.7' : '2001:db8::7', 443)) refused++;
console.log(`refusal(): ${(((performance.now() - started) * 1e6) / CALLS).toFixed(0)} ns per call (${refused} refused)`);
origin.close();
