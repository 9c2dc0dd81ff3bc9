// The demo's terminal report, read back from the store with the same tables the dashboards
// use: error rate by category, quota exhaustion by channel, top vendor failures, alerts that
// fired, and `faultline trace` commands for request ids that exist in the demo data.
import { maskedCounts, type MaskedCounts, type Store } from '../../sql/index.ts';
import type { FiredAlert, PipelineResult } from './pipeline.ts';

interface CategoryRow {
  category: string;
  events: number;
  pct: number;
}
interface QuotaRow {
  channel: string;
  quota: number;
  rate: number;
  platform: number;
  balance: number;
  exhausted_from: string;
}
interface VendorRow {
  vendor: string;
  code: string;
  sub_code: string;
  events: number;
  sample: string;
}
interface TraceExample {
  what: string;
  request_id: string;
}

export interface DemoReport {
  requests: number;
  errorRatePct: number;
  categories: CategoryRow[];
  quota: QuotaRow[];
  vendors: VendorRow[];
  failedOffers: { error_code: string; lines: number }[];
  alerts: FiredAlert[];
  traces: TraceExample[];
  /** What FAULTLINE_PII=mask masked (docs/secrets.md §5); zeros under keep. */
  masked: MaskedCounts;
}

const num = (v: unknown): number => Number(v ?? 0);

