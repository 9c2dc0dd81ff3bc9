// `faultline status`: reconciliation per partition from what is stored. The ledger
// (ingest_batches) counts the records consumed per offset range and the rows they gave; the
// records must all be stored (by offset) and the rows exactly once (docs/delivery.md). Works
// while `faultline run` holds the embedded store (through its local endpoint).
import { loadConfig } from '../../lib/config.ts';
import { formatsByTopic, openStore, reconcile, reconciled, type PartitionReconciliation, type TopicFormats } from '../../sql/index.ts';
import { rollupDrift, type RollupDrift } from '../../sql/rollup-drift.ts';
import { repairRollups, type RollupRepair } from '../../sql/rollup-repair.ts';
import { FaultlineError, StoreBusyError } from '../../lib/errors.ts';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

const HELP = `Usage: faultline status [--json] [--check] [--repair-rollups] [--database NAME]

One line per topic partition ingested (Kafka partitions, and file:NAME / stdin sources):
offset range consumed, Kafka records consumed, records stored (their first row, record_index 0), events
and rejects stored, and diff: rows stored minus rows expected (an OpenTelemetry OTLP message is
one record and one row per log record; 0 means every row is stored exactly once), the lag at
the last batch, and when that batch was stored. Then a total line, and per topic the formats
its records were read as (docs/real-inputs.md §4) with the share of unrecognized records: above
1% a shipper is likely misconfigured (every error it carries would read as ok). Last, whether
each rollup the dashboards read counts every event and reject once (a kill that tore a view
part leaves one short for good: docs/delivery.md, "Residual window").

Flags:
  --json             one JSON object per partition instead of the table
  --check            exit 1 when any partition does not reconcile
  --repair-rollups   add to each rollup (and the request index) what it misses against its
                     table, up to 10 minutes ago (a view part torn by a kill); needs the store
                     writable: not through a running \`faultline run\`'s read-only endpoint
  --database NAME    overrides CLICKHOUSE_DATABASE
`;

const n = (v: number) => Number(v).toLocaleString('en-US');

