/**
 * `mooncdn traffic volume|bandwidth`: a bar chart of what the edge really served, --json as the
 * API gives it, and the checks on --from, --to and --granularity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { CliWorld, expectUsageError, parseJson } from './cli-world.js';

const MEGABYTE = 'x'.repeat(1_000_000);
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

let world: CliWorld;
let id: string;
let from: string;
let to: string;
beforeAll(async () => {
  world = await CliWorld.start(['--meter-flush-ms', '100']);
  world.origin.on('/big.bin', { body: MEGABYTE, headers: { 'cache-control': 'max-age=3600' } });
  id = await world.endpoint('traffic.example.com');
  // One miss (1 MB from the origin) and two hits: 3 MB to clients.
  for (let i = 0; i < 3; i++) expect((await edgeGet(world.edgePort, 'traffic.example.com', '/big.bin')).body.length).toBe(1_000_000);
  from = iso(Date.now() - 30 * 60_000);
  to = iso(Date.now() + 10 * 60_000);
  const deadline = Date.now() + 10_000;
  while ((await world.api.sub('GET', `/endpoints/${id}/volume?granularity=PerDay&startTime=${from}&endTime=${to}`)).body.TotalCdnVolumeInMB !== 3) {
    if (Date.now() > deadline) throw new Error('the served traffic never reached the volume report');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
afterAll(async () => {
  await world?.stop();
});

/** The chart rows: `yyyy-MM-dd HH:mm  bars  note`. */
function chartRows(stdout: string): { label: string; bar: string; note: string }[] {
  return stdout
    .split('\n')
    .map((line) => /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})  ([█▏▎▍▌▋▊▉ ]{40})  (.+)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ label: match[1]!, bar: match[2]!.trimEnd(), note: match[3]! }));
}

describe('traffic volume', () => {
  it('draws one bar per bucket, the largest 40 blocks long, with the totals', async () => {
    const result = await world.cli(['traffic', 'volume', id, '--from', from, '--to', to, '--granularity', 'PerFiveMinutes']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`traffic.example.com: volume PerFiveMinutes, ${from} to ${to}`);
    expect(lines.at(-1)).toBe('Total: 3 MB to clients, 1 MB from the origin');

    const api = (await world.api.sub('GET', `/endpoints/${id}/volume?granularity=PerFiveMinutes&startTime=${from}&endTime=${to}`)).body;
    const rows = chartRows(result.stdout);
    expect(rows).toHaveLength(api.Items.length);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(lines).toHaveLength(rows.length + 2);
    expect(rows.map((r) => r.label)).toEqual(api.Items.map((i: any) => i.Timestamp.slice(0, 16).replace('T', ' ')));
    expect(rows.some((r) => r.bar === '█'.repeat(40))).toBe(true);
    expect(rows.filter((r) => r.bar === '').length).toBeGreaterThan(0);
    for (const [i, row] of rows.entries()) {
      expect(row.note).toBe(`${api.Items[i].VolumeInMB} MB  (origin ${api.Items[i].OriginVolumeInMB} MB)`);
      expect(row.bar === '').toBe(api.Items[i].VolumeInMB === 0);
    }
  });

  it('--json is the API\'s volume document', async () => {
    const result = await world.cli(['traffic', 'volume', id, '--from', from, '--to', to, '--granularity', 'PerHour', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result)).toEqual((await world.api.sub('GET', `/endpoints/${id}/volume?granularity=PerHour&startTime=${from}&endTime=${to}`)).body);
  });

  it('by default covers the last 24 hours per hour', async () => {
    const before = Date.now();
    const result = await world.cli(['traffic', 'volume', id]);
    expect(result.code, result.stderr).toBe(0);
    const [, start, end] = /^traffic\.example\.com: volume PerHour, (\S+) to (\S+)\n/.exec(result.stdout)!;
    expect(Date.parse(end!) - Date.parse(start!)).toBe(24 * 3_600_000);
    expect(Math.abs(Date.parse(end!) - before)).toBeLessThan(60_000);
    // 24 hours touch 25 hourly buckets, or 24 when they start on the hour.
    expect(chartRows(result.stdout).length).toBeGreaterThanOrEqual(24);
    expect(chartRows(result.stdout).length).toBeLessThanOrEqual(25);
    expect(result.stdout).toContain('Total: 3 MB to clients, 1 MB from the origin');
  });
});

describe('traffic volume of the subscription (no endpoint id)', () => {
  it('lists each domain with its totals, and the subscription\'s; --json is the API\'s document', async () => {
    const result = await world.cli(['traffic', 'volume', '--from', from, '--to', to, '--granularity', 'PerDay']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        `Subscription: volume PerDay, ${from} to ${to}`,
        'DOMAIN               TO CLIENTS (MB)  FROM ORIGIN (MB)',
        'traffic.example.com  3                1',
        'Total: 3 MB to clients, 1 MB from the origin',
        '',
      ].join('\n'),
    );
    const json = await world.cli(['traffic', 'volume', '--from', from, '--to', to, '--granularity', 'PerDay', '--json']);
    expect(parseJson(json)).toEqual((await world.api.sub('GET', `/volume?granularity=PerDay&startTime=${from}&endTime=${to}`)).body);
  });
});

