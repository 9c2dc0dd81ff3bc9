// Which event rollup a panel reads: the hourly `events_1h` for the whole hours of a long range,
// the per-minute `events_1m` for everything else. Every rollup-backed panel and variable builds
// its source here, so the switch and its edge handling exist once.
//
// One SQL, two branches (UNION ALL). The switch is a condition on expanded macros only, so
// ClickHouse folds it to a constant and skips the branch it rules out without reading a part
// (test/dashboards/panels.test.ts proves it with EXPLAIN ESTIMATE). The hourly branch reads the
// hours lying wholly inside the range; the minute branch reads the rest (the partial hours at
// the edges, or the whole range when the switch is off). So sums are exactly those of
// `events_1m` whatever the branch: only `min(minute)` / `max(minute)` lose precision (to the
// hour inside the range), which the panels that show them state in their description.
import type { Tables } from './types.ts';

/**
 * `interval`: time series. Hourly rows may only feed buckets that are whole hours, so the
 * switch is the query interval being a multiple of an hour (Grafana's rounded intervals from
 * 1h up: 1h, 2h, 3h, 6h, 12h, 1d, 1w, 30d, 1y). `range`: tables, stats and variables (one
 * value over the range): the range lasting at least LONG_RANGE_S.
 */
export type RollupSwitch = 'interval' | 'range';

/** Ranges this long read whole hours from events_1h in tables, stats and variables. */
export const LONG_RANGE_S = 2 * 86_400;

/**
 * Max data points of time-series panels: Grafana's interval is range / max data points,
 * rounded; 200 makes "Last 7 days" 1h (any range from 6.25 days up lands on a whole number of
 * hours), "Last 24 hours" 5m and "Last 6 hours" 2m. Left to Grafana (the panel's width in
 * pixels), a 7-day range gets 10–15 minute buckets and could never use the hourly rollup.
 */
export const SERIES_MAX_DATA_POINTS = 200;
/** Rollup rows are per minute: finer buckets would only show gaps. */
export const SERIES_MIN_INTERVAL = '1m';

export function hourlyCondition(sw: RollupSwitch): string {
  return sw === 'interval' ? '$__interval_s % 3600 = 0' : `dateDiff('second', $__fromTime, $__toTime) >= ${LONG_RANGE_S}`;
}

// `$__timeFilter(minute)` keeps minutes m with from <= m <= to. Hour h is whole inside the
// range when all its minutes are: h >= from and h + 59 min <= to. First such hour and the end
// of the last one (UTC hours, as events_1h's `hour` = toStartOfHour of a UTC DateTime64):
const FIRST_WHOLE_HOUR = "toStartOfHour($__fromTime + INTERVAL 3599 SECOND, 'UTC')";
const END_OF_WHOLE_HOURS = "toStartOfHour($__toTime - INTERVAL 59 MINUTE, 'UTC') + INTERVAL 1 HOUR";

/** The columns both rollups share (events_1m's, with `hour` renamed `minute`). */
const COLUMNS = [
  'source',
  'channel',
  'app_id',
  'outcome',
  'category',
  'code',
  'http_status',
  'limit_kind',
  'upstream_vendor',
  'upstream_code',
  'upstream_sub_code',
  'catalog_drift',
  'events',
  'latency_ms_sum',
  'latency_ms_count',
].join(', ');

/**
 * A parenthesized subquery for `FROM`: the rollup rows of the dashboard's time range that pass
 * `filter` (dimension conditions only, no time), with events_1m's columns; `minute` is the
 * row's minute, or its hour for rows read from events_1h. Aggregate it with sum(): rows are
 * not unique per key (SummingMergeTree merges lazily, and the branches add up).
 * When the range holds no whole hour the hourly branch is empty and the minute branch reads
 * all of it, so the result is right whatever the switch says.
 */
export function eventsRollup(t: Tables, sw: RollupSwitch, filter = '1=1'): string {
  const hourly = hourlyCondition(sw);
  return `(
    SELECT hour AS minute, ${COLUMNS} FROM ${t.events1h}
    WHERE ${hourly} AND hour >= ${FIRST_WHOLE_HOUR} AND hour < ${END_OF_WHOLE_HOURS}
      AND ${filter}
    UNION ALL
    SELECT minute, ${COLUMNS} FROM ${t.events1m}
    WHERE $__timeFilter(minute) AND (NOT (${hourly}) OR minute < ${FIRST_WHOLE_HOUR} OR minute >= ${END_OF_WHOLE_HOURS})
      AND ${filter})`;
}

/** The sentence panels showing first/last times add to their description. */
export const HOUR_PRECISION_NOTE =
  `On ranges of ${LONG_RANGE_S / 86_400} days or more, times inside the range are to the hour (read ` +
  `from the hourly rollup); the partial hours at its edges stay to the minute.`;
