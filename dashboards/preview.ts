// A static HTML preview of the dashboards without Grafana: every panel's target is expanded
// (All selected, the dashboard's grid and time range ending at `at`) and run against a Store;
// time series become inline SVG line charts with the panel's legend calculations, stats big
// values, tables HTML tables; every number in the panel's unit as Grafana formats it
// (units.ts). No scripts, no network.
import type { Store } from '../sql/store.ts';
import { expandQuery } from './macros.ts';
import type { ChDashboard, ChPanel } from './types.ts';
import { formatValue } from './units.ts';

export interface PreviewOptions {
  atMs: number;
  rangeMs: number;
  /** Query interval (Grafana derives it from the panel width; a fixed one is enough here). */
  intervalMs: number;
  requestId?: string;
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLORS = ['#3274d9', '#e02f44', '#56a64b', '#ff9830', '#a352cc', '#8ab8ff', '#f2cc0c', '#96d98d'];

/** Long rows (time, label…, value…) -> series name -> points, as the plugin's long-to-wide does. */
function toSeries(rows: Record<string, unknown>[]): Map<string, [number, number][]> {
  const series = new Map<string, [number, number][]>();
  for (const row of rows) {
    const t = Date.parse(String(row.time));
    const labels = Object.entries(row)
      .filter(([k, v]) => k !== 'time' && typeof v === 'string')
      .map(([, v]) => String(v));
    for (const [k, v] of Object.entries(row)) {
      if (k === 'time' || typeof v !== 'number') continue;
      const name = [k, ...labels].join(' ');
      const list = series.get(name) ?? [];
      list.push([t, v]);
      series.set(name, list);
    }
  }
  return series;
}

const CALC: Record<string, (v: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  max: (v) => Math.max(...v),
  lastNotNull: (v) => v[v.length - 1]!,
};
const CALC_NAME: Record<string, string> = { sum: 'Total', mean: 'Mean', max: 'Max', lastNotNull: 'Last' };

function svgChart(rows: Record<string, unknown>[], fromMs: number, toMs: number, unit: string, calcs: string[]): string {
  const series = toSeries(rows);
  if (series.size === 0) return '<p class="nodata">No data</p>';
  const W = 560;
  const H = 160;
  // The axis shows the real top (0 for an all-zero series, not the scaling guard's 1e-9).
  const top = Math.max(...[...series.values()].flatMap((p) => p.map(([, v]) => v)), 0);
  const max = top > 0 ? top : 1;
  const x = (t: number) => ((t - fromMs) / (toMs - fromMs)) * W;
  const y = (v: number) => H - (v / max) * H;
  const shown = [...series.entries()].slice(0, COLORS.length);
  const paths = shown.map(
    ([name, pts], i) =>
      `<polyline fill="none" stroke="${COLORS[i]}" stroke-width="1.5" ` +
      `points="${pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"><title>${esc(name)}</title></polyline>`,
  );
  const head = `<tr><th></th>${calcs.map((c) => `<th>${esc(CALC_NAME[c] ?? c)}</th>`).join('')}</tr>`;
  const legend = shown
    .map(
      ([n, pts], i) =>
        `<tr><td style="color:${COLORS[i]}">■ ${esc(n)}</td>${calcs
          .map((c) => `<td>${esc(formatValue(CALC[c]?.(pts.map(([, v]) => v)) ?? null, unit))}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  return (
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"><text x="2" y="12" ` +
    `class="axis">${esc(formatValue(top, unit))}</text>${paths.join('')}</svg><table class="legend">${head}${legend}</table>`
  );
}

/** Per-column units from the panel's `byName` overrides (Grafana's field config), else the panel's. */
function columnUnits(p: ChPanel): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of p.fieldConfig?.overrides ?? []) {
    const unit = o.properties.find((x) => x.id === 'unit')?.value;
    if (o.matcher.id === 'byName' && typeof o.matcher.options === 'string' && typeof unit === 'string') out.set(o.matcher.options, unit);
  }
  return out;
}

