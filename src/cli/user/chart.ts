/** Horizontal bar charts for the terminal: one row per time bucket. */

const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export interface ChartRow {
  readonly label: string;
  readonly value: number;
  readonly note: string;
}

/** Rows of `label  bar  note`, bars scaled to `width` characters at the largest value. */
export function barChart(rows: readonly ChartRow[], width = 40): string[] {
  const max = Math.max(0, ...rows.map((row) => row.value));
  const labelWidth = Math.max(0, ...rows.map((row) => row.label.length));
  return rows.map((row) => `${row.label.padEnd(labelWidth)}  ${bar(max === 0 ? 0 : (row.value / max) * width).padEnd(width)}  ${row.note}`);
}

/** A bar `cells` characters long, in eighths. */
export function bar(cells: number): string {
  const eighths = Math.round(cells * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8];
}
