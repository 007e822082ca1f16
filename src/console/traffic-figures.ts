/** What the traffic page says beside its charts, computed from the API's series. */

export interface Pair {
  readonly cdn: number;
  readonly origin: number;
}

export interface Figures {
  readonly total: Pair;
  readonly peak: Pair;
  readonly valley: Pair;
  /** The share of what clients received that did not come from the origin, 0..1; undefined with no traffic. */
  readonly hitRatio: number | undefined;
}

export function figures(points: readonly Pair[]): Figures {
  const cdn = points.map((point) => point.cdn);
  const origin = points.map((point) => point.origin);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const total = { cdn: sum(cdn), origin: sum(origin) };
  return {
    total,
    peak: { cdn: points.length ? Math.max(...cdn) : 0, origin: points.length ? Math.max(...origin) : 0 },
    valley: { cdn: points.length ? Math.min(...cdn) : 0, origin: points.length ? Math.min(...origin) : 0 },
    hitRatio: total.cdn > 0 ? Math.max(0, 1 - total.origin / total.cdn) : undefined,
  };
}

/** A figure with at most three decimals, no trailing zeros. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? 'no traffic' : `${(ratio * 100).toFixed(1)} %`;
}
