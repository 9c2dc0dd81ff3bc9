// `npm run bench`: faultline side by side with ClickHouse's own Kafka engine, in one process
// tree and one run, on the librdkafka mock broker (see bench/README.md):
//
//   1. a 64-partition topic filled with N generated gateway records before any consumer starts;
//   2. the peers: chDB Kafka engine + JSONExtract materialized view, into a 7-column table of its
//      own (narrow) and into faultline's own migrated tables (same-row), then how often the
//      same-row peer's columns agree with faultline's on the same records;
//   3. `faultline run` on the same topic into a fresh chDB store (fresh group), RSS sampled;
//   4. kafkajs consume + JSON.parse alone, transform alone, and end-to-end freshness at a steady rate;
//   5. a table, then as the LAST line one JSON object with the headline figures.
//
// Flags: --records N (default 1,000,000), --partitions P (64), --workers N (passed to
// `faultline run --workers N`), --run-flags "…" (more flags for faultline run, e.g.
// "--batch-size 200000"), --fresh-rate R[,R…] (50,000/s; the JSON line reports the
// first), --fresh-seconds S (20), --fresh-linger-ms L (100: the steady producer's batching),
// --only peer,same-row,faultline,proto,baseline,transform,sink,producer,freshness,fresh-proto,otlp
// (producer: the steady producer alone, no consumer; otlp: `faultline run` on a 64-partition
// topic of OTLP/JSON batches of 20 log records, bench/otlp-run.ts, --records/10 log records), --profile (CPU profiles of the
// ingest processes), --timeline (each thread's CPU every 200 ms during `faultline run`,
// bench/thread-timeline.ts), --proto-workers N[c][,N[c]…] (the multi-worker prototype,
// bench/proto-workers.ts; a trailing c: compact rows),
// --peer-consumers N, --peer-format JSONAsString|LineAsString, --keep (keep data dirs), --verbose,
// --results (append the table to bench/RESULTS.md, as every full run without --only does).
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { startBroker } from '../support/broker.ts';
import { killChildren, lastJson, nativeBaselineMb, spawnNode } from './child.ts';
import { measureRun } from './measure-run.ts';
import { measureFreshness, type FreshnessResult } from './freshness.ts';
import type { BaselineResult } from './kafkajs-baseline.ts';
import type { PeerResult } from './peer-kafka-engine.ts';
import { agreementSql, describeAgreement, toAgreement } from './peer-agreement.ts';
import type { SinkResult } from './sink-only.ts';
import { fillTopic, kafka } from './produce.ts';
import { measureTransform, normalize, type TransformResult } from './transform-only.ts';
import { startSteady, writeTemplates, type SteadyResult } from './steady-producer.ts';
import { measureOtlpRun } from './otlp-run.ts';
import { appendResults } from './results-log.ts';
import { Table } from './table.ts';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const PHASES = [
  'peer',
  'same-row',
  'faultline',
  'proto',
  'baseline',
  'transform',
  'sink',
  'producer',
  'freshness',
  'fresh-proto',
  'otlp',
] as const;
/** Phases that read the pre-filled topic or the corpus (the others make their own data). */
const NEEDS_CORPUS: readonly Phase[] = ['peer', 'same-row', 'faultline', 'proto', 'baseline', 'transform'];
type Phase = (typeof PHASES)[number];

