// How often the same-row peer's columns agree with faultline's on the same records: the SQL
// that compares two tables of `events` rows joined on (partition, offset), and an offline check
// that needs no broker (the records go through faultline's normalizer and through the peer's
// view over a Null table, into one chDB session):
//
//   node --import tsx bench/peer-agreement.ts [--records N] [--seed S] [--partitions P] [--data DIR] [--show COLUMN]
//
// Prints the per-column agreement as one JSON line; --show prints up to 5 differing rows of
// COLUMN (both sides and the record) on stderr.
import { Session } from 'chdb';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { migrationPlan } from '../sql/migrate.ts';
import { eventPayload, eventTsvLine } from '../sql/row-format.ts';
import { EVENT_COLUMNS } from '../sql/rows.ts';
import { normalize } from '../transform/normalize.ts';
import { sameRowSelect } from './peer-same-row-sql.ts';

/** The event columns compared: all of them (sql/rows.ts) but `source`, `format`, `topic` and the provenance. */
const NOT_COMPARED: ReadonlySet<string> = new Set(['source', 'format', 'topic', 'partition', 'offset', 'record_index']);
export const COMPARED = EVENT_COLUMNS.filter((c) => !NOT_COMPARED.has(c));
/** What the dashboards group, filter and count on (the rollups' dimensions and the request index). */
export const DASHBOARD = [
  'event_time',
  'request_id',
  'http_status',
  'outcome',
  'code',
  'category',
  'limit_kind',
  'channel',
  'upstream_vendor',
  'upstream_code',
  'upstream_sub_code',
  'failed_offers',
  'latency_ms',
  'app_id',
  'catalog_drift',
] as const;

export interface Agreement {
  /** Records present on both sides (by partition and offset). */
  records: number;
  /** Records of faultline's table the peer has no row for, and the other way round. */
  missing_in_peer: number;
  extra_in_peer: number;
  /** Rows on which every dashboard column agrees, and on which every compared column does. */
  dashboard_rows: number;
  all_rows: number;
  /** Per column: rows that differ. */
  differ: Record<string, number>;
}

/** Long columns compared by their hash: the join holds one side in memory (1M rows in the bench). */
const HASHED = new Set(['raw', 'message', 'upstream_message', 'failed_offers']);
const projection = COMPARED.map((c) => (HASHED.has(c) ? `cityHash64(toString(${c})) AS ${c}` : c)).join(', ');

/** One SELECT comparing faultline's `fl` rows with the peer's `peer` rows (any table expressions). */
export function agreementSql(fl: string, peer: string): string {
  const eq = (c: string): string => `(f.${c} = p.${c} OR (f.${c} IS NULL AND p.${c} IS NULL))`;
  return `
    SELECT count() AS records,
      (SELECT count() FROM ${fl}) - count() AS missing_in_peer,
      (SELECT uniqExact(partition, offset) FROM ${peer}) - count() AS extra_in_peer,
      countIf(${DASHBOARD.map(eq).join(' AND ')}) AS dashboard_rows,
      countIf(${COMPARED.map(eq).join(' AND ')}) AS all_rows,
      ${COMPARED.map((c) => `countIf(NOT ${eq(c)}) AS d_${c}`).join(',\n      ')}
    FROM (SELECT partition, offset, ${projection} FROM ${fl} LIMIT 1 BY partition, offset) AS f
    INNER JOIN (SELECT partition, offset, ${projection} FROM ${peer} LIMIT 1 BY partition, offset) AS p USING (partition, offset)
    SETTINGS join_use_nulls = 0`;
}

export function toAgreement(row: Record<string, string | number>): Agreement {
  const n = (k: string): number => Number(row[k]);
  return {
    records: n('records'),
    missing_in_peer: n('missing_in_peer'),
    extra_in_peer: n('extra_in_peer'),
    dashboard_rows: n('dashboard_rows'),
    all_rows: n('all_rows'),
    differ: Object.fromEntries(COMPARED.map((c) => [c, n(`d_${c}`)]).filter(([, v]) => (v as number) > 0)),
  };
}

/** One line for the bench's table. */
export function describeAgreement(a: Agreement): string {
  const pct = (x: number): string => `${((100 * x) / Math.max(1, a.records)).toFixed(2)}%`;
  const differ = Object.entries(a.differ)
    .sort((x, y) => y[1] - x[1])
    .map(([c, v]) => `${c} ${pct(v)}`)
    .join(', ');
  return (
    `on ${a.records.toLocaleString('en')} records stored by both: every dashboard column agrees on ${pct(a.dashboard_rows)}, every column on ${pct(a.all_rows)}; ` +
    `differing: ${differ || 'none'}` +
    (a.missing_in_peer || a.extra_in_peer ? `; ${a.missing_in_peer} only in faultline's store, ${a.extra_in_peer} only in the peer's` : '')
  );
}

export interface OfflineCheck extends Agreement {
  /** Records whose stored `raw` faultline changed (redacted a secret): the peer cannot. */
  redacted: number;
}

