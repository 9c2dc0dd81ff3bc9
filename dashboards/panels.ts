// Panel and variable builders: every panel gets a title, a description, a unit and at least
// one ClickHouse target reading the `${datasource}` variable (the dashboard-linter rules of
// docs/grafana.md), and panels are laid out on Grafana's 24-column grid.
import type { DataSourceRef, VariableModel } from '@grafana/schema';
import {
  type ChDashboard,
  type ChPanel,
  type ClickHouseQuery,
  DS_VARIABLE,
  FORMATS,
  PLUGIN_TYPE,
  PLUGIN_VERSION,
  type QueryKind,
  type Tables,
} from './types.ts';
import { eventsRollup, SERIES_MAX_DATA_POINTS, SERIES_MIN_INTERVAL } from './rollup.ts';

export const DATASOURCE_UID = 'faultline-clickhouse';
export const DATASOURCE_NAME = 'faultline ClickHouse';
const ds: DataSourceRef = { type: PLUGIN_TYPE, uid: DS_VARIABLE };

export function target(rawSql: string, kind: QueryKind, refId = 'A'): ClickHouseQuery {
  return {
    refId,
    datasource: { type: PLUGIN_TYPE, uid: DS_VARIABLE },
    editorType: 'sql',
    pluginVersion: PLUGIN_VERSION,
    format: FORMATS[kind],
    queryType: kind,
    rawSql: rawSql.trim().replace(/\n\s+/g, '\n  '),
  };
}

export interface PanelSpec {
  title: string;
  description: string;
  /** Grafana unit id (percentunit, short, s, reqps, dateTimeAsIso, none …). */
  unit: string;
  sql: string;
  /** Width on the 24-column grid (default 12) and height (default 8). */
  w?: number;
  h?: number;
  /** Extra field config overrides (data links on table columns). */
  overrides?: NonNullable<ChPanel['fieldConfig']>['overrides'];
  /** Shown instead of a value when the query returns nothing (stats: an empty range). */
  noValue?: string;
}

/**
 * What a time series' values are, which decides its legend and its empty buckets:
 * ratio (mean, max; a bucket with no events has no ratio), count (sum; zero-filled),
 * rate (per second: mean, max; zero-filled), gauge (last, max; not filled: no sample is no 0).
 */
type Measure = 'ratio' | 'count' | 'rate' | 'gauge';
const LEGEND_CALCS: Record<Measure, string[]> = {
  ratio: ['mean', 'max'],
  count: ['sum'],
  rate: ['mean', 'max'],
  gauge: ['lastNotNull', 'max'],
};

export interface SeriesSpec extends PanelSpec {
  measure: Measure;
  /** The series' label column (one at most), for zero-filling each series. */
  label?: string;
}

/**
 * Every bucket of the range for each series, 0 where nothing happened, so quiet buckets read 0
 * instead of a line drawn across them (ClickHouse ORDER BY … WITH FILL fills `time` within
 * each label). The buckets are $__timeInterval's: from the one holding the range start to the
 * one holding its end. The result is ordered by time again (the plugin's long-to-wide needs
 * ascending time). On an empty range WITH FILL still emits the buckets, with an empty label:
 * label columns are never empty (rows with '' are dropped).
 */
function zeroFilled(sql: string, label?: string): string {
  const m = /\s+ORDER BY time(, \w+)?\s*$/.exec(sql);
  if (!m) throw new Error(`a zero-filled series must end with ORDER BY time[, label]: ${sql}`);
  const inner = sql.slice(0, m.index);
  const by = label ? `${label}, time` : 'time';
  return `SELECT * FROM (${inner}
    ORDER BY ${by} WITH FILL FROM toStartOfInterval($__fromTime, INTERVAL $__interval_s second)
      TO $__toTime + INTERVAL 1 SECOND STEP $__interval_s)
    ${label ? `WHERE ${label} != '' ` : ''}ORDER BY time${label ? `, ${label}` : ''}`;
}

type PanelType = 'timeseries' | 'table' | 'stat' | 'barchart';

function panel(
  type: PanelType,
  kind: QueryKind,
  spec: PanelSpec,
  options: Record<string, unknown>,
): Omit<ChPanel, 'id' | 'gridPos'> & { w: number; h: number } {
  return {
    type,
    title: spec.title,
    description: spec.description,
    datasource: ds,
    fieldConfig: { defaults: { unit: spec.unit, ...(spec.noValue ? { noValue: spec.noValue } : {}) }, overrides: spec.overrides ?? [] },
    options,
    targets: [target(spec.sql, kind)],
    w: spec.w ?? 12,
    h: spec.h ?? 8,
  };
}

