// Plain-JS models of the panels and rules the synthetic day cannot exercise alone (the ingest
// value, the quota forecast, retries against the advice), shared by model.ts and the tests
// that build their own data (stall, ops-questions).
import type { EventRow } from '../../sql/store.ts';
import type { SyntheticDay } from '../support/synthetic-day.ts';
import { floorTo, group, MIN, ms, sortBy, type Row } from './model-util.ts';

export interface ForecastRow {
  channel: string;
  daily_quota: number;
  used_today: number;
  calls_last_hour: number;
  exhausted_at: number | null;
  minutes_left: number | null;
  runs_out_at: number | null;
}

/**
 * quota-forecast.ts in plain JS: quota days of `offsetH` hours from UTC (a fixed offset: UTC,
 * Asia/Shanghai), gateway events of the last 7 days up to `toMs`, by minute. Ordered by
 * runs_out_at (NULL last), channel.
 */
export function quotaForecast(events: EventRow[], atMs: number, offsetH = 0): ForecastRow[] {
  const T = Math.floor(atMs / 1000) * 1000;
  const DAY = 86_400_000;
  const dayOf = (m: number) => Math.floor((m + offsetH * 3_600_000) / DAY);
  const today = dayOf(T);
  const from = today * DAY - offsetH * 3_600_000 - 7 * DAY;
  const mins = events
    .filter((e) => e.source === 'gateway' && e.channel !== '')
    .map((e) => ({ e, m: floorTo(ms(e.event_time), MIN) }))
    .filter(({ m }) => m >= from && m <= T);
  const rows: ForecastRow[] = [];
  for (const [channel, list] of group(mins, ({ e }) => e.channel)) {
    let learned: number[] = [];
    let used = 0;
    let exhaustedAt: number | null = null;
    for (const [dayKey, dl] of group(list, ({ m }) => String(dayOf(m)))) {
      // The first hit minute with hits in at least 5 of the 10 minutes from it (a sustained exhaustion).
      const hitMinutes = [...new Set(dl.filter(({ e }) => e.limit_kind === 'quota').map(({ m }) => m))].sort((a, b) => a - b);
      // ... whose hits are at least a quarter of the calls of those 10 minutes.
      const inWindow = (m: number, hit: boolean) =>
        dl.filter(({ e, m: x }) => x >= m && x < m + 10 * MIN && (!hit || e.limit_kind === 'quota')).length;
      const first =
        hitMinutes.find(
          (m) => hitMinutes.filter((x) => x >= m && x < m + 10 * MIN).length >= 5 && inWindow(m, true) >= 0.25 * inWindow(m, false),
        ) ?? null;
      if (Number(dayKey) < today && first !== null) learned.push(dl.filter(({ m }) => m < first).length);
      if (Number(dayKey) === today) {
        used = dl.length;
        exhaustedAt = first;
      }
    }
    if (learned.length === 0) continue;
    const quota = Math.min(...learned);
    const lastHour = list.filter(({ m }) => m > T - 3_600_000).length;
    const left = exhaustedAt !== null || lastHour === 0 ? null : Math.round(((Math.max(quota - used, 0) * 60) / lastHour) * 10) / 10;
    const runsOut =
      exhaustedAt !== null ? exhaustedAt : lastHour === 0 ? null : T + Math.trunc((Math.max(quota - used, 0) * 3600) / lastHour) * 1000;
    rows.push({
      channel,
      daily_quota: quota,
      used_today: used,
      calls_last_hour: lastHour,
      exhausted_at: exhaustedAt,
      minutes_left: left,
      runs_out_at: runsOut,
    });
    learned = [];
  }
  return rows.sort(
    (a, b) =>
      (a.runs_out_at === null ? 1 : 0) - (b.runs_out_at === null ? 1 : 0) ||
      (a.runs_out_at ?? 0) - (b.runs_out_at ?? 0) ||
      (a.channel < b.channel ? -1 : 1),
  );
}

