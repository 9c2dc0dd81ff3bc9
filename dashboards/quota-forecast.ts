// When will today's daily quota run out? Per channel, the quota is learned from history: on
// each of the last 7 quota days (in the quota's time zone, FAULTLINE_QUOTA_TZ) that ended in a
// QUOTA_EXCEEDED (limit_kind = quota, sustained: see SUSTAIN_*), the gateway calls served before
// that minute; the smallest such count is the quota (conservative: the earliest forecast).
// At the last hour's rate, today's remaining calls run out at `runs_out_at`; a channel already
// exhausted today shows when it was. One SQL feeds the quota dashboard's panel and the
// "Quota runs out within 2 h" rule. From events_1m: to the minute, the 7 quota days before
// the end of the range and today, whatever the range's start (the panel ignores the picker's).
import type { Tables } from './types.ts';

const FORECAST_HISTORY_DAYS = 7;
/**
 * A daily quota ends a day: once exhausted, calls keep failing until it resets. A stray
 * QUOTA_EXCEEDED (one app's own quota, a retry storm) is not that moment: the day's exhaustion
 * is the first minute with quota hits followed by hits in at least 5 of its 10 minutes
 */
export const SUSTAIN_WINDOW_MIN = 10;
export const SUSTAIN_MIN_MINUTES = 5;
/**
 * ... and the hits are at least a quarter of the channel's events in those minutes: a steady
 * trickle of per-app call limits (Taobao codes 4-7 are limit_kind quota too; 1-3 % of Taobao's
 * calls in the demo) reaches 5 minutes of 10 at night, while an exhausted daily quota refuses
 * most calls (the demo's 1688: about 75 %).
 */
export const SUSTAIN_MIN_SHARE = 0.25;

/** SQL: is this minute (row of channel, minute, calls, hits; partitioned by `partition`) the start of a sustained exhaustion? */
export function sustainedSql(partition: string): string {
  const w = `OVER (PARTITION BY ${partition} ORDER BY minute RANGE BETWEEN CURRENT ROW AND ${SUSTAIN_WINDOW_MIN * 60 - 1} FOLLOWING)`;
  return `hits > 0 AND countIf(hits > 0) ${w} >= ${SUSTAIN_MIN_MINUTES} AND sum(hits) ${w} >= ${SUSTAIN_MIN_SHARE} * sum(calls) ${w}`;
}

/**
 * Rows: channel, daily_quota, learned_days, used_today, calls_last_hour, exhausted_at
 * (1970 when not exhausted today), minutes_left (NULL when exhausted or idle), runs_out_at.
 * Only channels with a learned quota.
 */
export function quotaForecastSql(t: Tables, tz: string): string {
  const today = `toDate($__toTime, '${tz}')`;
  return `SELECT channel, daily_quota, learned_days, used_today, calls_last_hour, exhausted_at,
    if(exhausted_at > toDateTime(0) OR calls_last_hour = 0, NULL,
       round(greatest(toInt64(daily_quota) - toInt64(used_today), 0) * 60 / calls_last_hour, 1)) AS minutes_left,
    if(exhausted_at > toDateTime(0), exhausted_at,
       if(calls_last_hour = 0, NULL,
          $__toTime + toIntervalSecond(toInt64(greatest(toInt64(daily_quota) - toInt64(used_today), 0) * 3600 / calls_last_hour))))
    AS runs_out_at
  FROM (
    SELECT channel,
      minIf(served, day < ${today} AND exhausted) AS daily_quota,
      countIf(day < ${today} AND exhausted) AS learned_days,
      sumIf(total, day = ${today}) AS used_today,
      sum(last_hour) AS calls_last_hour,
      maxIf(first_hit, day = ${today} AND exhausted) AS exhausted_at
    FROM (
      SELECT channel, day, max(sustained) AS exhausted, minIf(minute, sustained) AS first_hit, sum(calls) AS total,
        arraySum(arrayMap((m, c) -> if(m < first_hit, c, 0), groupArray(minute), groupArray(calls))) AS served,
        sumIf(calls, minute > $__toTime - INTERVAL 1 HOUR) AS last_hour
      FROM (
        SELECT channel, day, minute, calls, ${sustainedSql('channel, day')} AS sustained
        FROM (
          SELECT channel, toDate(minute, '${tz}') AS day, minute, sum(events) AS calls, sumIf(events, limit_kind = 'quota') AS hits
          FROM ${t.events1m}
          WHERE minute >= toStartOfDay($__toTime, '${tz}') - INTERVAL ${FORECAST_HISTORY_DAYS} DAY AND minute <= $__toTime
            AND source = 'gateway' AND channel != ''
          GROUP BY channel, day, minute))
      GROUP BY channel, day)
    GROUP BY channel)
  WHERE learned_days > 0`;
}

/** The rule: minutes until a channel's learned quota runs out today (not yet exhausted, traffic in the last hour). */
export function quotaRunsOutSql(t: Tables, tz: string): string {
  return `SELECT channel, toFloat64(minutes_left) AS value FROM (${quotaForecastSql(t, tz)})
WHERE minutes_left IS NOT NULL
ORDER BY channel`;
}

/** The panel: one row per channel, in the order its quota runs out. */
export function quotaForecastPanelSql(t: Tables, tz: string): string {
  return `SELECT channel, daily_quota, used_today, round(calls_last_hour / 60, 1) AS calls_per_min, runs_out_at,
    if(exhausted_at > toDateTime(0), 'exhausted', if(runs_out_at IS NULL, 'idle', 'runs out')) AS state
  FROM (${quotaForecastSql(t, tz)})
  ORDER BY runs_out_at IS NULL, runs_out_at, channel`;
}
