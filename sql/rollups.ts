// The rollups faultline's materialized views fill (sql/migrations/0003_rollups.sql,
// 0004_request_index.sql, 0006_rollups_hourly.sql, 0008_event_format.sql), as `faultline status`
// checks them against their tables (rollup-drift.ts) and repairs them (rollup-repair.ts).
export interface Rollup {
  rollup: string;
  /** The view feeding it. */
  view: string;
  /** The table the view reads. */
  of: 'events' | 'rejects';
  /** Its time column, and the function that truncates `now()` to its step. */
  time: string;
  step: 'toStartOfMinute' | 'toStartOfHour';
  /** The column counting what it summarises. */
  count: string;
  /**
   * Whether `sum(count)` over a window of `time` equals the table's rows in that window, which
   * status compares: not for failed_offers_1m (it counts order lines) nor request_index (it keys
   * a request by its last event's time, so a window's edges cut requests).
   */
  countsRows: boolean;
  /** How the other non-key columns combine (SummingMergeTree: all sum; request_index: min, max, sum). */
  combine?: Readonly<Record<string, 'min' | 'max'>>;
}

export const ROLLUPS: readonly Rollup[] = [
  { rollup: 'events_1m', view: 'events_1m_mv', of: 'events', time: 'minute', step: 'toStartOfMinute', count: 'events', countsRows: true },
  { rollup: 'events_1h', view: 'events_1h_mv', of: 'events', time: 'hour', step: 'toStartOfHour', count: 'events', countsRows: true },
  { rollup: 'formats_1m', view: 'formats_1m_mv', of: 'events', time: 'minute', step: 'toStartOfMinute', count: 'events', countsRows: true },
  {
    rollup: 'failed_offers_1m',
    view: 'failed_offers_1m_mv',
    of: 'events',
    time: 'minute',
    step: 'toStartOfMinute',
    count: 'lines',
    countsRows: false,
  },
  {
    rollup: 'rejects_1m',
    view: 'rejects_1m_mv',
    of: 'rejects',
    time: 'minute',
    step: 'toStartOfMinute',
    count: 'rejects',
    countsRows: true,
  },
  // A request's entry: its first and last event time (min, max: adding them again changes nothing) and its events (sum).
  {
    rollup: 'request_index',
    view: 'request_index_mv',
    of: 'events',
    time: 'last_time',
    step: 'toStartOfMinute',
    count: 'events',
    countsRows: false,
    combine: { first_time: 'min', last_time: 'max' },
  },
];

/** The time column of each summarised table. */
export const BASE_TIME = { events: 'event_time', rejects: 'transport_time' } as const;
