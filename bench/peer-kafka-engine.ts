// The peer faultline must beat: ClickHouse's own Kafka table engine (in chDB) with a
// JSONExtract materialized view into MergeTree — what a user would build instead of running
// faultline. Run as its own child process (chDB is a process singleton and we want its CPU
// and RSS apart from the orchestrator's):
//
//   node --import tsx bench/peer-kafka-engine.ts --brokers H:P --topic T --records N --data DIR
//
// Prints one JSON line: {rows, elapsed_ms, first_row_ms, rows_per_s, rss_hwm_mb, settings}.
//
// Two peers (--mode): `narrow` (default), a 7-column row of its own; `same-row`, faultline's own
// migrations applied to the peer's store and one view from the queue into `events`
// (peer-same-row-sql.ts), so the rollups and the request index fill as they do for faultline.
// With --export FILE the same-row peer writes its `events` rows there (Native) afterwards, for
// the bench to compare with faultline's (peer-agreement.ts).
// Engine settings follow the ClickHouse docs of the Kafka engine
// (https://clickhouse.com/docs/en/engines/table-engines/integrations/kafka): one consumer per
// core, each flushing on its own thread (kafka_thread_per_consumer), blocks of 64Ki rows.
import { Session } from 'chdb';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { migrationPlan } from '../sql/migrate.ts';
import { sameRowSelect } from './peer-same-row-sql.ts';

export interface PeerResult {
  /** Distinct records stored (by Kafka partition and offset). */
  rows: number;
  /** Rows stored beyond one per record (re-deliveries). */
  duplicates: number;
  elapsed_ms: number;
  first_row_ms: number;
  rows_per_s: number;
  /** CPU of the whole process (librdkafka, parsing, MV, MergeTree writes and merges) per row, from t0 to the last row, µs. */
  cpu_us_per_row: number;
  rss_hwm_mb: number;
  settings: Record<string, string | number>;
  mode: 'narrow' | 'same-row';
  /** same-row: what its views filled (the rollups' event count and the request index's ids). */
  rollup_events?: number;
  request_index_ids?: number;
}

/**
 * The MV extracts what a reasonable user would write by hand: each field under its common
 * aliases at the top level, under `error` and under `response.error` (string-encoded bodies
 * and vendor dialects are beyond a hand-written MV; that is faultline's job).
 */