/** Where the offline check runs: a chDB session of its own (main below) or a test's store. */
export interface SqlTarget {
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  insert(table: string, values: string, format: 'JSONEachRow' | 'TabSeparated', columns?: readonly string[]): Promise<void>;
}

/**
 * N generated gateway records through faultline's normalizer and through the peer's view (over
 * a Null table standing in for the Kafka queue, same virtual columns) into `db`'s `events`
 * (a migrated faultline database); their rows compared. The peer's tables go to `peerDb`.
 * `show`: up to 5 differing rows of that column, as JSON lines.
 */
export async function offlineAgreement(o: {
  records: number;
  seed: number;
  partitions: number;
  sql: SqlTarget;
  db: string;
  peerDb: string;
  show?: string;
}): Promise<OfflineCheck & { shown: string }> {
  const { sql, db, peerDb } = o;
  await sql.run(`CREATE DATABASE IF NOT EXISTS ${peerDb}`);
  await sql.run(`CREATE TABLE ${peerDb}.probe (raw String, _topic LowCardinality(String), _partition UInt64, _offset UInt64,
    _timestamp_ms Nullable(DateTime64(3, 'UTC'))) ENGINE = Null`);
  await sql.run(`CREATE MATERIALIZED VIEW ${peerDb}.mv TO ${db}.events AS ${sameRowSelect(`${peerDb}.probe`)}`);
  await sql.run(`CREATE TABLE ${peerDb}.fl AS ${db}.events ENGINE = MergeTree ORDER BY (partition, offset)`);
  const now = Date.now();
  let probe = '';
  let fl = '';
  let flRows = 0;
  let redacted = 0;
  let i = 0;
  for (const r of generateRecords({ count: o.records, sources: 'gateway', garbage: 0, seed: o.seed })) {
    // As the bench's fill lays them out: record i at partition i % P, offset i / P.
    const partition = i % o.partitions;
    const offset = Math.floor(i / o.partitions);
    i++;
    probe += `${JSON.stringify({ raw: r.value, _topic: 't', _partition: partition, _offset: offset, _timestamp_ms: now })}\n`;
    const out = normalize(Buffer.from(r.value), { source: 'gateway', transportTimeMs: now });
    if (out.ok) {
      fl += eventTsvLine(out.event, 't', partition, offset);
      flRows++;
      if (out.event.raw !== r.value) redacted++;
    }
  }
  await sql.insert(`${peerDb}.probe`, probe, 'JSONEachRow');
  const p = eventPayload(fl, flRows);
  await sql.insert(`${peerDb}.fl`, String(p.body), 'TabSeparated', p.columns);
  const [row] = await sql.rows(agreementSql(`${peerDb}.fl`, `${db}.events`));
  const a = toAgreement(row as Record<string, string>);
  let shown = '';
  if (o.show) {
    const c = o.show;
    if (!(COMPARED as readonly string[]).includes(c)) throw new Error(`peer-agreement: --show takes one of ${COMPARED.join(', ')}`);
    const d = await sql.rows(
      `SELECT f.${c} AS faultline, p.${c} AS peer, f.raw AS record FROM ${peerDb}.fl AS f
      INNER JOIN ${db}.events AS p USING (partition, offset) WHERE NOT (f.${c} = p.${c} OR (f.${c} IS NULL AND p.${c} IS NULL)) LIMIT 5`,
    );
    shown = d.map((x) => JSON.stringify(x)).join('\n');
  }
  return { ...a, redacted, shown };
}

/** A chDB session of its own at `data`, with faultline's migrations applied to `faultline`. */
async function ownSession(data: string): Promise<{ sql: SqlTarget; close: () => void }> {
  rmSync(data, { recursive: true, force: true });
  const s = new Session(data);
  const sql: SqlTarget = {
    run: async (q) => void (await s.queryAsync(q)),
    rows: async (q) => {
      const t = (await s.queryAsync(q, { format: 'JSONEachRow' })).text().trim();
      return t === '' ? [] : t.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    insert: async (table, values, format, columns) =>
      void (await s.insert({ table, values, format, ...(columns ? { columns: [...columns] } : {}) })),
  };
  for (const m of migrationPlan('faultline', 0)) for (const st of m.statements) await sql.run(st);
  return { sql, close: () => s.close() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '42' },
      partitions: { type: 'string', default: '64' },
      data: { type: 'string', default: 'var/bench/peer-agreement' },
      show: { type: 'string' },
    },
  });
  const own = await ownSession(values.data!);
  let res: OfflineCheck & { shown: string };
  try {
    res = await offlineAgreement({
      records: Number(values.records),
      seed: Number(values.seed),
      partitions: Number(values.partitions),
      sql: own.sql,
      db: 'faultline',
      peerDb: 'peer',
      ...(values.show ? { show: values.show } : {}),
    });
  } finally {
    own.close();
  }
  const { shown, ...a } = res;
  if (shown) process.stderr.write(`${shown}\n`);
  process.stdout.write(`${JSON.stringify(a)}\n`);
  rmSync(values.data!, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`peer-agreement: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
