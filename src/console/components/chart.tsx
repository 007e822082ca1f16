/**
 * A time series chart (uPlot: a canvas, fast with thousands of points, 50 kB) of the CDN and
 * origin side by side, with the same figures as a table for screen readers and keyboards.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatNumber } from '../traffic-figures.js';

export interface Series {
  readonly times: readonly number[];
  readonly cdn: readonly number[];
  readonly origin: readonly number[];
}

export function Chart({ title, unit, series, id }: { title: string; unit: string; series: Series; id: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: Math.max(320, Math.min(element.clientWidth || 720, 960)),
        height: 240,
        series: [
          {},
          { label: `CDN (${unit})`, stroke: '#1f6feb', fill: 'rgba(31, 111, 235, 0.12)', width: 2 },
          { label: `Origin (${unit})`, stroke: '#bf5b04', width: 2, dash: [6, 3] },
        ],
        axes: [{ label: 'UTC' }, { label: unit, size: 60 }],
        scales: { x: { time: true } },
        // The API's buckets are UTC days and hours: so is the axis, whatever the browser's zone.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      },
      [series.times.map((t) => t / 1000), [...series.cdn], [...series.origin]],
      element,
    );
    return () => plot.destroy();
  }, [series, unit]);

  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <div ref={box} class="chart-canvas" id={id} data-points={series.times.length} aria-hidden="true" />
      <details>
        <summary>The figures as a table</summary>
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">CDN ({unit})</th>
              <th scope="col">Origin ({unit})</th>
            </tr>
          </thead>
          <tbody>
            {series.times.map((time, index) => (
              <tr key={time}>
                <td>{new Date(time).toISOString().slice(0, 16).replace('T', ' ')}</td>
                <td>{formatNumber(series.cdn[index] ?? 0)}</td>
                <td>{formatNumber(series.origin[index] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