function int(name: string, v: string | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`bench: --${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

const log = (msg: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// The report: a table, then, always as the last line, the headline JSON (null for what was
// not measured), also when a phase fails, the run crashes or it is interrupted.
const t = new Table((line) => log(`result: ${line}`));
const json: {
  faultline_events_per_s: number | null;
  peer_rows_per_s: number | null;
  ratio: number | null;
  peer_same_row_rows_per_s: number | null;
  ratio_same_row: number | null;
  cpu_us_per_record: number | null;
  freshness_p99_ms: number | null;
  rss_mb: number | null;
} = {
  faultline_events_per_s: null,
  peer_rows_per_s: null,
  ratio: null,
  peer_same_row_rows_per_s: null,
  ratio_same_row: null,
  cpu_us_per_record: null,
  freshness_p99_ms: null,
  rss_mb: null,
};
let reported = false;
/** Set by main(): a full run (no --only) or --results appends its table to bench/RESULTS.md. */
let results: { file: string; args: string; loads: number[] } | undefined;
function report(): void {
  if (reported) return;
  reported = true;
  process.stdout.write(`${t.render()}\n`);
  process.stdout.write(`${JSON.stringify(json)}\n`);
  if (results) log(`appended this run to ${appendResults(results.file, results.args, results.loads, t, json)}`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');

/** Run one phase; a failure becomes a FAILED row and the run goes on to the next phase. */
async function phase(t: Table, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    t.row(name, 'FAILED', msg.replace(/\s+/g, ' ').slice(0, 400));
  }
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    // The flags are documented once, in this file's header comment.
    const { readFileSync } = await import('node:fs');
    const head = readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'));
    process.stdout.write(`${head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
    return 0;
  }
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      partitions: { type: 'string' },
      workers: { type: 'string' },
      'run-flags': { type: 'string' },
      'fresh-rate': { type: 'string' },
      'fresh-seconds': { type: 'string' },
      'fresh-linger-ms': { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      timeline: { type: 'boolean', default: false },
      'peer-consumers': { type: 'string' },
      'proto-workers': { type: 'string' },
      'peer-format': { type: 'string', default: 'JSONAsString' },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      results: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const records = int('records', values.records, 1_000_000, 1000);
  const partitions = int('partitions', values.partitions, 64, 1);
  const freshRates = (values['fresh-rate'] ?? '50000').split(',').map((r) => int('fresh-rate', r, 50_000, 100));
  const freshSeconds = int('fresh-seconds', values['fresh-seconds'], 20, 6);
  const lingerMs = int('fresh-linger-ms', values['fresh-linger-ms'], 100, 0);
  const peerConsumers = int('peer-consumers', values['peer-consumers'], 2, 1);
  const seed = int('seed', values.seed, 42, 0);
  // "2" or "2c" (c: compact rows), comma-separated for several runs.
  const protoRuns = (values['proto-workers'] ?? '2')
    .split(',')
    .map((w) => ({ workers: int('proto-workers', w.replace(/c$/, ''), 2, 1), compact: w.endsWith('c') }));
  const runFlags = [
    ...(values.workers ? ['--workers', String(int('workers', values.workers, 1, 1))] : []),
    ...(values['run-flags'] ? values['run-flags'].split(/\s+/).filter(Boolean) : []),
  ];
  if (!['JSONAsString', 'LineAsString'].includes(values['peer-format']!)) {
    throw new Error(`bench: --peer-format must be JSONAsString or LineAsString, got ${values['peer-format']}`);
  }
  const only = new Set<Phase>(
    values.only
      ? values.only.split(',').map((p) => {
          if (!(PHASES as readonly string[]).includes(p)) throw new Error(`bench: --only takes ${PHASES.join(', ')}; got ${p}`);
          return p as Phase;
        })
      : PHASES,
  );
  const root = resolve('var/bench');
  const stamp = Date.now().toString(36);
  const dirs: string[] = [];
  const dir = (name: string): string => {
    const d = join(root, `${name}-${stamp}`);
    dirs.push(d, `${d}.mem.jsonl`, `${d}.query.mem.jsonl`);
    return d;
  };

  const needCorpus = NEEDS_CORPUS.some((p) => only.has(p));
  const corpus: string[] = [];
  let bytes = 0;
  if (needCorpus) {
    log(`generating ${records.toLocaleString('en')} gateway records (seed ${seed})`);
    // garbage 0: the peer's JSONAsString table stops on a malformed message, so both contenders
    // read only valid records; faultline's reject path is exercised by its own tests.
    for (const r of generateRecords({ count: records, sources: 'gateway', garbage: 0, seed })) {
      corpus.push(r.value);
      bytes += Buffer.byteLength(r.value);
    }
  }
  const avgBytes = Math.round(bytes / records);

  // The machine is shared: record its load, so a reader can tell a quiet run from a contended one.
  const loads: number[] = [loadavg()[0]!];
  if (!values.only || values.results)
    results = {
      file: here('./RESULTS.md'),
      args: process.argv
        .slice(2)
        .filter((a) => a !== '--results')
        .join(' '),
      loads,
    };
  const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5000);
  loadTimer.unref();
  const broker = await startBroker();
  const nativeBase = await nativeBaselineMb();
  const topic = `bench-gateway-${stamp}`;
  const clientTopic = `bench-client-${stamp}`;
  try {
    await broker.createTopic(clientTopic, 1);
    // Phases reading the filled topic run only once it holds every record.
    let filled = false;
    const onTopic = (p: Phase): boolean => only.has(p) && filled;
    if (needCorpus)
      await phase(t, 'topic fill', async () => {
        await broker.createTopic(topic, partitions);
        log(`filling ${topic} (${partitions} partitions, ${avgBytes} B/record avg)`);
        const fill = await fillTopic(broker.bootstrap, topic, partitions, corpus);
        const admin = kafka(broker.bootstrap).admin();
        await admin.connect();
        const offsets = await admin.fetchTopicOffsets(topic);
        await admin.disconnect();
        const kept = offsets.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
        if (kept !== records)
          throw new Error(
            `the mock broker kept ${kept} of ${records} records (its ~5 MB/partition retention): use more --partitions or fewer --records`,
          );
        filled = true;
        t.row(
          'topic fill (kafkajs producer)',
          `${Math.round(records / (fill.elapsed_ms / 1000)).toLocaleString('en')} rec/s`,
          `${records.toLocaleString('en')} records, ${(fill.bytes / 1048576).toFixed(0)} MiB, ${fill.elapsed_ms} ms`,
        );
      });

    // The two peers: the narrow 7-column row (the `ratio`), and faultline's own tables and views
    // filled by one view over the queue (the `ratio_same_row`), its rows kept for the comparison.
    const peerExport = join(root, `peer-events-${stamp}.native`);
    dirs.push(peerExport);
    for (const mode of ['narrow', 'same-row'] as const) {
      const name = mode === 'narrow' ? 'peer' : 'same-row';
      if (onTopic(name))
        await phase(t, name, async () => {
          log(`peer (${mode}): chDB Kafka engine + materialized view`);
          const data = dir(name);
          const c = spawnNode(
            ['--import', 'tsx'],
            here('./peer-kafka-engine.ts'),
            [
              '--brokers',
              broker.bootstrap,
              '--topic',
              topic,
              '--records',
              String(records),
              '--data',
              data,
              '--consumers',
              String(peerConsumers),
              '--format',
              values['peer-format']!,
              '--mode',
              mode,
              ...(mode === 'same-row' ? ['--export', peerExport] : []),
            ],
            {},
            { memOut: `${data}.mem.jsonl`, echo: values.verbose },
          );
          await c.exited;
          const peer = lastJson<PeerResult>(c.stdout());
          if (!peer) throw new Error(`peer failed: ${c.stderr().slice(-2000)}`);
          const mem = c.memory(nativeBase);
          // A block the Kafka engine delivered twice (its consumer re-read it after a rebalance or a
          // poll timeout: seen on the mock, 65,536 rows) stalls the peer for tens of seconds: its rate
          // then measures that fault, not the peer, so no ratio is computed from it (null in the
          // JSON line) and the row says why.
          const valid = peer.duplicates === 0;
          const rate = valid ? peer.rows_per_s : null;
          if (mode === 'narrow') json.peer_rows_per_s = rate;
          else json.peer_same_row_rows_per_s = rate;
          const steady = peer.rows / ((peer.elapsed_ms - peer.first_row_ms) / 1000);
          t.row(
            mode === 'narrow'
              ? 'peer, narrow: Kafka engine → MV → 7-column MergeTree'
              : "peer, same row: Kafka engine → MV → faultline's events + its views",
            `${valid ? '' : 'NO RATIO: '}${peer.rows_per_s.toLocaleString('en')} rows/s`,
            (valid
              ? ''
              : `the engine re-delivered ${peer.duplicates.toLocaleString('en')} rows, so its rate measures that fault: no ratio from this run; `) +
              `${peer.rows.toLocaleString('en')} records stored (+${peer.duplicates} duplicate rows) in ${peer.elapsed_ms} ms (first row at ${peer.first_row_ms} ms, i.e. group join + first block; ~${Math.round(steady).toLocaleString('en')}/s after); CPU ${peer.cpu_us_per_row} µs/row (all threads); RSS peak ${mem.rss_peak_mb} MB` +
              (mode === 'same-row'
                ? `; rollups counted ${(peer.rollup_events ?? 0).toLocaleString('en')} events, request index ${(peer.request_index_ids ?? 0).toLocaleString('en')} ids`
                : `; ${JSON.stringify(peer.settings)}`),
          );
        });
    }

    const faultlineData = dir('faultline');
    if (onTopic('faultline'))
      await phase(t, 'faultline', async () => {
        log(`faultline run ${runFlags.join(' ')}`.trim());
        const r = await measureRun({
          label: `faultline run ${runFlags.join(' ')}`.trim(),
          brokers: broker.bootstrap,
          topic,
          clientTopic,
          records,
          dataDir: faultlineData,
          metricsPort: await freePort(),
          flags: runFlags,
          nativeBaseMb: nativeBase,
          verbose: values.verbose,
          table: t,
          ...(values.profile ? { profileDir: join(root, `profile-${stamp}`) } : {}),
          ...(values.timeline ? { timeline: true } : {}),
        });
        if (r.complete) {
          json.faultline_events_per_s = r.timed.per_s;
          // From spawn: startup, migrations, group join and the engine included.
          json.cpu_us_per_record = Math.round((r.timed.cpu_total_ms * 10_000) / r.timed.stored) / 10;
        }
        // Without the engine's memory (the issue's target); the table shows the peak RSS too.
        if (r.memory.rss_excl_engine_mb > 0) json.rss_mb = r.memory.rss_excl_engine_mb;
      });
    if (onTopic('proto'))
      await phase(t, 'proto', async () => {
        for (const { workers: w, compact } of protoRuns) {
          const name = `proto${w}${compact ? 'c' : ''}`;
          log(`prototype: ${w} worker thread(s) + one chDB owner${compact ? ', compact rows' : ''}`);
          await measureRun({
            label: `prototype --workers ${w}${compact ? ' --compact' : ''} (bench/proto-workers.ts)`,
            brokers: broker.bootstrap,
            topic,
            clientTopic,
            records,
            dataDir: dir(name),
            metricsPort: await freePort(),
            flags: ['--workers', String(w), ...(compact ? ['--compact'] : [])],
            script: here('./proto-workers.ts'),
            nativeBaseMb: nativeBase,
            verbose: values.verbose,
            table: t,
            ...(values.profile ? { profileDir: join(root, `profile-${name}-${stamp}`) } : {}),
          });
        }
      });
    if (json.faultline_events_per_s !== null && json.peer_rows_per_s) {
      json.ratio = Math.round((json.faultline_events_per_s / json.peer_rows_per_s) * 100) / 100;
    }
    if (json.faultline_events_per_s !== null && json.peer_same_row_rows_per_s) {
      json.ratio_same_row = Math.round((json.faultline_events_per_s / json.peer_same_row_rows_per_s) * 100) / 100;
      await phase(t, 'agreement', async () => {
        // On the same records: faultline's store against the peer's exported rows.
        const c = spawnNode(
          ['--import', 'tsx'],
          here('./store-query.ts'),
          ['--data', faultlineData, agreementSql('faultline.events', `file('${peerExport}', Native)`)],
          {},
          { memOut: `${faultlineData}.query.mem.jsonl` },
        );
        await c.exited;
        let row: Record<string, string> | undefined;
        try {
          row = (JSON.parse(c.stdout().trim()) as Record<string, string>[][])[0]?.[0];
        } catch {
          row = undefined;
        }
        if (!row) throw new Error(`agreement query failed: ${c.stderr().slice(-600)}`);
        t.row(
          '  same-row peer vs faultline',
          'agreement',
          describeAgreement(toAgreement(row)) +
            '; the peer cannot redact secrets (raw, messages), unwrap Docker/CRI/OTLP envelopes, read text or logfmt lines, reject, deduplicate a re-delivered block or keep the ingest ledger',
        );
      });
    }

    if (onTopic('baseline'))
      await phase(t, 'baseline', async () => {
        log('kafkajs consume + JSON.parse alone');
        const c = spawnNode(
          ['--import', 'tsx'],
          here('./kafkajs-baseline.ts'),
          ['--brokers', broker.bootstrap, '--topic', topic, '--records', String(records)],
          {},
          { memOut: `${dir('baseline')}.mem.jsonl` },
        );
        await c.exited;
        const b = lastJson<BaselineResult>(c.stdout());
        t.row(
          'kafkajs consume + JSON.parse (1 thread)',
          b ? `${b.msgs_per_s.toLocaleString('en')} msg/s` : 'failed',
          b
            ? `${b.messages.toLocaleString('en')} msgs in ${b.elapsed_ms} ms (first at ${b.first_msg_ms} ms; ` +
                `${b.steady_msgs_per_s.toLocaleString('en')}/s after); CPU ${b.cpu_us_per_msg} µs/msg`
            : c.stderr().slice(-300),
        );
      });

    let transform: TransformResult | undefined;
    if (only.has('transform'))
      await phase(t, 'transform', async () => {
        log('transform only');
        transform = measureTransform(normalize, corpus);
        t.row(
          'transform only (normalize, 1 core)',
          `${transform.records_per_s.toLocaleString('en')} rec/s`,
          `${transform.us_per_record} µs/record; ${transform.events} events, ${transform.rejects} rejects`,
        );
      });

    if (only.has('otlp'))
      await phase(t, 'otlp', async () => {
        await measureOtlpRun({
          brokers: broker.bootstrap,
          createTopic: (n, p) => broker.createTopic(n, p),
          partitions,
          logRecords: Math.max(1000, Math.round(records / 10)),
          perMessage: 20,
          seed,
          dataDir: dir('otlp'),
          metricsPort: await freePort(),
          nativeBaseMb: nativeBase,
          table: t,
          verbose: values.verbose,
        });
      });
    // The corpus is not needed any more: drop it before the phases that measure latency and
    // memory, so this process's heap (and its GC) stays small while they run.
    corpus.length = 0;

    if (only.has('sink'))
      await phase(t, 'sink', async () => {
        // The store's share: serialisation and chDB insert into the real schema, one insert per
        // 50,000 rows, one per 780 rows (= a 50,000-record flush cut into 64 partition
        // segments, as faultline run inserts), and without the materialized views.
        const n = Math.min(records, 200_000);
        for (const [label, args] of [
          ['50,000 rows per insert', ['--batch', '50000']],
          ['780 rows per insert', ['--batch', '780']],
          ['50,000 per insert, no views', ['--batch', '50000', '--no-views']],
        ] as const) {
          log(`sink only: ${label}`);
          const data = dir('sink');
          const c = spawnNode(
            ['--import', 'tsx'],
            here('./sink-only.ts'),
            ['--data', data, '--records', String(n), '--seed', String(seed), ...args],
            {},
            { memOut: `${data}.mem.jsonl` },
          );
          await c.exited;
          const r = lastJson<SinkResult>(c.stdout());
          t.row(
            `sink only: ${label}`,
            r ? `${r.insert_rows_per_s.toLocaleString('en')} rows/s` : 'failed',
            r
              ? `chDB insert ${r.insert_us} µs/row wall, ${r.insert_cpu_us} µs/row CPU (engine threads); JS: normalize ` +
                  `${r.normalize_us}, JSONEachRow ${r.serialize_us} µs/row; ${r.bytes_per_row} B/row; ${r.rows.toLocaleString('en')} rows`
              : c.stderr().slice(-300),
          );
          rmSync(data, { recursive: true, force: true });
        }
      });

    // The steady stream's records: generated once, serialised once (steady-producer.ts).
    const templatesFile = join(root, `fresh-templates-${stamp}.jsonl`);
    dirs.push(templatesFile);
    if (only.has('producer') || only.has('freshness') || only.has('fresh-proto')) {
      const w = writeTemplates(templatesFile, seed);
      log(`steady producer: ${w.templates} templates, ${w.avg_bytes} B/record avg, linger ${lingerMs} ms`);
    }

    // The producer alone, no consumer: can this machine produce the rate at all?
    if (only.has('producer'))
      for (const [i, rate] of freshRates.entries())
        await phase(t, `steady producer alone at ${rate}/s`, async () => {
          log(`steady producer alone at ${rate}/s for ${freshSeconds} s`);
          const dTopic = `bench-dry${i}-${stamp}`;
          await broker.createTopic(dTopic, partitions);
          const r = await startSteady({
            brokers: broker.bootstrap,
            topic: dTopic,
            partitions,
            rate,
            seconds: freshSeconds,
            templatesFile,
            lingerMs,
          }).done;
          const admin = kafka(broker.bootstrap).admin();
          await admin.connect();
          const offsets = await admin.fetchTopicOffsets(dTopic).finally(() => admin.disconnect());
          const dropped = offsets.reduce((a, o) => a + Number(o.low), 0);
          t.row(
            `steady producer alone, ${fmt(rate)}/s`,
            `${fmt(r.achieved_per_s)}/s${r.valid ? '' : ' (SHORT)'}`,
            `${producerDetail(r)}; the mock broker ${dropped === 0 ? 'kept all' : `dropped ${fmt(dropped)} (retention ~5 MiB/partition)`}`,
          );
        });

    // Freshness of faultline run, and (fresh-proto) of the first prototype configuration.
    const freshTargets = [
      ...(only.has('freshness') ? [{ name: 'faultline run', flags: runFlags, script: undefined as string | undefined }] : []),
      ...(only.has('fresh-proto') && protoRuns[0]
        ? [
            {
              name: `prototype --workers ${protoRuns[0].workers}${protoRuns[0].compact ? ' --compact' : ''}`,
              flags: ['--workers', String(protoRuns[0].workers), ...(protoRuns[0].compact ? ['--compact'] : [])],
              script: here('./proto-workers.ts'),
            },
          ]
        : []),
    ];
    for (const target of freshTargets) {
      for (const [i, rate] of freshRates.entries())
        await phase(t, `freshness of ${target.name} at ${rate}/s`, async () => {
          log(`freshness of ${target.name} at ${rate}/s for ${freshSeconds} s`);
          const fTopic = `bench-fresh-${target.script ? 'p' : 'f'}${i}-${stamp}`;
          await broker.createTopic(fTopic, partitions);
          const warmup = 5;
          const f: FreshnessResult = await measureFreshness({
            broker,
            topic: fTopic,
            clientTopic,
            partitions,
            rate,
            seconds: freshSeconds,
            warmupSeconds: warmup,
            templatesFile,
            lingerMs,
            dataDir: dir(`freshness-${target.script ? 'p' : 'f'}${i}`),
            metricsPort: await freePort(),
            flags: target.flags,
            nativeBaseMb: nativeBase,
            echo: values.verbose,
            log,
            ...(target.script ? { script: target.script } : {}),
          });
          const valid = f.producer.valid;
          const headline = i === 0 && !target.script;
          // A stream short of the rate does not measure the target: no figure for the JSON line.
          if (headline) json.freshness_p99_ms = valid ? Math.max(f.p99_ms, f.ext_p99_ms) : null;
          if (headline && json.rss_mb === null && f.memory.rss_excl_engine_mb > 0) json.rss_mb = f.memory.rss_excl_engine_mb;
          const ge = f.complete ? '' : '≥ ';
          t.row(
            `freshness, ${target.name}, ${fmt(rate)}/s`,
            `${valid ? '' : 'INVALID: '}p50 ${ge}${f.p50_ms} ms, p99 ${ge}${f.p99_ms} ms`,
            (valid
              ? ''
              : `the producer reached only ${fmt(f.producer.achieved_per_s)}/s (< 95% of ${fmt(rate)}/s), so this does not measure the ` +
                `target; `) +
              `ingest_time − produce time over ${fmt(f.measured)} records produced after a ${warmup} s warm-up (from the store), max ` +
              `${f.max_ms} ms; ` +
              `${fmt(f.produced)} produced in ${freshSeconds} s, ${f.complete ? 'all' : `only ${fmt(f.stored)}`} stored within the wait` +
              (f.broker_dropped > 0
                ? `; the mock broker dropped ${fmt(f.broker_dropped)} (retention ~5 MiB/partition): use more --partitions or fewer ` +
                  `--fresh-seconds`
                : ''),
          );
          t.row(
            '  external (/metrics counter)',
            `p50 ${ge}${f.ext_p50_ms} ms, p99 ${ge}${f.ext_p99_ms} ms`,
            'produce → counted as stored (insert acknowledged, offsets committed), polled every 100 ms',
          );
          t.row(
            '  consumer',
            f.fell_behind ? `fell behind: lag grew to ${fmt(f.lag_max)}` : `kept up (lag ≤ ${fmt(f.lag_max)})`,
            (f.exited_early !== undefined
              ? `${target.name} EXITED on its own (${f.exited_early}) before the end: ${f.stderr_tail}; `
              : '') +
              `produced − stored: max ${fmt(f.lag_max)} (${(f.lag_max / rate).toFixed(1)} s of input), every 5 s ` +
              `${f.lag_series.map(fmt).join(' → ') || '–'}, ${fmt(f.lag_at_end)} when the stream ended; ` +
              `stored ${fmt(f.stored_per_s)}/s from the warm-up's end to the stream's end; ` +
              (f.drain_ms >= 0
                ? `all stored ${(f.drain_ms / 1000).toFixed(1)} s after the stream ended`
                : `${fmt(f.produced - f.stored)} never stored within the wait`),
          );
          t.row('  producer', `${fmt(f.producer.achieved_per_s)}/s${valid ? '' : ' (SHORT)'}`, producerDetail(f.producer));
          t.row('  RSS', `${f.memory.rss_peak_mb} MB`, `peak VmHWM; without the engine: ${f.memory.rss_excl_engine_mb} MB`);
        });
    }
  } finally {
    clearInterval(loadTimer);
    loads.push(loadavg()[0]!);
    t.row(
      'machine',
      `${cpus().length} cores`,
      `1-min load average during the run: min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} (above ` +
        `${cpus().length}: other processes competed for the cores)`,
    );
    await broker.stop().catch(() => undefined);
    if (!values.keep) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  report();
  return 0;
}

function producerDetail(r: SteadyResult): string {
  return (
    `C/librdkafka producer in its own process (linger ${r.linger_ms} ms); ` +
    `${fmt(r.acked)} of ${fmt(r.records)} acknowledged (acks=1), last ack ${Math.round(r.ack_ms - r.produce_ms)} ms after the last ` +
    `produce call (${(r.produce_ms / 1000).toFixed(1)} s); ` +
    `at most ${Math.round(r.behind_ms_max)} ms behind schedule; queue full ${r.queue_full}×; CPU ${r.cpu_us_per_record} µs/record`
  );
}

// Interrupted (Ctrl-C, SIGTERM): end the children, then still print the table and JSON line.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killChildren();
    t.row('interrupted', sig, 'figures above were measured before the signal; the others are null');
    report();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killChildren();
    t.row('bench', 'FAILED', (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 400));
    report();
    process.exit(1);
  },
);