describe('traffic bandwidth', () => {
  it('draws the 5-minute averages with peak and valley', async () => {
    const result = await world.cli(['traffic', 'bandwidth', id, '--from', from, '--to', to, '--granularity', 'PerFiveMinutes']);
    expect(result.code, result.stderr).toBe(0);
    const api = (await world.api.sub('GET', `/endpoints/${id}/bandwidth?startTime=${from}&endTime=${to}`)).body;
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`traffic.example.com: bandwidth PerFiveMinutes (average), ${from} to ${to}`);
    const rows = chartRows(result.stdout);
    expect(rows).toHaveLength(api.Items.length);
    expect(rows.some((r) => r.bar === '█'.repeat(40))).toBe(true);
    for (const [i, row] of rows.entries()) expect(row.note).toBe(`${api.Items[i].BandwidthInMbps} Mbps  (origin ${api.Items[i].OriginBandwidthInMbps} Mbps)`);
    expect(api.PeakBandwidthInMbps).toBeGreaterThan(0);
    expect(lines.at(-1)).toBe(
      `Peak ${api.PeakBandwidthInMbps} Mbps, valley ${api.ValleyBandwidthInMbps} Mbps; origin peak ${api.PeakOriginBandwidthInMbps} Mbps, valley ${api.ValleyOriginBandwidthInMbps} Mbps`,
    );
  });

  it('by default draws one row per hour: the average of its 5-minute buckets', async () => {
    const result = await world.cli(['traffic', 'bandwidth', id, '--from', from, '--to', to]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`traffic.example.com: bandwidth PerHour (average), ${from} to ${to}`);
    const api = (await world.api.sub('GET', `/endpoints/${id}/bandwidth?startTime=${from}&endTime=${to}`)).body;
    const hours = new Map<string, number[]>();
    for (const item of api.Items) {
      const hour = `${item.Timestamp.slice(0, 13)}:00`.replace('T', ' ');
      hours.set(hour, [...(hours.get(hour) ?? []), item.BandwidthInMbps]);
    }
    const rows = chartRows(result.stdout);
    expect(rows.map((r) => r.label)).toEqual([...hours.keys()]);
    for (const row of rows) {
      const values = hours.get(row.label)!;
      const average = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1e6) / 1e6;
      expect(row.note.startsWith(`${average} Mbps`), `${row.label}: ${row.note}`).toBe(true);
    }
  });

  it('--json is the API\'s bandwidth document', async () => {
    const result = await world.cli(['traffic', 'bandwidth', id, '--from', from, '--to', to, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result)).toEqual((await world.api.sub('GET', `/endpoints/${id}/bandwidth?startTime=${from}&endTime=${to}`)).body);
  });
});

describe('--from, --to and --granularity', () => {
  it('a time without a zone is UTC wherever the user is', async () => {
    const result = await world.cli(['traffic', 'volume', id, '--from', '2026-11-20T06:00', '--to', '2026-11-20 08:30:00', '--json'], { TZ: 'Asia/Shanghai' });
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result).Items.map((i: any) => i.Timestamp)).toEqual(['2026-11-20T06:00:00.000Z', '2026-11-20T07:00:00.000Z', '2026-11-20T08:00:00.000Z']);
    const offset = await world.cli(['traffic', 'volume', id, '--from', '2026-11-20T14:00:00+08:00', '--to', '2026-11-20T15:00:00+08:00']);
    expect(offset.stdout).toMatch(/^traffic\.example\.com: volume PerHour, 2026-11-20T06:00:00Z to 2026-11-20T07:00:00Z\n/);
  });

  it('a time that is not ISO 8601, or not on the calendar, is a usage error', async () => {
    expectUsageError(await world.cli(['traffic', 'volume', id, '--from', 'yesterday']), "option '--from <time>' argument 'yesterday' is invalid. must be an ISO 8601 time", 'traffic volume');
    expectUsageError(await world.cli(['traffic', 'bandwidth', id, '--to', '2026-02-30T00:00:00Z']), "option '--to <time>' argument '2026-02-30T00:00:00Z' is invalid", 'traffic bandwidth');
    expectUsageError(await world.cli(['traffic', 'volume', id, '--to', '22/11/2026']), "argument '22/11/2026' is invalid", 'traffic volume');
  });

  it('an unknown granularity is a usage error listing the choices', async () => {
    expectUsageError(await world.cli(['traffic', 'volume', id, '--granularity', 'PerWeek']), 'Allowed choices are PerFiveMinutes, PerHour, PerDay', 'traffic volume');
  });

  it('--from after --to, or a range over 31 days, is refused by the API: exit 1 with its message', async () => {
    const reversed = await world.cli(['traffic', 'volume', id, '--from', '2026-11-22T08:00:00Z', '--to', '2026-11-22T07:00:00Z']);
    expect(reversed.code).toBe(1);
    expect(reversed.stdout).toBe('');
    expect(reversed.stderr).toMatch(/^ParameterInvalid: startTime 2026-11-22T08:00:00Z is after endTime 2026-11-22T07:00:00Z\./);
    const long = await world.cli(['traffic', 'bandwidth', id, '--from', '2026-01-01T00:00:00Z', '--to', '2026-03-01T00:00:00Z']);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/^ParameterInvalid: .*longer than 31 days/);
  });
});
