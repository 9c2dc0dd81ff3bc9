// Dashboard-style queries over a time range, each written twice: on the per-minute rollups
// (what the dashboards run) and on the raw events (the same answer the slow way). Both take
// {from:DateTime} and {to:DateTime} and must return identical rows (bench/storage.ts checks).
// Buckets are hours: what a 7-day Grafana panel asks for ($__timeInterval of about an hour).

export interface QueryPair {
  name: string;
  /** On events_1m (what the dashboards run). */
  rollup: string;
  /** The same answer from the raw events. */
  raw: string;
}

/** The same query on the hourly rollup (events_1h), when it can answer it. */
export function hourlyVariant(q: QueryPair): string | undefined {
  if (!q.rollup.includes('.events_1m ')) return undefined;
  return q.rollup.replaceAll('.events_1m ', '.events_1h ').replaceAll('toStartOfHour(minute)', 'hour').replaceAll('minute', 'hour');
}

const R = `minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}`;
const E = `event_time >= {from:DateTime('UTC')} AND event_time < {to:DateTime('UTC')}`;
const HOUR_R = 'toStartOfHour(minute)';
const HOUR_E = 'toStartOfHour(toDateTime(event_time))';

export const DASHBOARD_PAIRS: QueryPair[] = [
  {
    name: 'error rate per hour',
    rollup: `SELECT ${HOUR_R} AS t, sum(events) AS requests, sumIf(events, outcome != 'ok') AS errors,
      round(errors / requests, 6) AS rate FROM \${db}.events_1m WHERE ${R} GROUP BY t ORDER BY t`,
    raw: `SELECT ${HOUR_E} AS t, count() AS requests, countIf(outcome != 'ok') AS errors,
      round(errors / requests, 6) AS rate FROM \${db}.events WHERE ${E} GROUP BY t ORDER BY t`,
  },
  {
    name: 'errors by category per hour',
    rollup: `SELECT ${HOUR_R} AS t, category, sum(events) AS n FROM \${db}.events_1m WHERE ${R} AND category != ''
      GROUP BY t, category ORDER BY t, category`,
    raw: `SELECT ${HOUR_E} AS t, category, count() AS n FROM \${db}.events WHERE ${E} AND category != ''
      GROUP BY t, category ORDER BY t, category`,
  },
  {
    name: 'top codes by channel',
    rollup: `SELECT channel, code, sum(events) AS n FROM \${db}.events_1m WHERE ${R} AND outcome != 'ok'
      GROUP BY channel, code ORDER BY n DESC, channel, code LIMIT 20`,
    raw: `SELECT channel, code, count() AS n FROM \${db}.events WHERE ${E} AND outcome != 'ok'
      GROUP BY channel, code ORDER BY n DESC, channel, code LIMIT 20`,
  },
  {
    name: 'quota/rate limits per hour by kind',
    rollup: `SELECT ${HOUR_R} AS t, limit_kind, sum(events) AS n FROM \${db}.events_1m WHERE ${R} AND limit_kind != ''
      GROUP BY t, limit_kind ORDER BY t, limit_kind`,
    raw: `SELECT ${HOUR_E} AS t, limit_kind, count() AS n FROM \${db}.events WHERE ${E} AND limit_kind != ''
      GROUP BY t, limit_kind ORDER BY t, limit_kind`,
  },
  {
    name: 'upstream vendor failures',
    rollup: `SELECT upstream_vendor, upstream_code, sum(events) AS n FROM \${db}.events_1m WHERE ${R} AND upstream_vendor != ''
      GROUP BY upstream_vendor, upstream_code ORDER BY n DESC, upstream_vendor, upstream_code`,
    raw: `SELECT upstream_vendor, upstream_code, count() AS n FROM \${db}.events WHERE ${E} AND upstream_vendor != ''
      GROUP BY upstream_vendor, upstream_code ORDER BY n DESC, upstream_vendor, upstream_code`,
  },
  {
    name: 'mean latency per hour by app',
    rollup: `SELECT ${HOUR_R} AS t, app_id, round(sum(latency_ms_sum) / sum(latency_ms_count), 3) AS mean_ms
      FROM \${db}.events_1m WHERE ${R} GROUP BY t, app_id ORDER BY t, app_id`,
    raw: `SELECT ${HOUR_E} AS t, app_id, round(avg(latency_ms), 3) AS mean_ms
      FROM \${db}.events WHERE ${E} GROUP BY t, app_id ORDER BY t, app_id`,
  },
  {
    name: 'failed order lines by error code',
    rollup: `SELECT channel, error_code, sum(lines) AS n FROM \${db}.failed_offers_1m WHERE ${R}
      GROUP BY channel, error_code ORDER BY n DESC, channel, error_code`,
    raw: `SELECT channel, o.error_code AS error_code, count() AS n FROM \${db}.events ARRAY JOIN failed_offers AS o WHERE ${E}
      GROUP BY channel, error_code ORDER BY n DESC, channel, error_code`,
  },
];
