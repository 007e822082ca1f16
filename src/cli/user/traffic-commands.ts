/** `mooncdn traffic volume [ID]` and `mooncdn traffic bandwidth ID`, with a chart in the terminal. */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Granularity } from '../../client/index.js';
import { GRANULARITIES } from '../../contract/enums.js';
import { barChart } from './chart.js';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { printJson, printLines, table } from './output.js';

type Flags = ConnectionFlags & { from?: string; to?: string; granularity: Granularity };

export function trafficCommand(): Command {
  const traffic = new Command('traffic')
    .description('Traffic an endpoint or the subscription served (MB = 10^6 bytes, Mbps = 10^6 bit/s)')
    .addHelpText('after', '\nExamples:\n  mooncdn traffic volume 46fecf3c-e874-49aa-891d-0d4dc93213e0 --granularity PerDay\n  mooncdn traffic bandwidth 46fecf3c-e874-49aa-891d-0d4dc93213e0 --from 2026-11-22T06:00:00Z');

  withRange(
    withConnection(
      traffic
        .command('volume')
        .description('Bytes sent to clients and fetched from the origin, per time bucket; without an id, per domain of the subscription')
        .argument('[id]', 'Endpoint id (leave it out for the whole subscription)'),
    ),
  )
    .addOption(new Option('--granularity <g>', 'Bucket size').choices(GRANULARITIES).default('PerHour'))
    .addHelpText('after', '\nExamples:\n  mooncdn traffic volume 46fecf3c-e874-49aa-891d-0d4dc93213e0 --from 2026-11-21T00:00:00Z --granularity PerDay\n  mooncdn traffic volume --granularity PerDay   # every domain of the subscription')
    .action((id: string | undefined, flags: Flags) =>
      withClient(flags, async (client) => {
        const range = rangeOf(flags);
        if (id === undefined) {
          const volume = await client.getSubscriptionVolume(flags.granularity, range);
          if (flags.json) return printJson(volume);
          const domains = Object.entries(volume.Details);
          return printLines([
            `Subscription: volume ${flags.granularity}, ${range.startTime} to ${range.endTime}`,
            ...(domains.length === 0
              ? ['No domains served traffic in this range.']
              : table(['DOMAIN', 'TO CLIENTS (MB)', 'FROM ORIGIN (MB)'], domains.map(([domain, v]) => [domain, String(v.TotalCdnVolumeInMB), String(v.TotalOriginVolumeInMB)]))),
            `Total: ${volume.TotalCdnVolumeInMB} MB to clients, ${volume.TotalOriginVolumeInMB} MB from the origin`,
          ]);
        }
        const volume = await client.getEndpointVolume(id, flags.granularity, range);
        if (flags.json) return printJson(volume);
        printLines([
          `${volume.DomainName}: volume ${flags.granularity}, ${range.startTime} to ${range.endTime}`,
          ...barChart(volume.Items.map((i) => ({ label: short(i.Timestamp), value: i.VolumeInMB, note: `${i.VolumeInMB} MB  (origin ${i.OriginVolumeInMB} MB)` }))),
          `Total: ${volume.TotalCdnVolumeInMB} MB to clients, ${volume.TotalOriginVolumeInMB} MB from the origin`,
        ]);
      }),
    );

  withRange(withConnection(traffic.command('bandwidth').description('Average bandwidth per time bucket, with the peak and valley of the 5-minute buckets').argument('<id>', 'Endpoint id')))
    .addOption(
      new Option('--granularity <g>', 'Rows of the chart: the API measures 5-minute buckets; larger rows show their average (--json is always per 5 minutes)')
        .choices(GRANULARITIES)
        .default('PerHour'),
    )
    .addHelpText('after', '\nExample:\n  mooncdn traffic bandwidth 46fecf3c-e874-49aa-891d-0d4dc93213e0 --from 2026-11-22T06:00:00Z --to 2026-11-22T08:00:00Z --granularity PerFiveMinutes')
    .action((id: string, flags: Flags) =>
      withClient(flags, async (client) => {
        const range = rangeOf(flags);
        const bandwidth = await client.getEndpointBandwidth(id, range);
        if (flags.json) return printJson(bandwidth);
        printLines([
          `${bandwidth.DomainName}: bandwidth ${flags.granularity} (average), ${range.startTime} to ${range.endTime}`,
          ...barChart(
            averageBy(bandwidth.Items, flags.granularity).map((row) => ({ label: short(row.timestamp), value: row.cdn, note: `${row.cdn} Mbps  (origin ${row.origin} Mbps)` })),
          ),
          `Peak ${bandwidth.PeakBandwidthInMbps} Mbps, valley ${bandwidth.ValleyBandwidthInMbps} Mbps; origin peak ${bandwidth.PeakOriginBandwidthInMbps} Mbps, valley ${bandwidth.ValleyOriginBandwidthInMbps} Mbps`,
        ]);
      }),
    );
  return traffic;
}

const BUCKET_MS: Record<Granularity, number> = { PerFiveMinutes: 300_000, PerHour: 3_600_000, PerDay: 86_400_000 };

/** Averages 5-minute bandwidth items into rows of the granularity, aligned to UTC. */
export function averageBy(
  items: readonly { Timestamp: string; BandwidthInMbps: number; OriginBandwidthInMbps: number }[],
  granularity: Granularity,
): { timestamp: string; cdn: number; origin: number }[] {
  const size = BUCKET_MS[granularity];
  const rows = new Map<number, { cdn: number; origin: number; n: number }>();
  for (const item of items) {
    const start = Math.floor(Date.parse(item.Timestamp) / size) * size;
    const row = rows.get(start) ?? { cdn: 0, origin: 0, n: 0 };
    rows.set(start, { cdn: row.cdn + item.BandwidthInMbps, origin: row.origin + item.OriginBandwidthInMbps, n: row.n + 1 });
  }
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return [...rows].map(([start, row]) => ({ timestamp: new Date(start).toISOString(), cdn: round(row.cdn / row.n), origin: round(row.origin / row.n) }));
}

function withRange(command: Command): Command {
  return command
    .option('--from <time>', 'Start, ISO 8601 UTC (default: 24 hours before --to)', time)
    .option('--to <time>', 'End, ISO 8601 UTC (default: now)', time);
}

/** The range in the API's format (yyyy-MM-ddTHH:mm:ssZ); the server checks it further. */
function rangeOf(flags: Flags): { startTime: string; endTime: string } {
  const end = flags.to ?? format(new Date());
  const start = flags.from ?? format(new Date(Date.parse(end) - 24 * 3_600_000));
  return { startTime: start, endTime: end };
}

function time(value: string): string {
  // A date and time without a zone is UTC, as the help says (Date.parse would take it as local time).
  const zoneless = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/i.exec(value);
  const parsed = Date.parse(zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : value);
  if (Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}/.test(value) || !isCalendarDay(value.slice(0, 10))) {
    throw new InvalidArgumentError('must be an ISO 8601 time such as 2026-11-22T08:00:00Z.');
  }
  return format(new Date(parsed));
}

/** Date.parse turns 2026-02-30 into March 2; a day that is not on the calendar is a mistake. */
function isCalendarDay(day: string): boolean {
  const parsed = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === day;
}

function format(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function short(timestamp: string): string {
  return timestamp.slice(0, 16).replace('T', ' ');
}
