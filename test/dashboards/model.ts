// What each panel should show for the synthetic day, computed in plain JS from the generated
// rows (never from SQL), under a time range, an interval and a selection of the dashboard
// variables. Keyed by panel title; rows in the panel query's ORDER BY.
import { EVENT_COLUMNS } from '../../dashboards/request-lookup.ts';
import { LONG_RANGE_S } from '../../dashboards/rollup.ts';
import type { EventRow } from '../../sql/store.ts';
import type { SyntheticDay } from '../support/synthetic-day.ts';
import { floorTo, group, HOUR, MIN, ms, sortBy, type Row } from './model-util.ts';
import { forecastPanel, ingestBehind, quotaForecast, retriesAgainstAdvice } from './model-ops.ts';

export { forecastPanel, ingestBehind, quotaForecast, retriesAgainstAdvice };

export interface Selection {
  channel?: string[];
  source?: string[];
  category?: string[];
  requestId?: string;
}

export interface Ctx {
  day: SyntheticDay;
  fromMs: number;
  toMs: number;
  intervalS: number;
  sel: Selection;
}

export function makeModel(c: Ctx): Record<string, () => Row[]> {
  const F = Math.floor(c.fromMs / 1000) * 1000;
  const T = Math.floor(c.toMs / 1000) * 1000;
  const step = c.intervalS * 1000;
  const sel = (list: string[] | undefined, v: string) => list === undefined || list.includes(v);
  const chan = (e: { channel: string }) => sel(c.sel.channel, e.channel);
  const src = (e: { source: string }) => sel(c.sel.source, e.source);
  const cat = (e: { category: string }) => sel(c.sel.category, e.category);
  const minuteOf = (e: EventRow) => floorTo(ms(e.event_time), MIN);
  // Rollup rows are per minute: the time filter applies to the minute, not the event time.
  const rolled = c.day.events.filter((e) => minuteOf(e) >= F && minuteOf(e) <= T && chan(e) && src(e));
  const raw = c.day.events.filter((e) => ms(e.event_time) >= F && ms(e.event_time) <= T);
  const bucket = (e: EventRow) => floorTo(minuteOf(e), step);
  // Tables over ranges of LONG_RANGE_S or more read the hours lying wholly inside the range
  // (all their minutes within [F, T]) from events_1h: first/last times there are hour starts.
  const longRange = (T - F) / 1000 >= LONG_RANGE_S;
  const seenAt = (e: EventRow) => {
    const m = minuteOf(e);
    const h = floorTo(m, HOUR);
    return longRange && h >= F && h + 59 * MIN <= T ? h : m;
  };
  const isErr = (e: EventRow) => e.outcome !== 'ok' && cat(e);
  const errs = rolled.filter(isErr);
  const count = <T>(xs: T[], p: (x: T) => boolean = () => true) => xs.filter(p).length;

  const ratePer = (key: (e: EventRow) => string, name: string) =>
    sortBy(
      [...group(rolled, (e) => `${bucket(e)}|${key(e)}`).values()].map((g) => ({
        time: bucket(g[0]!),
        [name]: key(g[0]!),
        error_rate: count(g, isErr) / g.length,
      })),
      'time',
      name,
    );
  const seriesCount = (items: EventRow[], key: (e: EventRow) => string, name: string, value: string) =>
    sortBy(
      [...group(items, (e) => `${bucket(e)}|${key(e)}`).values()].map((g) => ({
        time: bucket(g[0]!),
        [name]: key(g[0]!),
        [value]: g.length,
      })),
      'time',
      name,
    );

  const upstream = rolled.filter((e) => cat(e) && e.upstream_vendor !== '' && e.outcome !== 'ok');
  const isTimeout = (e: EventRow) =>
    ['900', '901', '902'].includes(e.upstream_code) || /timeout/i.test(e.upstream_sub_code) || /timeout/i.test(e.code);
  const lines = rolled.flatMap((e) => e.failed_offers.map((o) => ({ e, code: o.error_code })));
  const limits = rolled.filter((e) => e.limit_kind !== '');
  const batches = c.day.batches.filter((b) => ms(b.batch_time) >= F && ms(b.batch_time) <= T);
  const rejects = c.day.rejects
    .map((r) => ({ ...r, minute: floorTo(ms(r.transport_time), MIN) }))
    .filter((r) => r.minute >= F && r.minute <= T && src(r));
  const rid = (c.sel.requestId ?? '').trim();
  const ridEvents = c.day.events.filter((e) => rid !== '' && e.request_id === rid);

  // Count and rate series have every bucket from the one holding the range start to the one
  // holding its end, 0 where nothing happened: each label seen in the range gets all buckets;
  // a series without label gets them even when the range is empty.
  const buckets: number[] = [];
  for (let b = floorTo(F, step); b <= T; b += step) buckets.push(b);
  const filled = (rows: Row[], label: string | null, zeros: string[] = []): Row[] => {
    const have = new Set(rows.map((r) => `${r.time}|${label ? r[label] : ''}`));
    const labels = label ? [...new Set(rows.map((r) => r[label] as string))] : [''];
    const values = zeros.length ? zeros : Object.keys(rows[0] ?? {}).filter((k) => k !== 'time' && k !== label);
    const out = [...rows];
    for (const l of labels) {
      for (const b of buckets) {
        if (have.has(`${b}|${l}`)) continue;
        out.push({ time: b, ...(label ? { [label]: l } : {}), ...Object.fromEntries(values.map((v) => [v, 0])) });
      }
    }
    return label ? sortBy(out, 'time', label) : sortBy(out, 'time');
  };

  const model: Record<string, () => Row[]> = {
    // ---- error rates
    // An empty range has no error rate (NULL), not NaN.
    'Error rate': () => [{ error_rate: rolled.length ? count(rolled, isErr) / rolled.length : null }],
    'Events and errors': () => [{ all_events: rolled.length, errors: count(rolled, isErr) }],
    'Top error codes': () =>
      sortBy(
        [...group(errs, (e) => `${e.code}|${e.category}`).values()].map((g) => ({
          code: g[0]!.code,
          category: g[0]!.category,
          errors: g.length,
        })),
        '-errors',
        'code',
      ).slice(0, 20),
    'Error rate by category': () => {
      const totals = group(rolled, (e) => String(bucket(e)));
      return sortBy(
        [...group(errs, (e) => `${bucket(e)}|${e.category}`).values()].map((g) => ({
          time: bucket(g[0]!),
          category: g[0]!.category,
          error_rate: g.length / totals.get(String(bucket(g[0]!)))!.length,
        })),
        'time',
        'category',
      );
    },
    'Error rate by channel': () => ratePer((e) => e.channel || 'unknown', 'channel'),
    '4xx vs 5xx': () =>
      [
        ...group(
          rolled.filter((e) => cat(e) && e.http_status >= 400),
          (e) => String(bucket(e)),
        ).values(),
      ]
        .map((g) => ({ time: bucket(g[0]!), '4xx': count(g, (e) => e.http_status < 500), '5xx': count(g, (e) => e.http_status >= 500) }))
        .sort((a, b) => a.time - b.time),
    'Error rate by source (gateway vs client)': () => ratePer((e) => e.source, 'source'),
    'Same requests, both views': () => {
      const both = [
        ...group(
          raw.filter((e) => e.request_id !== '' && chan(e)),
          (e) => e.request_id,
        ).values(),
      ].filter((g) => g.some((e) => e.source === 'gateway') && g.some((e) => e.source === 'client'));
      const failed = (g: EventRow[], s: string) => g.some((e) => e.source === s && e.outcome !== 'ok');
      return [
        {
          requests: both.length,
          both_failed: count(both, (g) => failed(g, 'gateway') && failed(g, 'client')),
          only_gateway_failed: count(both, (g) => failed(g, 'gateway') && !failed(g, 'client')),
          only_client_failed: count(both, (g) => !failed(g, 'gateway') && failed(g, 'client')),
        },
      ];
    },
    'Gateway and client disagree, by route': () => {
      const both = [
        ...group(
          raw.filter((e) => e.request_id !== '' && chan(e)),
          (e) => e.request_id,
        ).values(),
      ].filter((g) => g.some((e) => e.source === 'gateway') && g.some((e) => e.source === 'client'));
      const failed = (g: EventRow[], s: string) => g.some((e) => e.source === s && e.outcome !== 'ok');
      const differ = both
        .filter((g) => failed(g, 'gateway') !== failed(g, 'client'))
        .map((g) => ({
          route: g.find((e) => e.source === 'gateway')!.route || '(no route)',
          id: g[0]!.request_id,
          gw: failed(g, 'gateway'),
        }));
      return sortBy(
        [...group(differ, (d) => d.route).values()].map((g) => ({
          route: g[0]!.route,
          client_failed_gateway_ok: count(g, (d) => !d.gw),
          gateway_failed_client_ok: count(g, (d) => d.gw),
          example_request_id: g.map((d) => d.id).sort()[0],
          n: g.length,
        })),
        '-n',
        'route',
      )
        .slice(0, 50)
        .map(({ n: _n, ...r }) => r);
    },
    'Clients retrying against the advice, by app': () =>
      retriesAgainstAdvice(raw.filter((e) => e.source === 'client' && e.request_id !== '' && e.attempt !== null && chan(e))),
    'Catalog drift': () =>
      sortBy(
        [
          ...group(
            rolled.filter((e) => e.catalog_drift),
            (e) => `${e.code}|${e.http_status}`,
          ).values(),
        ].map((g) => ({
          code: g[0]!.code,
          http_status: g[0]!.http_status,
          drift_events: g.length,
          first_seen: Math.min(...g.map(seenAt)),
          last_seen: Math.max(...g.map(seenAt)),
        })),
        '-drift_events',
        'code',
      ).slice(0, 50),
    // ---- quota
    'Limit hits by kind': () =>
      [...group(limits, (e) => String(bucket(e))).values()]
        .map((g) => ({
          time: bucket(g[0]!),
          rate: count(g, (e) => e.limit_kind === 'rate'),
          quota: count(g, (e) => e.limit_kind === 'quota'),
          platform: count(g, (e) => e.limit_kind === 'platform'),
          balance: count(g, (e) => e.limit_kind === 'balance'),
        }))
        .sort((a, b) => a.time - b.time),
    'Limit hits by channel': () => seriesCount(limits, (e) => `${e.channel || 'unknown'} ${e.limit_kind}`, 'channel_limit', 'hits'),
    'Daily quota first exhausted today': () => {
      const dayStart = floorTo(T, 86_400_000);
      const today = c.day.events.filter((e) => minuteOf(e) >= dayStart && minuteOf(e) <= T && chan(e) && src(e));
      // Exhausted from the first hit minute followed by hits in at least 5 of its 10 minutes that are
      // at least a quarter of the channel's events in them (a stray hit or a trickle of call limits is not exhaustion).
      const sustainedFrom = (g: EventRow[]) => {
        const hits = g.filter((e) => e.limit_kind === 'quota');
        const mins = [...new Set(hits.map(minuteOf))].sort((a, b) => a - b);
        const win = (list: EventRow[], m: number) => list.filter((e) => minuteOf(e) >= m && minuteOf(e) < m + 10 * 60_000).length;
        return mins.find((m) => mins.filter((x) => x >= m && x < m + 10 * 60_000).length >= 5 && win(hits, m) >= 0.25 * win(g, m));
      };
      return sortBy(
        [...group(today, (e) => e.channel).values()]
          .filter((g) => sustainedFrom(g) !== undefined)
          .map((g) => ({
            channel: g[0]!.channel,
            first_exhausted: sustainedFrom(g)!,
            quota_hits_today: count(g, (e) => e.limit_kind === 'quota'),
          })),
        'first_exhausted',
        'channel',
      );
    },
    'Quota forecast (today)': () => forecastPanel(c.day.events, c.toMs),
    'Limit hits by app': () => seriesCount(limits, (e) => `${e.app_id || 'unknown'} ${e.channel} ${e.limit_kind}`, 'app_limit', 'hits'),
    'Top apps hitting limits': () =>
      sortBy(
        [...group(limits, (e) => `${e.app_id}|${e.channel}|${e.limit_kind}`).values()].map((g) => ({
          app_id: g[0]!.app_id,
          channel: g[0]!.channel,
          limit_kind: g[0]!.limit_kind,
          hits: g.length,
          last_hit: Math.max(...g.map(seenAt)),
        })),
        '-hits',
        'app_id',
        'channel',
        'limit_kind',
      ).slice(0, 50),
    'Taobao call-limit codes (4–8)': () =>
      seriesCount(
        rolled.filter((e) => e.upstream_vendor === 'taobao' && ['4', '5', '6', '7', '8'].includes(e.upstream_code)),
        (e) => `taobao ${e.upstream_code}`,
        'taobao_code',
        'hits',
      ),
    // ---- vendor failures
    'Upstream errors by vendor': () => seriesCount(upstream, (e) => e.upstream_vendor, 'vendor', 'errors'),
    'Vendor timeouts': () => seriesCount(upstream.filter(isTimeout), (e) => e.upstream_vendor, 'vendor', 'timeouts'),
    'Upstream codes': () =>
      sortBy(
        [...group(upstream, (e) => `${e.upstream_vendor}|${e.upstream_code}|${e.upstream_sub_code}`).values()].map((g) => ({
          vendor: g[0]!.upstream_vendor,
          upstream_code: g[0]!.upstream_code,
          upstream_sub_code: g[0]!.upstream_sub_code,
          errors: g.length,
          last_seen: Math.max(...g.map(seenAt)),
        })),
        '-errors',
        'vendor',
        'upstream_code',
        'upstream_sub_code',
      ).slice(0, 50),
    'Failed offer error codes (1688)': () =>
      sortBy(
        [...group(lines, (l) => `${l.e.channel}|${l.code}`).values()].map((g) => ({
          channel: g[0]!.e.channel,
          error_code: g[0]!.code,
          failed_lines: g.length,
        })),
        '-failed_lines',
        'channel',
        'error_code',
      ).slice(0, 50),
    'Failed order lines over time': () =>
      sortBy(
        [...group(lines, (l) => `${bucket(l.e)}|${l.code}`).values()].map((g) => ({
          time: bucket(g[0]!.e),
          error_code: g[0]!.code,
          failed_lines: g.length,
        })),
        'time',
        'error_code',
      ),
    'Sample upstream messages': () => {
      const pool = sortBy(
        raw
          .filter((e) => e.upstream_vendor !== '' && e.upstream_message !== '' && chan(e) && src(e) && cat(e))
          .map((e) => ({
            event_time: ms(e.event_time),
            vendor: e.upstream_vendor,
            upstream_code: e.upstream_code,
            upstream_sub_code: e.upstream_sub_code,
            upstream_message: e.upstream_message,
            request_id: e.request_id,
          })),
        '-event_time',
        '-request_id',
      );
      const seen = new Set<string>();
      return pool
        .filter((r) => {
          const k = `${r.vendor}|${r.upstream_code}|${r.upstream_sub_code}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        })
        .slice(0, 50);
    },
    // ---- request lookup
    'Request summary': () =>
      ridEvents.length === 0
        ? []
        : [
            {
              request_id: rid,
              first_seen: Math.min(...ridEvents.map((e) => ms(e.event_time))),
              last_seen: Math.max(...ridEvents.map((e) => ms(e.event_time))),
              event_count: ridEvents.length,
            },
          ],
    'Request events': () =>
      sortBy(
        ridEvents.map((e) => {
          const row: Row = {};
          for (const col of EVENT_COLUMNS)
            row[col] = col === 'event_time' ? ms(e.event_time) : col === 'offset' ? Number(e.offset) : e[col];
          return row;
        }),
        'event_time',
        'source',
        'topic',
        'partition',
        'offset',
      ),
    'Recent failing requests': () =>
      sortBy(
        [
          ...group(
            raw.filter((e) => e.outcome !== 'ok' && e.request_id !== '' && chan(e) && src(e) && cat(e)),
            (e) => e.request_id,
          ).values(),
        ].map((g) => {
          const last = g.reduce((a, b) => (ms(b.event_time) > ms(a.event_time) ? b : a));
          return {
            request_id: last.request_id,
            last_seen: ms(last.event_time),
            failing_events: g.length,
            last_code: last.code,
            last_channel: last.channel,
          };
        }),
        '-last_seen',
        'request_id',
      ).slice(0, 100),
    // ---- pipeline health
    'Ingest rate': () =>
      sortBy(
        [...group(batches, (b) => `${floorTo(ms(b.batch_time), step)}|${b.topic}`).values()].map((g) => ({
          time: floorTo(ms(g[0]!.batch_time), step),
          topic: g[0]!.topic,
          records_per_s: g.reduce((s, b) => s + b.records, 0) / c.intervalS,
        })),
        'time',
        'topic',
      ),
    'Consumer lag': () => {
      const perPartition = [...group(batches, (b) => `${floorTo(ms(b.batch_time), step)}|${b.topic}|${b.partition}`).values()].map((g) => ({
        time: floorTo(ms(g[0]!.batch_time), step),
        topic: g[0]!.topic,
        lag: g.reduce((a, b) => (ms(b.batch_time) > ms(a.batch_time) ? b : a)).lag,
      }));
      return sortBy(
        [...group(perPartition, (p) => `${p.time}|${p.topic}`).values()].map((g) => ({
          time: g[0]!.time,
          topic: g[0]!.topic,
          lag: g.reduce((s, p) => s + p.lag, 0),
        })),
        'time',
        'topic',
      );
    },
    'Rejects by reason': () =>
      sortBy(
        [...group(rejects, (r) => `${floorTo(r.minute, step)}|${r.reason}`).values()].map((g) => ({
          time: floorTo(g[0]!.minute, step),
          reason: g[0]!.reason,
          reject_count: g.length,
        })),
        'time',
        'reason',
      ),
    'Rejects by topic and reason': () =>
      sortBy(
        [...group(rejects, (r) => `${r.source}|${r.topic}|${r.reason}`).values()].map((g) => ({
          source: g[0]!.source,
          topic: g[0]!.topic,
          reason: g[0]!.reason,
          reject_count: g.length,
          last_seen: Math.max(...g.map((r) => r.minute)),
        })),
        '-reject_count',
        'source',
        'topic',
        'reason',
      ),
    'Formats seen': () => {
      const inRange = c.day.events.filter((e) => minuteOf(e) >= F && minuteOf(e) <= T && src(e));
      const totals = new Map<string, number>();
      for (const e of inRange) totals.set(e.topic, (totals.get(e.topic) ?? 0) + 1);
      const rows = [...group(inRange, (e) => `${e.topic}|${e.format ?? ''}`).values()].map((g) => ({
        topic: g[0]!.topic,
        format: g[0]!.format || '(before 0008)',
        records: g.length,
        share: g.length / totals.get(g[0]!.topic)!,
      }));
      return sortBy(rows, 'topic', '-records', 'format');
    },
    Reconciliation: () =>
      sortBy(
        [...group(batches, (b) => `${b.topic}|${b.partition}`).values()].map((g) => {
          const sum = (f: 'records' | 'events' | 'rejects') => g.reduce((s, b) => s + b[f], 0);
          const min = Math.min(...g.map((b) => b.first_offset));
          const max = Math.max(...g.map((b) => b.last_offset));
          return {
            topic: g[0]!.topic,
            partition: g[0]!.partition,
            min_offset: min,
            max_offset: max,
            offsets_spanned: max - min + 1,
            records_consumed: sum('records'),
            events_written: sum('events'),
            rejects_written: sum('rejects'),
            unaccounted: sum('records') - sum('events') - sum('rejects'),
            offset_gap: max - min + 1 - sum('records'),
          };
        }),
        'topic',
        'partition',
      ),
    'Seconds behind, by topic': () =>
      Object.entries(ingestBehind(c.day.batches, c.toMs))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([topic, seconds_behind]) => ({ topic, seconds_behind })),
  };
  const counts: [string, string | null, string[]?][] = [
    ['4xx vs 5xx', null, ['4xx', '5xx']],
    ['Limit hits by kind', null, ['rate', 'quota', 'platform', 'balance']],
    ['Limit hits by channel', 'channel_limit'],
    ['Limit hits by app', 'app_limit'],
    ['Taobao call-limit codes (4–8)', 'taobao_code'],
    ['Upstream errors by vendor', 'vendor'],
    ['Vendor timeouts', 'vendor'],
    ['Failed order lines over time', 'error_code'],
    ['Rejects by reason', 'reason'],
    ['Ingest rate', 'topic'],
  ];
  for (const [title, label, zeros] of counts) {
    const f = model[title]!;
    model[title] = () => filled(f(), label, zeros);
  }
  return model;
}

/** SQL rows as comparable values: ISO date-times -> epoch ms, floats rounded. */
export function normalize(rows: Row[]): Row[] {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  const fix = (v: unknown): unknown =>
    typeof v === 'string' && iso.test(v)
      ? Date.parse(v)
      : typeof v === 'number' && !Number.isInteger(v)
        ? Math.round(v * 1e9) / 1e9
        : Array.isArray(v)
          ? v.map(fix)
          : v;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fix(v)])));
}