/** The "Quota forecast (today)" panel's rows (quota-forecast.ts's SELECT) from quotaForecast's. */
export function forecastPanel(events: EventRow[], atMs: number, offsetH = 0): Row[] {
  return quotaForecast(events, atMs, offsetH).map((r) => ({
    channel: r.channel,
    daily_quota: r.daily_quota,
    used_today: r.used_today,
    calls_per_min: Math.round((r.calls_last_hour / 60) * 10) / 10,
    runs_out_at: r.runs_out_at,
    state: r.exhausted_at ? 'exhausted' : r.runs_out_at === null ? 'idle' : 'runs out',
  }));
}

/**
 * freshness.ts's ingest value in plain JS: per topic with any batch up to `atMs` (the whole second
 * counts), max(seconds since its last batch, the lag of each partition's last batch in the day
 * before / records per second over 5 minutes); `(none)` when there is no batch at all.
 */
export function ingestBehind(batches: SyntheticDay['batches'], atMs: number): Record<string, number> {
  const T = Math.floor(atMs / 1000) * 1000;
  const last = new Map<string, number>();
  const lastOfPartition = new Map<string, { t: number; lag: number }>();
  const recent = new Map<string, number>();
  for (const b of batches) {
    const t = ms(b.batch_time);
    if (t >= T + 1000) continue;
    last.set(b.topic, Math.max(last.get(b.topic) ?? -Infinity, t));
    if (t <= T - 86_400_000) continue;
    const key = `${b.topic}/${b.partition}`;
    if (t >= (lastOfPartition.get(key)?.t ?? -Infinity)) lastOfPartition.set(key, { t, lag: b.lag });
    if (t > T - 300_000) recent.set(b.topic, (recent.get(b.topic) ?? 0) + b.records);
  }
  const out: Record<string, number> = {};
  for (const [topic, t] of last) {
    const lag = [...lastOfPartition].filter(([k]) => k.startsWith(`${topic}/`)).reduce((s, [, p]) => s + p.lag, 0);
    const rec = recent.get(topic) ?? 0;
    // dateDiff counts second boundaries: whole seconds of T minus those of the batch.
    out[topic] = Math.max(T / 1000 - Math.floor(t / 1000), rec > 0 ? Math.round(lag / (rec / 300)) : 0);
  }
  if (last.size === 0) out['(none)'] = T / 1000;
  return out;
}

/** The retries panel's rows from client events (ops-questions.ts): per app, retries after 400/401/403/404 and too-fast 429 retries. */
export function retriesAgainstAdvice(events: EventRow[]): Row[] {
  const out = new Map<string, { non: number; fast: number; ids: string[] }>();
  for (const g of group(events, (e) => e.request_id).values()) {
    const seq = [...g].sort((a, b) => ms(a.event_time) - ms(b.event_time) || a.attempt! - b.attempt!);
    for (let i = 0; i + 1 < seq.length; i++) {
      const [e, next] = [seq[i]!, seq[i + 1]!];
      if (next.attempt! <= e.attempt!) continue;
      const non = [400, 401, 403, 404].includes(e.http_status);
      const fast = e.http_status === 429 && ms(next.event_time) - ms(e.event_time) < 1000 * 2 ** (e.attempt! - 1);
      if (!non && !fast) continue;
      const app = e.app_id === '' ? '(no app id)' : e.app_id;
      const a = out.get(app) ?? { non: 0, fast: 0, ids: [] };
      a.non += Number(non);
      a.fast += Number(fast);
      a.ids.push(e.request_id);
      out.set(app, a);
    }
  }
  return sortBy(
    [...out].map(([app_id, a]) => ({
      app_id,
      non_retryable_retried: a.non,
      fast_429_retries: a.fast,
      example_request_id: a.ids.sort()[0],
      n: a.non + a.fast,
    })),
    '-n',
    'app_id',
  )
    .slice(0, 50)
    .map(({ n: _n, ...r }) => r);
}