export async function collectReport(
  store: Store,
  db: string,
  p: PipelineResult,
  day: { startMs: number; durationMs: number },
): Promise<DemoReport> {
  const cats = await store.query<{ category: string; events: string | number }>(
    `SELECT category, sum(events) AS events FROM ${db}.events_1m WHERE source = 'gateway' AND minute >= {from:DateTime} GROUP BY ` +
      `category ORDER BY events DESC`,
    { from: Math.floor(day.startMs / 1000) },
  );
  const requests = cats.reduce((s, r) => s + num(r.events), 0);
  const categories = cats
    .filter((r) => r.category !== '')
    .map((r) => ({ category: r.category, events: num(r.events), pct: (100 * num(r.events)) / Math.max(requests, 1) }));
  const errorRatePct = categories.reduce((s, r) => s + r.pct, 0);

  // "Exhausted from": the first 1/24 of the period (an hour of a day) in which quota hits were
  // over a fifth of the channel's requests.
  const bucketMin = Math.max(1, Math.round(day.durationMs / 24 / 60_000));
  const quota = (
    await store.query<Record<string, unknown>>(
      `SELECT channel, sum(q) AS quota, sum(r) AS rate, sum(p) AS platform, sum(b) AS balance,
            if(countIf(q > 0.2 * total) = 0, '', formatDateTime(minIf(bucket, q > 0.2 * total), '%Y-%m-%d %H:%i UTC')) AS exhausted_from
     FROM (
       SELECT toStartOfInterval(minute, INTERVAL {bucket:UInt32} MINUTE) AS bucket, if(channel = '', 'unknown', channel) AS channel,
              sumIf(events, limit_kind = 'quota') AS q, sumIf(events, limit_kind = 'rate') AS r,
              sumIf(events, limit_kind = 'platform') AS p, sumIf(events, limit_kind = 'balance') AS b, sum(events) AS total
       FROM ${db}.events_1m WHERE source = 'gateway' AND minute >= {from:DateTime} GROUP BY bucket, channel)
     GROUP BY channel HAVING quota + rate + platform + balance > 0 ORDER BY quota DESC, channel`,
      { bucket: bucketMin, from: Math.floor(day.startMs / 1000) },
    )
  ).map((r) => ({
    channel: String(r.channel),
    quota: num(r.quota),
    rate: num(r.rate),
    platform: num(r.platform),
    balance: num(r.balance),
    exhausted_from: String(r.exhausted_from),
  }));

  const vendors = (
    await store.query<Record<string, unknown>>(
      `SELECT upstream_vendor AS vendor, upstream_code AS code, upstream_sub_code AS sub_code,
            count() AS events, any(upstream_message) AS sample
     FROM ${db}.events WHERE source = 'gateway' AND upstream_vendor != '' AND outcome != 'ok'
     GROUP BY vendor, code, sub_code ORDER BY events DESC, vendor, code LIMIT 8`,
    )
  ).map((r) => ({
    vendor: String(r.vendor),
    code: String(r.code),
    sub_code: String(r.sub_code),
    events: num(r.events),
    sample: String(r.sample),
  }));

  const failedOffers = (
    await store.query<Record<string, unknown>>(
      `SELECT error_code, sum(lines) AS lines FROM ${db}.failed_offers_1m WHERE source = 'gateway' GROUP BY error_code ORDER BY lines ` +
        `DESC LIMIT 5`,
    )
  ).map((r) => ({ error_code: String(r.error_code), lines: num(r.lines) }));

  // Requests seen on both streams, so `trace` shows the gateway's and the client's side.
  // Picked inside each incident's window, so they show the incident, not background noise.
  const win = (name: string) => p.incidents.find((i) => i.name === name);
  const examples: [string, string, ReturnType<typeof win>][] = [
    ['1688 daily quota exhausted (QUOTA_EXCEEDED)', "code = 'QUOTA_EXCEEDED' AND channel = '1688'", win('quota_exhausted')],
    [
      'Taobao outage: remote timeout behind CHANNEL_UPSTREAM_ERROR',
      "upstream_vendor = 'taobao' AND upstream_code IN ('900', '901', '902')",
      win('taobao_outage'),
    ],
    [
      '1688 order with failed offers (business failure)',
      "outcome = 'business_failure' AND notEmpty(failed_offers)",
      win('failed_offers_burst'),
    ],
  ];
  const traces: TraceExample[] = [];
  for (const [what, where, w] of examples) {
    const rows = await store.query<{ request_id: string }>(
      `SELECT request_id FROM ${db}.events
       WHERE source = 'gateway' AND ${where} AND request_id != ''
         AND event_time >= fromUnixTimestamp64Milli({from:Int64}) AND event_time < fromUnixTimestamp64Milli({to:Int64})
         AND request_id IN (SELECT request_id FROM ${db}.events WHERE source = 'client')
       ORDER BY event_time LIMIT 1`,
      { from: w?.startMs ?? day.startMs, to: w?.endMs ?? day.startMs + day.durationMs },
    );
    if (rows[0]) traces.push({ what, request_id: rows[0].request_id });
  }
  const masked = await maskedCounts(store, db);
  return { requests, errorRatePct, categories, quota, vendors, failedOffers, alerts: p.alerts, traces, masked };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
const hhmm = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The report text; `dataDirArg` is how the user names the demo store in `FAULTLINE_DATA=…`. */
export function formatReport(r: DemoReport, p: PipelineResult, dataDirArg: string, totalSeconds: number): string {
  const L: string[] = [];
  L.push(
    '',
    `faultline demo: ${fmt(p.records)} records -> ${fmt(p.events)} events + ${fmt(p.rejects)} rejects in ${totalSeconds.toFixed(1)} s`,
    '',
  );
  L.push(`Error rate by category (gateway, ${fmt(r.requests)} requests, ${r.errorRatePct.toFixed(2)}% not ok)`);
  for (const c of r.categories) L.push(`  ${pad(c.category, 20)} ${fmt(c.events).padStart(9)}  ${c.pct.toFixed(2).padStart(6)}%`);
  L.push('', 'Quota exhaustion by channel (gateway limit hits)');
  L.push(
    `  ${pad('channel', 10)} ${'quota'.padStart(8)} ${'rate'.padStart(7)} ${'platform'.padStart(9)} ${'balance'.padStart(8)}  exhausted ` +
      `from`,
  );
  for (const q of r.quota) {
    L.push(
      `  ${pad(q.channel, 10)} ${fmt(q.quota).padStart(8)} ${fmt(q.rate).padStart(7)} ${fmt(q.platform).padStart(9)} ` +
        `${fmt(q.balance).padStart(8)}  ${q.exhausted_from || '-'}`,
    );
  }
  L.push('', 'Top vendor failures (upstream errors on gateway requests)');
  for (const v of r.vendors) {
    const row = `  ${pad(v.vendor, 8)} ${pad(v.code || '-', 22)} ${pad(v.sub_code || '-', 34)}`;
    L.push(`${row} ${fmt(v.events).padStart(7)}  ${pad(v.sample, 48)}`.trimEnd());
  }
  if (r.failedOffers.length)
    L.push(`  1688 failed order lines: ${r.failedOffers.map((f) => `${f.error_code} ${fmt(f.lines)}`).join(', ')}`);
  const f = p.forecast;
  if (f) {
    L.push(
      '',
      `Quota forecast at ${hhmm(f.atMs)}, before the quota incident (${hhmm(f.incidentStartMs).slice(11)}): the quota dashboard's ` +
        `"Quota forecast (today)"`,
    );
    for (const c of f.channels) {
      const when = c.runsOutAtMs === null ? 'idle in the last hour' : `runs out at ${hhmm(c.runsOutAtMs).slice(11)}`;
      const left = c.minutesLeft === null ? '' : `: ${fmt(Math.round(c.minutesLeft))} min left`;
      L.push(
        `  ${pad(c.channel, 8)} ${when}  (daily quota ${fmt(c.dailyQuota)} calls learned from ${c.learnedDays} earlier days, ` +
          `${fmt(c.usedToday)} used today, ${fmt(Math.round(c.callsLastHour / 60))} calls/min${left})`,
      );
    }
    if (f.channels.length === 0) L.push('  (no channel with a learned quota)');
    const ran = f.history.days.map((d) => (d.exhaustedAtMs === null ? 'never' : hhmm(d.exhaustedAtMs).slice(11))).join(', ');
    L.push(
      `  learned from ${f.history.days.length} earlier days of ${f.history.channel} calls written for the demo (a daily quota of ` +
        `${fmt(f.history.quota)} calls, spent at ${ran})`,
    );
  }
  L.push(
    '',
    `Alerts that fired (${p.alertRulesEvaluated} rules evaluated during each incident and at the end of the day; one line per ` +
      `notification: rule and channel/vendor/topic group)`,
  );
  for (const a of r.alerts)
    L.push(
      `  ${hhmm(a.atMs)}  ${pad(a.severity, 6)} ${pad(a.title, 25)} ${pad(a.labels, 30)} value ${a.values.join(', ')} ${a.op} ` +
        `${a.threshold}`,
    );
  if (r.alerts.length === 0) L.push('  (none)');
  L.push('', 'Ingest stalled or behind (batch times are wall-clock: evaluated now, and as if ingest stopped now for two days)');
  for (const c of p.ingestCheck) {
    if (c.firing.length === 0) L.push(`  ${hhmm(c.atMs)}  ok`);
    for (const f of c.firing) L.push(`  ${hhmm(c.atMs)}  FIRING ${f}`);
  }
  const m = r.masked;
  L.push(
    '',
    m.emails + m.cards > 0
      ? `Personal data (FAULTLINE_PII=mask): ${fmt(m.emails)} e-mail addresses and ${fmt(m.cards)} card numbers masked; ` +
          `${fmt(m.offers)} offer ids stored, ${fmt(m.offersTouched)} touched`
      : `Personal data: kept (FAULTLINE_PII=keep); ${fmt(m.offers)} offer ids stored`,
  );
  L.push('', 'Incidents in the simulated day');
  for (const i of p.incidents) L.push(`  ${hhmm(i.startMs)} - ${hhmm(i.endMs).slice(11)}  ${i.description}`);
  L.push('', 'Try these (the demo store is embedded chDB; no server needed):');
  for (const t of r.traces) L.push(`  FAULTLINE_DATA=${dataDirArg} npx faultline trace ${t.request_id}    # ${t.what}`);
  const quotaAlert = p.alerts.find((a) => a.uid === 'faultline-quota-exhausted') ?? p.alerts[0];
  if (quotaAlert)
    L.push(
      `  FAULTLINE_DATA=${dataDirArg} npx faultline alerts check --at ${new Date(quotaAlert.atMs).toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    );
  L.push(
    `  FAULTLINE_DATA=${dataDirArg} npx faultline sql "SELECT code, count() FROM events WHERE outcome != 'ok' GROUP BY code ORDER BY 2 ` +
      `DESC LIMIT 10"`,
  );
  L.push(`  open ${p.grafanaDir}/preview.html   # the five dashboards over the demo day, no Grafana needed`);
  L.push(`  Grafana files: ${p.grafanaDir}/generated and ${p.grafanaDir}/provisioning (mount as in compose.yaml)`, '');
  return L.map((l) => l.trimEnd()).join('\n');
}
