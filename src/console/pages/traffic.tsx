/**
 * Traffic: volume and bandwidth, CDN and origin side by side, for one endpoint or the whole
 * subscription (the sum of its endpoints), over a chosen range and granularity; totals, peak,
 * valley and hit ratio beside the charts.
 */
import { useState } from 'preact/hooks';
import type { Endpoint } from '../../contract/schemas/endpoint.js';
import type { EndpointBandwidth, EndpointVolume, SubscriptionVolume } from '../../contract/schemas/traffic.js';
import { GRANULARITIES } from '../../contract/enums.js';
import { apiTime, type Api } from '../api.js';
import { Chart, type Series } from '../components/chart.js';
import { Problem } from '../components/problem.js';
import { useLoad } from '../components/use-async.js';
import { figures, formatNumber, formatRatio } from '../traffic-figures.js';

const RANGES = [
  ['1h', 'Last hour', 3_600_000],
  ['6h', 'Last 6 hours', 6 * 3_600_000],
  ['24h', 'Last 24 hours', 24 * 3_600_000],
  ['7d', 'Last 7 days', 7 * 86_400_000],
  ['31d', 'Last 31 days', 31 * 86_400_000],
] as const;

const GRANULARITY_NAMES: Record<string, string> = { PerFiveMinutes: '5 minutes', PerHour: 'hour', PerDay: 'day' };

interface Report {
  readonly volume: Series;
  readonly bandwidth: Series;
}

/** Per timestamp, the sum of several series' (cdn, origin) pairs. */
function sumByTime(lists: Array<Array<{ time: number; cdn: number; origin: number }>>): Series {
  const sums = new Map<number, { cdn: number; origin: number }>();
  for (const list of lists) {
    for (const point of list) {
      const sum = sums.get(point.time) ?? { cdn: 0, origin: 0 };
      sums.set(point.time, { cdn: sum.cdn + point.cdn, origin: sum.origin + point.origin });
    }
  }
  const times = [...sums.keys()].sort((a, b) => a - b);
  return { times, cdn: times.map((t) => sums.get(t)!.cdn), origin: times.map((t) => sums.get(t)!.origin) };
}

const volumePoints = (volume: EndpointVolume) => volume.Items.map((item) => ({ time: Date.parse(item.Timestamp), cdn: item.VolumeInMB, origin: item.OriginVolumeInMB }));
const bandwidthPoints = (bandwidth: EndpointBandwidth) =>
  bandwidth.Items.map((item) => ({ time: Date.parse(item.Timestamp), cdn: item.BandwidthInMbps, origin: item.OriginBandwidthInMbps }));

async function loadReport(api: Api, endpoints: Endpoint[], endpoint: string, rangeMs: number, granularity: string): Promise<Report> {
  const now = Date.now();
  const query = { startTime: apiTime(now - rangeMs), endTime: apiTime(now), granularity };
  const bandwidthQuery = { startTime: query.startTime, endTime: query.endTime };
  if (endpoint) {
    const [volume, bandwidth] = await Promise.all([
      api.get<EndpointVolume>(`/endpoints/${endpoint}/volume`, query),
      api.get<EndpointBandwidth>(`/endpoints/${endpoint}/bandwidth`, bandwidthQuery),
    ]);
    return { volume: sumByTime([volumePoints(volume)]), bandwidth: sumByTime([bandwidthPoints(bandwidth)]) };
  }
  const [volume, ...bandwidths] = await Promise.all([
    api.get<SubscriptionVolume>('/volume', query),
    ...endpoints.map((e) => api.get<EndpointBandwidth>(`/endpoints/${e.EndpointID}/bandwidth`, bandwidthQuery)),
  ]);
  return { volume: sumByTime(Object.values(volume.Details).map(volumePoints)), bandwidth: sumByTime(bandwidths.map(bandwidthPoints)) };
}

const pairs = (series: Series) => series.times.map((_, i) => ({ cdn: series.cdn[i] ?? 0, origin: series.origin[i] ?? 0 }));

export function TrafficPage({ api, endpoint: initial }: { api: Api; endpoint: string | undefined }) {
  const endpoints = useLoad(() => api.get<Endpoint[]>('/endpoints'), [api]);
  const [endpoint, setEndpoint] = useState(initial ?? '');
  const [range, setRange] = useState<string>('24h');
  const [granularity, setGranularity] = useState<string>('PerHour');
  const rangeMs = RANGES.find(([name]) => name === range)![2];
  const report = useLoad(
    async () => (endpoints.value ? loadReport(api, endpoints.value, endpoint, rangeMs, granularity) : undefined),
    [api, endpoints.value, endpoint, rangeMs, granularity],
  );
  const volume = report.value ? figures(pairs(report.value.volume)) : undefined;
  const bandwidth = report.value ? figures(pairs(report.value.bandwidth)) : undefined;

  return (
    <main id="main" tabIndex={-1}>
      <h1>Traffic</h1>
      <form class="filters" onSubmit={(event) => (event.preventDefault(), report.reload())}>
        <label>
          Endpoint
          <select value={endpoint} onChange={(e) => setEndpoint((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">The whole subscription</option>
            {(endpoints.value ?? []).map((e) => (
              <option key={e.EndpointID} value={e.EndpointID}>
                {e.Settings.CustomDomain}
              </option>
            ))}
          </select>
        </label>
        <label>
          Range
          <select value={range} onChange={(e) => setRange((e.currentTarget as HTMLSelectElement).value)}>
            {RANGES.map(([name, label]) => (
              <option key={name} value={name}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Granularity (volume)
          <select value={granularity} onChange={(e) => setGranularity((e.currentTarget as HTMLSelectElement).value)}>
            {GRANULARITIES.map((g) => (
              <option key={g}>{g}</option>
            ))}
          </select>
        </label>
        <button type="submit">Refresh</button>
      </form>
      <Problem problem={endpoints.problem ?? report.problem} />
      {report.value && volume && bandwidth ? (
        <>
          <dl class="figures">
            <Figure name="Total volume, CDN" value={`${formatNumber(volume.total.cdn)} MB`} id="total-cdn" />
            <Figure name="Total volume, origin" value={`${formatNumber(volume.total.origin)} MB`} id="total-origin" />
            <Figure name="Hit ratio (volume not from the origin)" value={formatRatio(volume.hitRatio)} id="hit-ratio" />
            <Figure name="Peak bandwidth, CDN / origin" value={`${formatNumber(bandwidth.peak.cdn)} / ${formatNumber(bandwidth.peak.origin)} Mbps`} id="peak" />
            <Figure name="Valley bandwidth, CDN / origin" value={`${formatNumber(bandwidth.valley.cdn)} / ${formatNumber(bandwidth.valley.origin)} Mbps`} id="valley" />
            <Figure name="Peak volume in one interval, CDN" value={`${formatNumber(volume.peak.cdn)} MB`} id="peak-volume" />
          </dl>
          <div class="charts">
            <Chart id="volume-chart" title={`Volume per ${GRANULARITY_NAMES[granularity] ?? granularity}`} unit="MB" series={report.value.volume} />
            <Chart id="bandwidth-chart" title="Bandwidth" unit="Mbps" series={report.value.bandwidth} />
          </div>
        </>
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </main>
  );
}

function Figure({ name, value, id }: { name: string; value: string; id: string }) {
  return (
    <div>
      <dt id={`${id}-name`}>{name}</dt>
      <dd aria-labelledby={`${id}-name`} data-figure={id}>
        {value}
      </dd>
    </div>
  );
}