const MV_SELECT = `
  SELECT
    multiIf(JSONHas(raw, 'request_id'), JSONExtractString(raw, 'request_id'),
            JSONHas(raw, 'headers', 'x-request-id'), JSONExtractString(raw, 'headers', 'x-request-id'),
            JSONHas(raw, 'error', 'request_id'), JSONExtractString(raw, 'error', 'request_id'),
            JSONExtractString(raw, 'response', 'error', 'request_id')) AS request_id,
    toUInt16(greatest(JSONExtractUInt(raw, 'status'), JSONExtractUInt(raw, 'status_code'), JSONExtractUInt(raw, 'http_status'))) AS status,
    if(JSONHas(raw, 'error', 'code'), JSONExtractString(raw, 'error', 'code'), JSONExtractString(raw, 'response', 'error', 'code')) AS code,
    if(JSONHas(raw, 'error', 'category'), JSONExtractString(raw, 'error', 'category'),
      JSONExtractString(raw, 'response', 'error', 'category')) AS category,
    if(JSONHas(raw, 'channel'), JSONExtractString(raw, 'channel'), JSONExtractString(raw, 'marketplace')) AS channel,
    _partition AS partition, _offset AS offset
  FROM peer.queue`;

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string' },
      topic: { type: 'string' },
      records: { type: 'string' },
      data: { type: 'string' },
      group: { type: 'string' },
      consumers: { type: 'string', default: '2' },
      'block-size': { type: 'string', default: '65536' },
      format: { type: 'string', default: 'JSONAsString' },
      'timeout-s': { type: 'string', default: '300' },
      mode: { type: 'string', default: 'narrow' },
      export: { type: 'string' },
    },
  });
  const { brokers, topic, data, format } = values;
  const records = Number(values.records);
  if (!brokers || !topic || !data || !Number.isInteger(records) || records <= 0) {
    throw new Error('peer-kafka-engine: --brokers, --topic, --data and --records N (> 0) are required');
  }
  const mode = values.mode;
  if (mode !== 'narrow' && mode !== 'same-row') throw new Error('peer-kafka-engine: --mode is narrow or same-row');
  if (format !== 'JSONAsString' && format !== 'LineAsString')
    throw new Error('peer-kafka-engine: --format is JSONAsString or LineAsString');
  const group = values.group ?? `peer-${process.pid}-${Date.now()}`;
  const settings: Record<string, string | number> = {
    kafka_format: format,
    kafka_num_consumers: Number(values.consumers),
    kafka_thread_per_consumer: 1,
    kafka_max_block_size: Number(values['block-size']),
    kafka_poll_max_batch_size: Number(values['block-size']),
    kafka_flush_interval_ms: 500,
  };
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const s = new Session(data);
  try {
    await s.queryAsync('CREATE DATABASE peer');
    // The same-row peer's tables are faultline's, migrated as `faultline migrate` would.
    if (mode === 'same-row') for (const m of migrationPlan('faultline', 30)) for (const st of m.statements) await s.queryAsync(st);
    const sink = mode === 'same-row' ? 'faultline.events' : 'peer.sink';
    if (mode === 'narrow')
      await s.queryAsync(`CREATE TABLE peer.sink (
        request_id String, status UInt16, code LowCardinality(String),
        category LowCardinality(String), channel LowCardinality(String),
        partition UInt64, offset UInt64,
        ingest_time DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = MergeTree ORDER BY (category, code, channel)`);
    const extra = Object.entries(settings)
      .filter(([k]) => k !== 'kafka_format')
      .map(([k, v]) => `, ${k} = ${v}`)
      .join('');
    await s.queryAsync(`CREATE TABLE peer.queue (raw String) ENGINE = Kafka SETTINGS
        kafka_broker_list = '${brokers}', kafka_topic_list = '${topic}',
        kafka_group_name = '${group}', kafka_format = '${format}'${extra}`);
    // Streaming starts when the first materialized view is attached: that is t0.
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await s.queryAsync(
      mode === 'same-row'
        ? `CREATE MATERIALIZED VIEW peer.mv TO faultline.events AS ${sameRowSelect('peer.queue')}`
        : `CREATE MATERIALIZED VIEW peer.mv TO peer.sink (
        request_id String, status UInt16, code String, category String, channel String,
        partition UInt64, offset UInt64) AS ${MV_SELECT}`,
    );
    const deadline = t0 + Number(values['timeout-s']) * 1000;
    // Done when every record is there once: the engine is at-least-once, so a rebalance or a
    // failed commit re-delivers blocks (kept and reported as duplicates, as a user would get).
    let rows = 0;
    let distinct = 0;
    let firstRow = 0;
    for (;;) {
      const r = await s.queryAsync(`SELECT count() AS n FROM ${sink}`, { format: 'JSONEachRow' });
      rows = Number((r.json() as { n: string | number }).n);
      const now = performance.now();
      if (rows > 0 && firstRow === 0) firstRow = now - t0;
      if (rows >= records) {
        const u = await s.queryAsync(`SELECT uniqExact(partition, offset) AS n FROM ${sink}`, { format: 'JSONEachRow' });
        distinct = Number((u.json() as { n: string | number }).n);
        if (distinct >= records) break;
      }
      if (now > deadline) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await s.queryAsync('DROP TABLE peer.mv');
    await s.queryAsync('DROP TABLE peer.queue');
    const filled: Pick<PeerResult, 'rollup_events' | 'request_index_ids'> = {};
    if (mode === 'same-row') {
      const r = await s.queryAsync(
        `SELECT (SELECT sum(events) FROM faultline.events_1m) AS e, (SELECT uniqExact(request_id) FROM faultline.request_index) AS i`,
        { format: 'JSONEachRow' },
      );
      const f = r.json() as { e: string | number; i: string | number };
      filled.rollup_events = Number(f.e);
      filled.request_index_ids = Number(f.i);
      if (values.export) {
        rmSync(values.export, { force: true });
        await s.queryAsync(`SELECT * FROM faultline.events INTO OUTFILE '${values.export.replace(/'/g, "\\'")}' FORMAT Native`);
      }
    }
    const out: PeerResult = {
      rows: distinct,
      duplicates: rows - distinct,
      elapsed_ms: Math.round(elapsed),
      first_row_ms: Math.round(firstRow),
      rows_per_s: Math.round(distinct / (elapsed / 1000)),
      cpu_us_per_row: Math.round(((cpu.user + cpu.system) / Math.max(1, distinct)) * 10) / 10,
      rss_hwm_mb: Math.round(vmHwmMb()),
      settings,
      mode,
      ...filled,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    s.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`peer-kafka-engine: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
