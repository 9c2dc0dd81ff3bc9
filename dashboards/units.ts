// Grafana's value formatting for the units the dashboards use, so the HTML preview shows
// what a panel would (grafana/grafana packages/grafana-data/src/valueFormats: valueFormats.ts
// toFixed/getDecimalsForValue/scaledUnits, symbolFormatters.ts, dateTimeFormatters.ts toSeconds,
// categories.ts: percentunit, short, none, s, cps, dateTimeAsIso). Decimals are automatic.

/** valueFormats.ts getDecimalsForValue: about two significant digits, none for integers. */
function decimalsFor(value: number): number {
  const abs = Math.abs(value);
  const log10 = Math.floor(Math.log(abs) / Math.LN10);
  let dec = -log10 + 1;
  const norm = abs / 10 ** -dec;
  if (norm > 2.25) ++dec;
  if (value % 1 === 0) dec = 0;
  return Math.max(0, dec);
}

/** valueFormats.ts toFixed with automatic decimals. */
function toFixed(value: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return value.toLocaleString('en-US');
  const decimals = decimalsFor(value);
  const factor = decimals ? 10 ** decimals : 1;
  const formatted = String(Math.round(value * factor) / factor);
  if (formatted.includes('e') || value === 0) return formatted;
  const dot = formatted.indexOf('.');
  const have = dot === -1 ? 0 : formatted.length - dot - 1;
  return have < decimals ? (have ? formatted : `${formatted}.`) + '0'.repeat(decimals - have) : formatted;
}

/** valueFormats.ts scaledUnits: divide by `factor` until under it, then the matching suffix. */
function scaled(value: number, factor: number, suffixes: string[]): string {
  let steps = 0;
  let v = value;
  while (Math.abs(v) >= factor && steps < suffixes.length - 1) {
    steps++;
    v /= factor;
  }
  return toFixed(v) + suffixes[steps];
}

const SHORT = ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept'];
const COUNT = ['', 'K', 'M', 'B', 'T'];

/** dateTimeFormatters.ts toSeconds. */
function seconds(v: number): string {
  const a = Math.abs(v);
  if (a < 60) return `${toFixed(v)} s`;
  if (a < 3600) return `${toFixed(v / 60)} min`;
  if (a < 86_400) return `${toFixed(v / 3600)} hour`;
  if (a < 604_800) return `${toFixed(v / 86_400)} day`;
  if (a < 31_536_000) return `${toFixed(v / 604_800)} week`;
  return `${toFixed(v / 31_536_000)} year`;
}

/** A value as Grafana shows it in a panel of `unit` (null: the panel's noValue). */
export function formatValue(value: unknown, unit: string, noValue = 'No data'): string {
  if (value === null || value === undefined) return noValue;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) {
    // Time columns: dateTimeAsIso in the dashboards' UTC time zone.
    return value.slice(0, 19).replace('T', ' ');
  }
  if (typeof value !== 'number') return typeof value === 'object' ? JSON.stringify(value) : String(value);
  switch (unit) {
    case 'percentunit':
      return `${toFixed(value * 100)}%`;
    case 'short':
      return scaled(value, 1000, SHORT);
    case 'cps':
      return `${scaled(value, 1000, COUNT)} c/s`;
    case 's':
      return seconds(value);
    default:
      return toFixed(value);
  }
}
