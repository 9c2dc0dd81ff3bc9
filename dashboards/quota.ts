// "Quota exhaustion": rate-limit, daily-quota, platform-quota and balance hits (limit_kind,
// docs/event-model.md §5) by channel and app, when each channel's daily quota was
// first hit today (UTC), and Taobao's call-limit codes 4–8. All from the event rollups
// (rollup.ts), the first hit of the day from `events_1m` alone (it is to the minute, over at
// most a day).
import { dashboard, F, filterVariables, table, timeseries } from './panels.ts';
import { quotaForecastPanelSql, sustainedSql, SUSTAIN_MIN_MINUTES, SUSTAIN_MIN_SHARE, SUSTAIN_WINDOW_MIN } from './quota-forecast.ts';
import { eventsRollup, HOUR_PRECISION_NOTE } from './rollup.ts';
import type { ChDashboard, Tables } from './types.ts';

export function quota(t: Tables, quotaTz = 'UTC'): ChDashboard {
  const where = `${F.channel} AND ${F.source}`;
  const limits = (sw: 'interval' | 'range') => eventsRollup(t, sw, `${where} AND limit_kind != ''`);
  return dashboard({
    uid: 'faultline-quota',
    title: 'faultline / Quota exhaustion',
    description: 'Rate limits, daily quotas, platform quotas and balance errors by channel and app.',
    tags: ['quota'],
    variables: filterVariables(t),
    panels: [
      timeseries({
        title: 'Limit hits by kind',
        measure: 'count',
        description:
          'Events per interval that hit a limit: rate (requests per second), quota (daily call quota), platform (marketplace-wide ' +
          'quota), balance (credit).',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time,
            sumIf(events, limit_kind = 'rate') AS rate, sumIf(events, limit_kind = 'quota') AS quota,
            sumIf(events, limit_kind = 'platform') AS platform, sumIf(events, limit_kind = 'balance') AS balance
          FROM ${limits('interval')}
          GROUP BY time ORDER BY time`,
      }),
      timeseries({
        title: 'Limit hits by channel',
        measure: 'count',
        label: 'channel_limit',
        description: 'Events per interval that hit a limit, one series per channel and limit kind.',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time, concat(if(channel = '', 'unknown', channel), ' ', limit_kind) AS channel_limit,
            sum(events) AS hits
          FROM ${limits('interval')}
          GROUP BY time, channel_limit ORDER BY time, channel_limit`,
      }),
      table({
        title: 'Quota forecast (today)',
        description:
          `Per channel with a learned daily quota: the smallest number of gateway calls served before the first ` +
          `QUOTA_EXCEEDED on each of the last 7 quota days (${quotaTz}), the calls used today, the last hour's rate, and when today's ` +
          `quota runs out at that rate (or when it did: exhausted). All channels, whatever the selection. The "Quota runs out within 2 ` +
          `h" rule uses the same query.`,
        unit: 'short',
        w: 24,
        h: 6,
        sql: quotaForecastPanelSql(t, quotaTz),
      }),
      table({
        title: 'Daily quota first exhausted today',
        description:
          `Per channel, the first minute of the current quota day (${quotaTz}), up to the end of the range, from which ` +
          `daily-quota hits were sustained (hits in at least ${SUSTAIN_MIN_MINUTES} of the ${SUSTAIN_WINDOW_MIN} minutes from it, and ` +
          `at least ${SUSTAIN_MIN_SHARE * 100}% of the channel's events in them, as the quota forecast: stray QUOTA_EXCEEDED and ` +
          `per-app call limits are not exhaustion), and the day's quota hits.`,
        unit: 'short',
        sql: `SELECT channel, minIf(minute, sustained) AS first_exhausted, sum(hits) AS quota_hits_today
          FROM (
            SELECT channel, minute, hits, ${sustainedSql('channel')} AS sustained
            FROM (
              SELECT channel, minute, sumIf(events, limit_kind = 'quota') AS hits, sum(events) AS calls
              FROM ${t.events1m}
              WHERE minute >= toStartOfDay($__toTime, '${quotaTz}') AND minute <= $__toTime
                AND ${F.channel} AND ${F.source}
              GROUP BY channel, minute))
          GROUP BY channel HAVING countIf(sustained) > 0
          ORDER BY first_exhausted, channel`,
      }),
      timeseries({
        title: 'Limit hits by app',
        measure: 'count',
        label: 'app_limit',
        description: 'Events per interval that hit a limit, one series per app, channel and limit kind.',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time,
            concat(if(app_id = '', 'unknown', app_id), ' ', channel, ' ', limit_kind) AS app_limit,
            sum(events) AS hits
          FROM ${limits('interval')}
          GROUP BY time, app_limit ORDER BY time, app_limit`,
      }),
      table({
        title: 'Top apps hitting limits',
        description: `Which apps hit which limits on which channel (top 50), with the last minute seen. ${HOUR_PRECISION_NOTE}`,
        unit: 'short',
        sql: `SELECT app_id, channel, limit_kind, sum(events) AS hits, max(minute) AS last_hit
          FROM ${limits('range')}
          GROUP BY app_id, channel, limit_kind ORDER BY hits DESC, app_id, channel, limit_kind LIMIT 50`,
      }),
      timeseries({
        title: 'Taobao call-limit codes (4–8)',
        measure: 'count',
        label: 'taobao_code',
        description:
          'Taobao TOP system codes 4–7 (user, session, partner, app call limited: quota) and 8 (call frequency: rate), per interval.',
        unit: 'short',
        w: 24,
        sql: `SELECT $__timeInterval(minute) AS time, concat('taobao ', upstream_code) AS taobao_code, sum(events) AS hits
          FROM ${eventsRollup(t, 'interval', `${where} AND upstream_vendor = 'taobao' AND upstream_code IN ('4', '5', '6', '7', '8')`)}
          GROUP BY time, taobao_code ORDER BY time, taobao_code`,
      }),
    ],
  });
}
