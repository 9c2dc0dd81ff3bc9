// End-to-end throughput of `faultline run` on OTLP/JSON batches (issue 13, "Must show"): a
// 64-partition client topic filled with OpenTelemetry Collector messages before the consumer
// starts, each an ExportLogsServiceRequest in the OTLP JSON encoding
// (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding, as the Collector's Kafka
// exporter writes with `encoding: otlp_json`) holding `--per-message` generated client lines as
// log records; then `faultline run` (bench/faultline-run.ts) stores them, one event per log
// record. Reports Kafka records/s and events/s, both over the same span (spawn to last row).
//
// Alone: `node --import tsx bench/otlp-run.ts [--records N] [--per-message K] [--partitions P]`
// (log records N, default 200,000; K 20; P 64); also the `otlp` phase of `npm run bench`.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { startBroker } from '../support/broker.ts';
import { killChildren, nativeBaselineMb } from './child.ts';
import { startFaultline, waitStored } from './faultline-run.ts';
import { fillTopic } from './produce.ts';
import { Table } from './table.ts';

export interface OtlpRunResult {
  messages: number;
  log_records: number;
  events_per_s: number;
  records_per_s: number;
  stored: number;
  elapsed_ms: number;
  rss_peak_mb: number;
}

/** `logRecords` generated client lines as OTLP/JSON messages of `perMessage` log records each. */
export function otlpMessages(logRecords: number, perMessage: number, seed: number): string[] {
  const out: string[] = [];
  let batch: { timeUnixNano: string; observedTimeUnixNano: string; body: { stringValue: string } }[] = [];
  const flush = (): void => {
    out.push(
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-client' } }] },
            scopeLogs: [{ scope: { name: 'shop' }, logRecords: batch }],
          },
        ],
      }),
    );
    batch = [];
  };
  for (const r of generateRecords({ count: logRecords, sources: 'client', garbage: 0, seed })) {
    const ns = `${r.timestampMs}000000`;
    batch.push({ timeUnixNano: ns, observedTimeUnixNano: ns, body: { stringValue: r.value } });
    if (batch.length === perMessage) flush();
  }
  if (batch.length > 0) flush();
  return out;
}

export async function measureOtlpRun(o: {
  brokers: string;
  createTopic: (name: string, partitions: number) => Promise<void>;
  partitions: number;
  logRecords: number;
  perMessage: number;
  seed: number;
  dataDir: string;
  metricsPort: number;
  nativeBaseMb: number;
  table: Table;
  verbose?: boolean;
}): Promise<OtlpRunResult> {
  const stamp = Date.now().toString(36);
  const topic = `bench-otlp-${stamp}`;
  const gatewayTopic = `bench-otlp-gw-${stamp}`;
  await o.createTopic(topic, o.partitions);
  await o.createTopic(gatewayTopic, 1);
  const messages = otlpMessages(o.logRecords, o.perMessage, o.seed);
  const fill = await fillTopic(o.brokers, topic, o.partitions, messages, { perPartition: Math.max(50, Math.ceil(2000 / o.perMessage)) });
  o.table.row(
    'OTLP topic fill',
    `${messages.length.toLocaleString('en')} messages`,
    `${o.logRecords.toLocaleString('en')} log records, ${o.perMessage} per message, ${(fill.bytes / 1048576).toFixed(0)} MiB over ` +
      `${o.partitions} partitions in ${fill.elapsed_ms} ms`,
  );
  const run = startFaultline({
    brokers: o.brokers,
    gatewayTopic,
    clientTopic: topic,
    dataDir: o.dataDir,
    metricsPort: o.metricsPort,
    echo: o.verbose ?? false,
  });
  // Stored = events + rejects: one per log record.
  const timed = await waitStored(run, o.logRecords, 600_000);
  const stopped = await run.stop(o.nativeBaseMb);
  const secs = timed.last_row_ms / 1000;
  const res: OtlpRunResult = {
    messages: messages.length,
    log_records: o.logRecords,
    stored: timed.stored,
    elapsed_ms: timed.last_row_ms,
    events_per_s: secs > 0 ? Math.round(timed.stored / secs) : 0,
    records_per_s: secs > 0 ? Math.round(messages.length / secs) : 0,
    rss_peak_mb: stopped.memory.rss_peak_mb,
  };
  if (timed.stored < o.logRecords) {
    o.table.row(
      'faultline run, OTLP/JSON batches',
      'INCOMPLETE',
      `stored ${timed.stored} of ${o.logRecords}; exit ${stopped.exit}; ${run.child.stderr().slice(-600).replace(/\s+/g, ' ')}`,
    );
  } else {
    o.table.row(
      'faultline run, OTLP/JSON batches',
      `${res.events_per_s.toLocaleString('en')} events/s`,
      `${res.records_per_s.toLocaleString('en')} Kafka records/s (${o.perMessage} log records each); ` +
        `${timed.stored.toLocaleString('en')} rows in ${timed.last_row_ms} ms from spawn ` +
        `(first batch at ${timed.first_row_ms} ms; ${timed.steady_per_s.toLocaleString('en')} events/s after); CPU ` +
        `${timed.cpu_us_per_record} µs/event; RSS peak ${res.rss_peak_mb} MB; exit ${stopped.exit}`,
    );
  }
  return res;
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      'per-message': { type: 'string' },
      partitions: { type: 'string' },
      seed: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const num = (v: string | undefined, def: number) => (v === undefined ? def : Number(v.replace(/_/g, '')));
  const t = new Table((l) => process.stderr.write(`${l}\n`));
  const broker = await startBroker();
  const dataDir = join(resolve('var/bench'), `otlp-${Date.now().toString(36)}`);
  mkdirSync(dataDir, { recursive: true });
  const load = loadavg()[0]!;
  try {
    const r = await measureOtlpRun({
      brokers: broker.bootstrap,
      createTopic: (n, p) => broker.createTopic(n, p),
      partitions: num(values.partitions, 64),
      logRecords: num(values.records, 200_000),
      perMessage: num(values['per-message'], 20),
      seed: num(values.seed, 42),
      dataDir,
      metricsPort: await freePort(),
      nativeBaseMb: await nativeBaselineMb(),
      table: t,
      verbose: values.verbose,
    });
    t.row('load average (1 min) at start', load.toFixed(2), 'the machine is shared: a loaded run is slower');
    process.stdout.write(`${t.render()}\n${JSON.stringify(r)}\n`);
  } finally {
    killChildren();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.mem.jsonl`, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
