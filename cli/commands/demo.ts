// `faultline demo` (= `npm start`): a simulated day of gateway and client traffic through the
// real pipeline into a fresh embedded store, the Grafana artifacts, the alert rules evaluated,
// and a short report. Needs no Kafka and no ClickHouse server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config.ts';
import { buildDashboards, renderPreview, tables, type ChPanel } from '../../dashboards/index.ts';
import { runPipeline } from '../demo/pipeline.ts';
import { collectReport, formatReport } from '../demo/report.ts';
import { intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { parseDuration, parseStart } from './generate.ts';

const DEFAULT_COUNT = 300_000;

export const command: Command = {
  summary: 'Run the demo: a day of synthetic traffic through the pipeline into embedded ClickHouse, with a report',
  help: `Usage: faultline demo [--count N] [--duration D] [--seed N] [--start WHEN] [--data DIR]

Generates a simulated day of gateway and client logs (see \`faultline generate\`: every
error dialect, a Taobao outage, an error spike, failed offers, 1688's daily quota running
out), stores it through the same path as \`faultline run --from -\` (normalize, sink,
ClickHouse) into a fresh embedded chDB store, writes the Grafana dashboards and
provisioning plus an HTML preview of the dashboards (DIR/grafana/preview.html), evaluates
the alert rules during each incident, and prints a report: error rate by category, quota
exhaustion by channel, top vendor failures, the quota forecast an hour before the quota
incident, alerts that fired, and \`faultline trace\` commands for requests in the demo data.
For the forecast, three earlier days of 1688 calls with a daily quota are written to the
event rollups (no raw events): the history it learns the quota from. No Kafka or ClickHouse server is needed;
CLICKHOUSE_URL is ignored. The data directory is wiped first.

Flags:
  --count N       records to generate (default ${DEFAULT_COUNT.toLocaleString('en-US')})
  --duration D    length of the simulated day, e.g. 1d (default), 6h, 90m; a shorter day
                  keeps every incident, compressed
  --seed N        PRNG seed (default 1)
  --start WHEN    start of the simulated day: yesterday (default, 00:00 UTC), today, now
                  or an ISO-8601 time
  --data DIR      embedded store directory (default ./var/demo; wiped first)
`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      count: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      data: { type: 'string' },
    });
    const count = intFlag('count', values.count, 1000, 20_000_000, DEFAULT_COUNT);
    const durationMs = values.duration === undefined ? 86_400_000 : parseDuration('duration', values.duration);
    const seed = intFlag('seed', values.seed, 0, 4_294_967_295, 1);
    const startMs = parseStart(values.start ?? 'yesterday');
    const dataDir = values.data ?? './var/demo';
    // The demo always uses the embedded store, whatever CLICKHOUSE_URL says.
    const env = { ...process.env, CLICKHOUSE_URL: undefined };
    // A bulk load: segments are cut on size, not on the streaming time bound.
    const config = loadConfig(env, { FAULTLINE_DATA: dataDir, FAULTLINE_BATCH_MS: '30000' });
    const t0 = performance.now();
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    progress(
      `demo: ${count.toLocaleString('en-US')} records of a simulated ${values.duration ?? '1d'} from ${new Date(startMs).toISOString()} ` +
        `(seed ${seed}) into embedded ClickHouse at ${dataDir}`,
    );
    const p = await runPipeline({
      config,
      generate: {
        seed,
        startMs,
        durationMs,
        count,
        shippers: true,
        topics: { gateway: config.FAULTLINE_GATEWAY_TOPIC, client: config.FAULTLINE_CLIENT_TOPIC },
      },
      progress,
    });
    try {
      const report = await collectReport(p.store, config.CLICKHOUSE_DATABASE, p, { startMs, durationMs });
      // The dashboards as Grafana would draw them, without Grafana: the traffic dashboards over
      // the simulated day (ending a second before its end, so "today" is that day), and
      // pipeline health over the last hour of wall-clock time, when the demo ingested.
      const preview = join(p.grafanaDir, 'preview.html');
      const requestId = report.traces[0]?.request_id;
      const all = buildDashboards(config.CLICKHOUSE_DATABASE, { quotaTz: config.FAULTLINE_QUOTA_TZ });
      // Pipeline health mixes two clocks: the ledger's panels (ingest_batches: batch times) show
      // the wall-clock hour of the ingest; its rejects and formats panels count records by their
      // own times, which lie in the simulated day, so they are drawn with the day.
      const ledger = tables(config.CLICKHOUSE_DATABASE).ingestBatches;
      const readsLedger = (p: ChPanel) => p.targets.some((q) => q.rawSql.includes(ledger));
      const healthAll = all.filter((d) => d.uid === 'faultline-pipeline-health');
      const health = healthAll.map((d) => ({ ...d, panels: d.panels.filter(readsLedger) }));
      const traffic = [
        ...all.filter((d) => d.uid !== 'faultline-pipeline-health'),
        ...healthAll.map((d) => ({
          ...d,
          uid: `${d.uid}-records`,
          title: `${d.title}: records of the day`,
          panels: d.panels.filter((p) => !readsLedger(p)),
        })),
      ];
      const dayHtml = await renderPreview(p.store, traffic, {
        atMs: startMs + durationMs - 1000,
        rangeMs: durationMs,
        intervalMs: Math.max(60_000, Math.round(durationMs / 240 / 60_000) * 60_000),
        ...(requestId ? { requestId } : {}),
      });
      const healthHtml = await renderPreview(p.store, health, { atMs: Date.now(), rangeMs: 3_600_000, intervalMs: 60_000 });
      // Both are complete pages: append the second page's sections to the first.
      const healthBody = /<body[^>]*>([\s\S]*)<\/body>/.exec(healthHtml)?.[1] ?? '';
      writeFileSync(preview, dayHtml.replace('</body>', `<hr>${healthBody}</body>`));
      progress(`demo: rendered the dashboards to ${preview}`);
      process.stdout.write(`${formatReport(report, p, dataDir, (performance.now() - t0) / 1000)}\n`);
    } finally {
      await p.store.close();
    }
    return 0;
  },
};
