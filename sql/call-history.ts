// Earlier days of a channel's gateway calls written straight into the event rollups, for the
// demo: the quota forecast (dashboards/quota-forecast.ts) learns the daily quota from the calls
// served before each day's first QUOTA_EXCEEDED, and a fresh demo store has no past. Only the
// rollups are written (events_1m, and events_1h for long-range panels): no raw events, so the
// request lookup and the raw-table panels are untouched. The dimensions are those the
// normalizer gives a served call (outcome ok, HTTP 200) and a QUOTA_EXCEEDED (as in the demo
// day's own rows: RATE_LIMIT_ERROR, 429, limit_kind quota); columns of
// sql/migrations/0003_rollups.sql and 0006_rollups_hourly.sql.
import { checkDatabaseName } from './migrate.ts';
import type { Store } from './store.ts';

export interface CallHistoryRow {
  /** Start of the minute, epoch ms. */
  minute: number;
  channel: string;
  app_id: string;
  /** A call refused with QUOTA_EXCEEDED; otherwise a served call. */
  hit: boolean;
  events: number;
  latency_ms_sum: number;
}

/** Insert the rows into events_1m and events_1h (SummingMergeTree: rows of one hour add up). Returns the rows written per table. */
export async function insertCallHistory(store: Pick<Store, 'command'>, db: string, rows: readonly CallHistoryRow[]): Promise<number> {
  checkDatabaseName(db);
  if (rows.length === 0) return 0;
  const json = (time: 'minute' | 'hour') =>
    rows
      .map((r) =>
        JSON.stringify({
          [time]: Math.floor((time === 'hour' ? Math.floor(r.minute / 3_600_000) * 3_600_000 : r.minute) / 1000),
          source: 'gateway',
          channel: r.channel,
          app_id: r.app_id,
          outcome: r.hit ? 'error' : 'ok',
          category: r.hit ? 'RATE_LIMIT_ERROR' : '',
          code: r.hit ? 'QUOTA_EXCEEDED' : '',
          http_status: r.hit ? 429 : 200,
          limit_kind: r.hit ? 'quota' : '',
          upstream_vendor: '',
          upstream_code: '',
          upstream_sub_code: '',
          catalog_drift: false,
          events: r.events,
          latency_ms_sum: r.latency_ms_sum,
          latency_ms_count: r.events,
        }),
      )
      .join('\n');
  await store.command(`INSERT INTO ${db}.events_1m FORMAT JSONEachRow\n${json('minute')}`);
  await store.command(`INSERT INTO ${db}.events_1h FORMAT JSONEachRow\n${json('hour')}`);
  return rows.length;
}
