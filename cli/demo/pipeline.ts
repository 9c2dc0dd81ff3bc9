// The demo's pipeline run: a simulated day from ingest/generator streamed through the same
// file/stdin source as `faultline run --from -` (normalize -> sink -> store), one stream per
// topic, into a fresh embedded store; then the Grafana artifacts and the alert evaluation.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Config } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { generateRecords, incidentsOf, quotaHistory, type GenerateOptions, type Incident } from '../../ingest/generator/index.ts';
import { createLogger, IngestMetrics, runFile } from '../../ingest/index.ts';
import {
  alertRules,
  buildArtifacts,
  evaluateRules,
  firingSeries,
  groupNotifications,
  tables,
  writeArtifacts,
} from '../../dashboards/index.ts';
import { ensureRedactionKey, insertCallHistory, openStore, type Store } from '../../sql/index.ts';
import { HISTORY_DAYS, quotaForecastBefore, type QuotaForecast } from './quota-forecast.ts';
import type { Source } from '../../transform/event.ts';

const MARKER = '.faultline-demo';

export interface DemoOptions {
  config: Config;
  generate: GenerateOptions & { startMs: number; durationMs: number; count: number };
  /** Progress lines (stderr in the CLI). */
  progress: (line: string) => void;
  progressEveryMs?: number;
}

/** One notification as the provisioned policies would send it: a rule and the dimension values that fire. */
export interface FiredAlert {
  uid: string;
  title: string;
  severity: 'page' | 'ticket';
  /** `channel=1688,taobao`: the group's dimension and its firing values. */
  labels: string;
  values: number[];
  threshold: number;
  /** How value compares with threshold when firing. */
  op: '>' | '<';
  atMs: number;
}

export interface PipelineResult {
  store: Store;
  records: number;
  events: number;
  rejects: number;
  ingestSeconds: number;
  incidents: Incident[];
  alerts: FiredAlert[];
  alertRulesEvaluated: number;
  /**
   * The ingest rule (wall-clock batch times, not the simulated day's event times), evaluated
   * right after ingest and as if ingest stopped then and nobody noticed for two days.
   */
  ingestCheck: { atMs: number; firing: string[] }[];
  /**
   * The quota forecast an hour before the quota incident, learned from the earlier days written
   * for it (none for periods longer than a day).
   */
  forecast: QuotaForecast | undefined;
  grafanaDir: string;
}

/**
 * Feed the generated day into two byte streams, one per topic (what two `faultline run --from -`
 * would read), honouring backpressure. One generator pass serves both streams.
 */
async function feed(
  opts: GenerateOptions,
  streams: Record<Source, PassThrough>,
  times: Record<Source, number[]>,
  onRecord: () => void,
): Promise<void> {
  const bufs: Record<Source, string> = { gateway: '', client: '' };
  const flush = async (source: Source): Promise<void> => {
    const chunk = bufs[source];
    bufs[source] = '';
    if (chunk && !streams[source].write(chunk)) await once(streams[source], 'drain');
    // Stream hand-offs resolve as microtasks; without a macrotask turn now and then the
    // producer/consumer ping-pong starves timers (progress) and the store's insert callbacks.
    await new Promise((resolve) => setImmediate(resolve));
  };
  for (const r of generateRecords({ ...opts, sources: 'both' })) {
    onRecord();
    // Each line's generated time stands in for the Kafka message timestamp (the transport time
    // of a record with no readable time of its own: the misconfigured shipper's, say).
    times[r.source].push(r.timestampMs);
    bufs[r.source] += `${r.value}\n`;
    if (bufs[r.source].length >= 256 * 1024) await flush(r.source);
  }
  await flush('gateway');
  await flush('client');
  streams.gateway.end();
  streams.client.end();
}

/** Instants at which to evaluate the alert rules: a few minutes into each incident, and the end of the day. */
function evaluationTimes(incidents: Incident[], endMs: number, extra: number[]): number[] {
  const times = incidents.map((i) => Math.min(i.startMs + 10 * 60_000, Math.round((i.startMs + i.endMs) / 2)));
  times.push(endMs, ...extra);
  return [...new Set(times)].sort((a, b) => a - b);
}

