// The demo's quota forecast: what the quota dashboard's "Quota forecast (today)" panel and the
// "Quota runs out within 2 h" rule say before the quota incident starts. The same SQL
// (dashboards/quota-forecast.ts, macros expanded as the plugin does) over the demo store, which
// holds the simulated day plus the earlier days of calls the forecast learns the quota from.
import type { Config } from '../../lib/config.ts';
import type { Incident, QuotaHistory } from '../../ingest/generator/index.ts';
import { expandQuery, quotaForecastSql, tables } from '../../dashboards/index.ts';
import type { Store } from '../../sql/index.ts';

/** Earlier periods written for the forecast to learn from. */
export const HISTORY_DAYS = 3;

interface ForecastChannel {
  channel: string;
  dailyQuota: number;
  learnedDays: number;
  usedToday: number;
  callsLastHour: number;
  minutesLeft: number | null;
  /** Epoch ms; null when the channel was idle in the last hour. */
  runsOutAtMs: number | null;
}

export interface QuotaForecast {
  /** When the forecast was evaluated: an hour (of a day; 1/24 of the period) before the quota incident. */
  atMs: number;
  /** When the quota incident starts (the simulated day's quota actually running out). */
  incidentStartMs: number;
  /** The history written: its channel, the quota it was generated with, and when each earlier day ran out. */
  history: Pick<QuotaHistory, 'channel' | 'quota' | 'days'>;
  channels: ForecastChannel[];
}

const num = (v: unknown): number => Number(v ?? 0);
/** A DateTime('UTC') as the store returns it: ISO with `Z` (embedded) or `YYYY-MM-DD hh:mm:ss` (server JSON). */
function utcMs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  const ms = Date.parse(/Z$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`quota forecast: unreadable time ${JSON.stringify(s)}`);
  return ms;
}

export async function quotaForecastBefore(
  store: Store,
  config: Config,
  incidents: Incident[],
  periodMs: number,
  history: QuotaHistory,
): Promise<QuotaForecast | undefined> {
  const incident = incidents.find((i) => i.name === 'quota_exhausted');
  if (!incident) return undefined;
  // An hour before a day's incident; in a compressed period, the same share of it.
  const atMs = incident.startMs - Math.round(periodMs / 24);
  const sql = expandQuery(quotaForecastSql(tables(config.CLICKHOUSE_DATABASE), config.FAULTLINE_QUOTA_TZ), {
    fromMs: atMs - 8 * 86_400_000,
    toMs: atMs,
    intervalMs: 60_000,
  });
  const rows = await store.query<Record<string, unknown>>(`${sql}\nORDER BY channel`);
  return {
    atMs,
    incidentStartMs: incident.startMs,
    history: { channel: history.channel, quota: history.quota, days: history.days },
    channels: rows.map((r) => ({
      channel: String(r.channel),
      dailyQuota: num(r.daily_quota),
      learnedDays: num(r.learned_days),
      usedToday: num(r.used_today),
      callsLastHour: num(r.calls_last_hour),
      minutesLeft: r.minutes_left === null ? null : num(r.minutes_left),
      runsOutAtMs: utcMs(r.runs_out_at),
    })),
  };
}