export function formatStatus(rows: readonly PartitionReconciliation[]): string {
  if (rows.length === 0) return 'nothing ingested yet (no ingest_batches rows)\n';
  // records: Kafka records consumed; stored: of those, the ones with their rows stored; diff: rows
  // stored minus rows the ledger expects (an OTLP message is one record and one row per log record).
  const header = ['topic', 'part', 'offsets', 'records', 'stored', 'events', 'rejects', 'diff', 'lag', 'last batch'];
  const body = rows.map((r) => [
    r.topic,
    String(r.partition),
    `${r.first_offset}-${r.last_offset}`,
    n(r.records),
    n(r.stored_records),
    n(r.events),
    n(r.rejects),
    r.diff === 0 ? '0' : (r.diff > 0 ? '+' : '') + String(r.diff),
    n(r.lag),
    r.last_batch,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 3 && i <= 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const total = rows.reduce(
    (a, r) => ({
      records: a.records + r.records,
      events: a.events + r.events,
      rejects: a.rejects + r.rejects,
      bad: a.bad + (reconciled(r) ? 0 : 1),
    }),
    { records: 0, events: 0, rejects: 0, bad: 0 },
  );
  const verdict =
    total.bad === 0
      ? `reconciled: ${rows.length} partitions, ${n(total.records)} records stored as ${n(total.events)} events + ${n(total.rejects)} ` +
        `rejects`
      : `NOT reconciled: ${total.bad} of ${rows.length} partitions differ (records ${n(total.records)}, events ${n(total.events)}, ` +
        `rejects ${n(total.rejects)})`;
  return `${[line(header), ...body.map(line), verdict].join('\n')}\n`;
}

/** Per topic: the formats seen, most first, and the unrecognized share, flagged above 1%. */
export function formatFormats(topics: readonly TopicFormats[]): string {
  if (topics.length === 0) return '';
  const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
  const lines = topics.map((t) => {
    const seen =
      t.formats
        .slice(0, 6)
        .map((f) => `${f.format} ${pct(f.events / t.events)}`)
        .join(', ') + (t.formats.length > 6 ? `, … (${t.formats.length} formats)` : '');
    const flag =
      t.unrecognized > 0.01
        ? `  UNRECOGNIZED ${pct(t.unrecognized)} > 1%: check the shipper's format`
        : `  unrecognized ${pct(t.unrecognized)}`;
    return `  ${t.topic}: ${seen}${flag}`;
  });
  return `${['formats read (events per topic):', ...lines].join('\n')}\n`;
}

/** What a repair added, rollup by rollup (nothing: one line). */
function formatRepair(done: readonly RollupRepair[]): string {
  const changed = done.filter((r) => r.groups > 0 || r.over > 0);
  if (changed.length === 0) return 'rollups: nothing to repair\n';
  return changed
    .map(
      (r) =>
        `repaired ${r.rollup}: added ${n(r.added)} in ${n(r.groups)} groups` +
        (r.over > 0 ? `; ${n(r.over)} groups counted too often, left as they are` : ''),
    )
    .map((l) => `${l}\n`)
    .join('');
}

/** One line when every rollup counts its table exactly, else one line per rollup that differs. */
export function formatRollups(drift: readonly RollupDrift[]): string {
  const off = drift.filter((d) => d.counted !== d.rows);
  if (off.length === 0) return `rollups: ${drift.map((d) => d.rollup).join(', ')} count every row once\n`;
  return off
    .map((d) => {
      const diff = d.rows - d.counted;
      return diff > 0
        ? `ROLLUP SHORT: ${d.rollup} counts ${n(d.counted)} of ${n(d.rows)} ${d.of} (${n(diff)} short: a view part torn by a kill, ` +
            'docs/delivery.md "Residual window"; dashboards on it under-count them: faultline status --repair-rollups)\n'
        : `ROLLUP OVER: ${d.rollup} counts ${n(d.counted)} for ${n(d.rows)} ${d.of} (${n(-diff)} counted twice: docs/delivery.md ` +
            '"Residual window")\n';
    })
    .join('');
}

export const command: Command = {
  summary: 'Per-partition reconciliation: records consumed = records stored, rows exactly once',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      json: { type: 'boolean' },
      check: { type: 'boolean' },
      'repair-rollups': { type: 'boolean' },
      database: { type: 'string' },
    });
    const config = loadConfig(process.env, { CLICKHOUSE_DATABASE: values.database });
    // A repair writes: never through a running run's read-only endpoint.
    const store = await openStore(config, values['repair-rollups'] ? { fallbackToEndpoint: false } : {}).catch((err: unknown) => {
      if (!(values['repair-rollups'] && err instanceof StoreBusyError)) throw err;
      throw new FaultlineError(
        'STORE_BUSY',
        '--repair-rollups needs the store writable: another faultline process (`faultline run`?) holds the embedded store; stop ' +
          'it first (SIGTERM drains it), or use a ClickHouse server (CLICKHOUSE_URL)',
      );
    });
    try {
      if (values['repair-rollups']) {
        const done = await repairRollups(store, config.CLICKHOUSE_DATABASE, config.FAULTLINE_RETENTION_DAYS);
        (values.json ? process.stderr : process.stdout).write(formatRepair(done));
      }
      const rows = await reconcile(store);
      process.stdout.write(values.json ? rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '') : formatStatus(rows));
      if (!values.json && rows.length > 0) {
        process.stdout.write(formatFormats(await formatsByTopic(store, config.CLICKHOUSE_DATABASE)));
        process.stdout.write(formatRollups(await rollupDrift(store, config.CLICKHOUSE_DATABASE, config.FAULTLINE_RETENTION_DAYS)));
      }
      return values.check && rows.some((r) => !reconciled(r)) ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};