export async function runPipeline(o: DemoOptions): Promise<PipelineResult> {
  const { config } = o;
  const dir = config.FAULTLINE_DATA;
  // Wiped on every run, so only a directory the demo created (marked; or, from before the
  // marker, holding its grafana/provisioning output) or an empty one.
  if (
    existsSync(dir) &&
    readdirSync(dir).length > 0 &&
    !existsSync(join(dir, MARKER)) &&
    !existsSync(join(dir, 'grafana', 'provisioning'))
  ) {
    throw new ConfigError(
      `invalid --data=${dir}: the directory is not empty and was not created by faultline demo; the demo wipes its data directory, so ` +
        `choose a new or empty one`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'created by `faultline demo`; wiped by the next run\n');
  const store = await openStore(config, { fallbackToEndpoint: false });
  try {
    await store.migrate();
    // The store's redaction key, as `faultline run` uses it (docs/secrets.md §4).
    const keyed = config.FAULTLINE_REDACTION_KEY
      ? config
      : { ...config, FAULTLINE_REDACTION_KEY: await ensureRedactionKey(store, config.CLICKHOUSE_DATABASE) };
    const metrics = new IngestMetrics();
    // Warnings and errors only: the progress lines below replace the info chatter.
    const deps = { config: keyed, store, log: createLogger(config.FAULTLINE_LOG_LEVEL === 'debug' ? 'debug' : 'warn'), metrics };
    const total = o.generate.count;
    let generated = 0;
    const t0 = performance.now();
    const report = () =>
      metrics.totals().then((t) => {
        const s = (performance.now() - t0) / 1000;
        // records = read and normalized; events + rejects = acknowledged by the store.
        const stored = t.events + t.rejects;
        o.progress(
          `demo: generated ${generated.toLocaleString('en-US')}, normalized ${t.records.toLocaleString('en-US')}, stored ` +
            `${stored.toLocaleString('en-US')}/${total.toLocaleString('en-US')} records ` +
            `(${Math.floor((100 * stored) / Math.max(total, 1))}%), ${Math.round(stored / s).toLocaleString('en-US')} records/s, ` +
            `${t.rejects.toLocaleString('en-US')} rejects`,
        );
      });
    const timer = setInterval(() => void report(), o.progressEveryMs ?? 2000);
    timer.unref();
    let records = 0;
    let events = 0;
    let rejects = 0;
    try {
      // Both streams are stored concurrently: while one sink waits for ClickHouse, the other
      // normalizes (the embedded engine inserts on its own threads).
      const streams: Record<Source, PassThrough> = {
        gateway: new PassThrough({ highWaterMark: 1 << 20 }),
        client: new PassThrough({ highWaterMark: 1 << 20 }),
      };
      const times: Record<Source, number[]> = { gateway: [], client: [] };
      const feeding = feed(o.generate, streams, times, () => generated++);
      const stored = Promise.all(
        (['gateway', 'client'] as const).map((source) =>
          runFile(
            deps,
            { stream: streams[source], topic: source === 'gateway' ? config.FAULTLINE_GATEWAY_TOPIC : config.FAULTLINE_CLIENT_TOPIC },
            source,
            { transportTimeOf: (n) => times[source][n - 1] },
          ),
        ),
      );
      // A failing sink must not leave the feeder waiting for a drain that never comes.
      stored.catch((err: unknown) => {
        for (const s of Object.values(streams)) s.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      const [results] = await Promise.all([stored, feeding]);
      for (const r of results) {
        records += r.records;
        events += r.events;
        rejects += r.rejects;
      }
    } finally {
      clearInterval(timer);
    }
    // A short run may finish before the first tick: always show the final progress line.
    await report();
    const ingestSeconds = (performance.now() - t0) / 1000;
    o.progress(
      `demo: stored ${records.toLocaleString('en-US')} records (${events.toLocaleString('en-US')} events, ` +
        `${rejects.toLocaleString('en-US')} rejects) in ${ingestSeconds.toFixed(1)} s`,
    );

    // The quota forecast learns the daily quota from earlier days: write the quota channel's calls
    // of a few earlier periods (rollups only; ingest/generator/quota-history.ts). Periods longer
    // than a day would overlap them.
    let forecast: QuotaForecast | undefined;
    const g = o.generate;
    if (g.durationMs <= 86_400_000 && (g.incidents ?? true)) {
      const h0 = performance.now();
      const history = quotaHistory({ seed: g.seed ?? 1, startMs: g.startMs, durationMs: g.durationMs, count: g.count, days: HISTORY_DAYS });
      await insertCallHistory(store, config.CLICKHOUSE_DATABASE, history.rows);
      forecast = await quotaForecastBefore(store, config, incidentsOf(g), g.durationMs, history);
      o.progress(
        `demo: wrote ${HISTORY_DAYS} earlier days of ${history.channel} calls (daily quota ${history.quota.toLocaleString('en-US')} ` +
          `calls; ${history.rows.length.toLocaleString('en-US')} rollup rows) in ${((performance.now() - h0) / 1000).toFixed(1)} s`,
      );
    }

    const grafanaDir = join(dir, 'grafana');
    writeArtifacts(grafanaDir, buildArtifacts({ database: config.CLICKHOUSE_DATABASE, quotaTz: config.FAULTLINE_QUOTA_TZ }));
    o.progress(`demo: wrote Grafana dashboards and provisioning to ${grafanaDir}`);

    const incidents = incidentsOf(o.generate);
    const allRules = alertRules(tables(config.CLICKHOUSE_DATABASE), { quotaTz: config.FAULTLINE_QUOTA_TZ });
    const rules = allRules.filter((r) => r.reads === 'events');
    const ingestRules = allRules.filter((r) => r.reads === 'ingest');
    const ingestCheck: PipelineResult['ingestCheck'] = [];
    const ingestEnd = Date.now();
    for (const at of [ingestEnd, ingestEnd + 2 * 86_400_000]) {
      const firing: string[] = [];
      for (const r of await evaluateRules(store, ingestRules, at)) {
        if (r.error) throw new Error(`alert rule ${r.rule.uid} failed: ${r.error}`);
        for (const s of r.series)
          if (s.firing)
            firing.push(
              `${r.rule.title} ${Object.entries(s.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')} value ${s.value} ${r.rule.op === 'lt' ? '<' : '>'} ${r.rule.threshold}`,
            );
      }
      ingestCheck.push({ atMs: at, firing });
    }
    const alerts: FiredAlert[] = [];
    const seen = new Set<string>();
    const times = evaluationTimes(incidents, o.generate.startMs + o.generate.durationMs, forecast ? [forecast.atMs] : []);
    for (const at of times) {
      const results = await evaluateRules(store, rules, at);
      for (const r of results) if (r.error) throw new Error(`alert rule ${r.rule.uid} failed: ${r.error}`);
      // One line per notification group (rule + dimension kind, dashboards/notifications.ts),
      // shown again only when its members change.
      for (const g of groupNotifications(firingSeries(results))) {
        const rule = rules.find((x) => x.title === g.alertname)!;
        const labels = `${g.groupBy}=${g.members.map((m) => m.label).join(',')}`;
        const key = `${rule.uid} ${labels}`;
        if (seen.has(key)) continue;
        seen.add(key);
        alerts.push({
          uid: rule.uid,
          title: g.alertname,
          severity: g.severity,
          labels,
          values: g.members.map((m) => m.value),
          threshold: rule.threshold,
          op: rule.op === 'lt' ? '<' : '>',
          atMs: at,
        });
      }
    }
    o.progress(`demo: evaluated ${rules.length} alert rules at ${times.length} instants of the day`);
    return {
      store,
      records,
      events,
      rejects,
      ingestSeconds,
      incidents,
      alerts,
      alertRulesEvaluated: rules.length,
      ingestCheck,
      forecast,
      grafanaDir,
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}
