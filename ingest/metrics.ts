// Prometheus metrics of the ingest pipeline (prom-client), on a registry of our own so tests
// can create several pipelines in one process, and the /metrics endpoint serving it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { partitionKey } from './intent.ts';

/** What accounting needs of a segment (segment.ts). */
interface StoredSegment {
  records: number;
  events: { rows: number };
  rejects: { rows: number };
  rejectReasons: ReadonlyMap<string, number>;
  formats?: ReadonlyMap<string, number>;
  openedAt: number;
}

export class IngestMetrics {
  readonly registry = new Registry();
  readonly recordsIn = new Counter({
    name: 'faultline_records_in_total',
    help: 'Records read from a source (Kafka messages, file lines).',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly eventsOut = new Counter({
    name: 'faultline_events_out_total',
    help: 'Events acknowledged by ClickHouse.',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly rejects = new Counter({
    name: 'faultline_rejects_total',
    help: 'Rejects acknowledged by ClickHouse, by reason.',
    labelNames: ['topic', 'reason'],
    registers: [this.registry],
  });
  readonly records = new Counter({
    name: 'faultline_records_total',
    help:
      'Records stored, by how they were read (docs/real-inputs.md §4: json, docker/json, otlp-json/text, unrecognized, …; reject ' +
      'for rejects).',
    labelNames: ['topic', 'format'],
    registers: [this.registry],
  });
  readonly batchLatency = new Histogram({
    name: 'faultline_batch_latency_seconds',
    help: 'From reading the first record of a batch to its offsets being committed.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly insertSeconds = new Histogram({
    name: 'faultline_store_insert_seconds',
    help: 'Duration of one flush into the store (all its inserts).',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'faultline_consumer_lag',
    help: 'High watermark minus committed offset, per partition.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'faultline_store_errors_total',
    help: 'Failed store calls (each is retried with backoff).',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly repairedRows = new Counter({
    name: 'faultline_replay_repaired_rows_total',
    help:
      'Rows (and ledger rows) a replay found missing although the store had acknowledged them, added again ' +
      '(an insert torn by a kill inside the embedded engine: docs/delivery.md).',
    labelNames: ['table'],
    registers: [this.registry],
  });
  readonly consumerRestarts = new Counter({
    name: 'faultline_kafka_consumer_restarts_total',
    help: 'Kafka consumers restarted in process after kafkajs stopped them on a non-retriable broker error.',
    registers: [this.registry],
  });
  readonly commitErrors = new Counter({
    name: 'faultline_commit_errors_total',
    help: 'Failed offset commits.',
    registers: [this.registry],
  });
  readonly buffered = new Gauge({
    name: 'faultline_buffered_records',
    help: 'Records read and not yet stored.',
    registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: 'faultline_fetch_paused',
    help: '1 while fetching is paused because the sink is behind.',
    registers: [this.registry],
  });
  readonly rebalances = new Counter({
    name: 'faultline_rebalances_total',
    help: 'Consumer group joins (assignments received).',
    registers: [this.registry],
  });
  // Reconciliation per partition: every offset consumed is stored as exactly one event or reject.
  readonly partRecords = new Gauge({
    name: 'faultline_partition_records_stored',
    help: 'Records of this partition whose rows are stored, since start.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly partEvents = new Gauge({
    name: 'faultline_partition_events_stored',
    help: 'Events of this partition stored, since start.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly partRejects = new Gauge({
    name: 'faultline_partition_rejects_stored',
    help: 'Rejects of this partition stored, since start.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly committedOffset = new Gauge({
    name: 'faultline_committed_offset',
    help: 'Next offset to read, as committed, per partition.',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'faultline_' });
  }

  /** Totals for the progress line. */
  async totals(): Promise<{ records: number; events: number; rejects: number }> {
    const sum = async (c: Counter) => (await c.get()).values.reduce((a, v) => a + v.value, 0);
    return { records: await sum(this.recordsIn), events: await sum(this.eventsOut), rejects: await sum(this.rejects) };
  }

  /** Count segments whose rows are stored and committed, into `stored` (per partition, since start) and the metrics. */
  accountStored(
    stored: Map<string, { records: number; events: number; rejects: number }>,
    topic: string,
    partition: number,
    segs: readonly StoredSegment[],
  ): void {
    const k = partitionKey(topic, partition);
    const st = stored.get(k) ?? { records: 0, events: 0, rejects: 0 };
    for (const s of segs) {
      st.records += s.records;
      st.events += s.events.rows;
      st.rejects += s.rejects.rows;
      this.eventsOut.inc({ topic }, s.events.rows);
      for (const [reason, n] of s.rejectReasons) this.rejects.inc({ topic, reason }, n);
      for (const [format, n] of s.formats ?? []) this.records.inc({ topic, format }, n);
      this.batchLatency.observe((Date.now() - s.openedAt) / 1000);
    }
    stored.set(k, st);
    const labels = { topic, partition: String(partition) };
    this.partRecords.set(labels, st.records);
    this.partEvents.set(labels, st.events);
    this.partRejects.set(labels, st.rejects);
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serve GET /metrics on loopback-or-any `host`:`port` (0: a free port). */
export function serveMetrics(metrics: IngestMetrics, port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('faultline: see /metrics\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