/** Time series carry Grafana's query options so that long ranges get whole-hour intervals (rollup.ts). */
export const timeseries = (s: SeriesSpec) => ({
  ...panel(
    'timeseries',
    'timeseries',
    { ...s, sql: s.measure === 'count' || s.measure === 'rate' ? zeroFilled(s.sql.trim(), s.label) : s.sql },
    { legend: { displayMode: 'table', placement: 'right', calcs: LEGEND_CALCS[s.measure] }, tooltip: { mode: 'multi' } },
  ),
  maxDataPoints: SERIES_MAX_DATA_POINTS,
  interval: SERIES_MIN_INTERVAL,
});
export const table = (s: PanelSpec) => panel('table', 'table', s, { showHeader: true, cellHeight: 'sm' });
export const stat = (s: PanelSpec) =>
  panel('stat', 'table', s, {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    colorMode: 'value',
    graphMode: 'none',
  });

type Draft = ReturnType<typeof panel> & Pick<ChPanel, 'maxDataPoints' | 'interval'>;

/** Flow panels left to right, wrapping at 24 columns; ids in order. */
function layout(drafts: Draft[]): ChPanel[] {
  let x = 0;
  let y = 0;
  let rowH = 0;
  return drafts.map(({ w, h, ...p }, i) => {
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const placed: ChPanel = { ...p, id: i + 1, gridPos: { h, w, x, y } };
    x += w;
    rowH = Math.max(rowH, h);
    return placed;
  });
}

// ---- variables -------------------------------------------------------------------------

const datasourceVariable: VariableModel = {
  type: 'datasource',
  name: 'datasource',
  label: 'Data source',
  query: PLUGIN_TYPE,
  current: { text: DATASOURCE_NAME, value: DATASOURCE_UID },
};

/** A multi-value query variable over an event rollup column, refreshed on time-range change. */
function queryVariable(name: string, label: string, sql: string): VariableModel {
  return {
    type: 'query',
    name,
    label,
    datasource: ds,
    query: sql.trim().replace(/\n\s+/g, '\n  '),
    refresh: 2,
    multi: true,
    includeAll: true,
    current: { text: 'All', value: '$__all' },
    sort: 1,
  };
}

export function filterVariables(t: Tables): VariableModel[] {
  const distinct = (col: string) => `SELECT DISTINCT ${col} FROM ${eventsRollup(t, 'range', `${col} != ''`)} ORDER BY ${col}`;
  return [
    datasourceVariable,
    queryVariable('channel', 'Channel', distinct('channel')),
    queryVariable('source', 'Source', distinct('source')),
    queryVariable('category', 'Category', distinct('category')),
  ];
}

export const requestIdVariable: VariableModel = { type: 'textbox', name: 'request_id', label: 'Request ID', query: '' };

/**
 * A multi-value variable's selection as a ClickHouse Array(String). Grafana's `percentencode`
 * format turns a selection into `{a,b}` percent-encoded (encodeURIComponent plus !'()*), so the
 * text inside the literal holds no quote and no backslash: no value can end the literal or
 * change its meaning, and ClickHouse's decodeURLComponent gives the values back. The plugin's
 * documented `${var:singlequote}` escapes `'` as `\'` but leaves `\` alone, so a value holding
 * a backslash (`a\`, or `x\' OR 1=1 --`) ends the literal early (test/dashboards/filters.test.ts
 * runs both on chDB). Limit: a value containing a comma matches as its comma-separated parts.
 */
function selection(name: string): string {
  return `splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('\${${name}:percentencode}')))`;
}

/**
 * Filters for the dashboard variables. `$__conditionalAll` turns a filter into `1=1` when All
 * is selected (or nothing), so "All" costs nothing (CHDatasource.ts applyConditionalAll).
 */
export const F = {
  channel: `$__conditionalAll(has(${selection('channel')}, channel), $channel)`,
  source: `$__conditionalAll(has(${selection('source')}, source), $source)`,
  category: `$__conditionalAll(has(${selection('category')}, category), $category)`,
};

export function dashboard(opts: {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: VariableModel[];
  panels: Draft[];
  time?: { from: string; to: string };
}): ChDashboard {
  return {
    uid: opts.uid,
    title: opts.title,
    description: opts.description,
    tags: ['faultline', ...opts.tags],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    timezone: 'utc',
    time: opts.time ?? { from: 'now-6h', to: 'now' },
    graphTooltip: 1,
    annotations: { list: [] },
    templating: { list: opts.variables },
    links: [
      {
        title: 'faultline',
        type: 'dashboards',
        tags: ['faultline'],
        asDropdown: true,
        icon: 'external link',
        includeVars: true,
        keepTime: true,
        targetBlank: false,
        tooltip: '',
      },
    ],
    panels: layout(opts.panels),
  };
}