function htmlTable(rows: Record<string, unknown>[], unit: string, units: Map<string, string>): string {
  if (rows.length === 0) return '<p class="nodata">No data</p>';
  const cols = Object.keys(rows[0]!);
  const body = rows
    .slice(0, 20)
    .map((r) => `<tr>${cols.map((c) => `<td>${esc(formatValue(r[c], units.get(c) ?? unit, ''))}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > 20 ? `<p class="more">${rows.length - 20} more rows</p>` : '';
  return `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

/** A stat: each column of the (one) row as a big value, or the panel's noValue. */
function statValues(rows: Record<string, unknown>[], unit: string, noValue: string): string {
  const row = rows[0] ?? {};
  const cols = Object.keys(row);
  if (cols.length === 0) return `<p class="stat">${esc(noValue)}</p>`;
  return cols
    .map((c) => `<p class="stat"><span class="big">${esc(formatValue(row[c], unit, noValue))}</span> <small>${esc(c)}</small></p>`)
    .join('');
}

async function renderPanel(store: Store, p: ChPanel, o: PreviewOptions): Promise<string> {
  const fromMs = o.atMs - o.rangeMs;
  const variables = { channel: '$__all', source: '$__all', category: '$__all', request_id: o.requestId ?? '' };
  const parts: string[] = [];
  for (const t of p.targets) {
    try {
      const rows = await store.query(expandQuery(t.rawSql, { fromMs, toMs: o.atMs, intervalMs: o.intervalMs, variables }));
      const unit = p.fieldConfig?.defaults.unit ?? '';
      const noValue = p.fieldConfig?.defaults.noValue ?? 'No data';
      const calcs = (p.options as { legend?: { calcs?: string[] } } | undefined)?.legend?.calcs ?? [];
      parts.push(
        p.type === 'timeseries'
          ? svgChart(rows, fromMs, o.atMs, unit, calcs)
          : p.type === 'stat'
            ? statValues(rows, unit, noValue)
            : htmlTable(rows, unit, columnUnits(p)),
      );
    } catch (err) {
      parts.push(`<p class="error">${esc(err instanceof Error ? err.message : err)}</p>`);
    }
  }
  const unit = p.fieldConfig?.defaults.unit ?? '';
  return (
    `<section class="panel w${p.gridPos.w}"><h3>${esc(p.title)} <small>${esc(unit)}</small></h3><p ` +
    `class="desc">${esc(p.description)}</p>${parts.join('')}</section>`
  );
}

export async function renderPreview(store: Store, dashboards: ChDashboard[], o: PreviewOptions): Promise<string> {
  const range = `${new Date(o.atMs - o.rangeMs).toISOString()} – ${new Date(o.atMs).toISOString()}`;
  const sections: string[] = [];
  for (const d of dashboards) {
    const panels: string[] = [];
    for (const p of d.panels) panels.push(await renderPanel(store, p, o));
    sections.push(
      `<h2 id="${esc(d.uid)}">${esc(d.title)}</h2><p class="desc">${esc(d.description ?? '')}</p><div ` +
        `class="grid">${panels.join('')}</div>`,
    );
  }
  const toc = dashboards.map((d) => `<a href="#${esc(d.uid)}">${esc(d.title)}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faultline dashboards preview</title>
<style>
body{font:13px system-ui,sans-serif;background:#111217;color:#ccccdc;margin:16px}
h2{border-bottom:1px solid #333;padding-bottom:4px}.grid{display:flex;flex-wrap:wrap;gap:8px}
.panel{background:#181b1f;border:1px solid #2c3235;padding:8px;box-sizing:border-box;overflow:auto;max-height:420px}
.w24{width:100%}.w16{width:calc(66% - 8px)}.w12{width:calc(50% - 8px)}.w8{width:calc(33% - 8px)}.w6{width:calc(25% - 8px)}
h3{margin:0 0 4px;font-size:14px}small,.desc,.more,.axis{color:#8e8e8e;fill:#8e8e8e;font-size:11px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #2c3235;padding:2px 6px;text-align:left;white-space:nowrap}
.error{color:#e02f44}.nodata{color:#8e8e8e}.legend{font-size:11px}.stat .big{font-size:28px;color:#73bf69}
</style></head><body>
<h1>faultline dashboards preview</h1><p>${esc(range)} (UTC), all channels, sources and categories. ${toc}</p>
${sections.join('\n')}
</body></html>
`;
}
