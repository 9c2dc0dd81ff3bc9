// Prototype of `faultline run --workers N`, kept in bench/ to put numbers on the proposal (it
// is not the product's ingest): N worker threads, each a kafkajs consumer of one group plus
// the full normalizer (proto-worker.ts), and this thread owning the single chDB store,
// inserting the JSONEachRow bytes the workers hand over (with dedup tokens, into the real
// schema with its materialized views). Started like `faultline run`, from the same env
// (KAFKA_BROKERS, KAFKA_GROUP_ID, FAULTLINE_*_TOPIC, FAULTLINE_DATA, FAULTLINE_METRICS_PORT,
// FAULTLINE_BATCH_SIZE, FAULTLINE_BATCH_MS), and serving the same two counters on /metrics:
//
//   node --import tsx bench/proto-workers.ts --workers 2 [--compact]
//
// --compact: events as JSONCompactEachRow arrays (no object spread, no key names: smaller,
// cheaper to write in JS and to parse in the engine).
//
// Not done here (the product's ingest does them): the write-ahead intent for exact
// redelivery tokens, backpressure, retries, graceful drain.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../lib/config.ts';
import { EmbeddedStore } from '../sql/embedded-store.ts';
import { EVENT_COLUMNS } from '../sql/rows.ts';
import type { FlushMessage, ProtoWorkerData } from './proto-worker.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workers: { type: 'string', default: '2' }, compact: { type: 'boolean', default: false } } });
  const format = values.compact ? 'JSONCompactEachRow' : 'JSONEachRow';
  const n = Number(values.workers);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error('proto-workers: --workers must be an integer from 1 to 64');
  const cfg = loadConfig();
  const store = await EmbeddedStore.open(cfg.FAULTLINE_DATA, cfg.CLICKHOUSE_DATABASE, cfg.FAULTLINE_RETENTION_DAYS);
  await store.migrate();
  let events = 0;
  let rejects = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`faultline_events_out_total ${events}\nfaultline_rejects_total ${rejects}\n`);
  });
  await new Promise<void>((r) => server.listen(cfg.FAULTLINE_METRICS_PORT, '127.0.0.1', r));

  const db = cfg.CLICKHOUSE_DATABASE;
  const workers: Worker[] = [];
  // Inserts are serialised: one at a time keeps parts large and the engine's threads busy.
  let chain = Promise.resolve();
  for (let i = 0; i < n; i++) {
    const data: ProtoWorkerData = {
      id: i,
      brokers: cfg.KAFKA_BROKERS,
      gatewayTopic: cfg.FAULTLINE_GATEWAY_TOPIC,
      clientTopic: cfg.FAULTLINE_CLIENT_TOPIC,
      group: cfg.KAFKA_GROUP_ID,
      batchRows: Math.ceil(cfg.FAULTLINE_BATCH_SIZE / n),
      batchMs: cfg.FAULTLINE_BATCH_MS,
      format,
    };
    const w = new Worker(new URL('./proto-worker-boot.mjs', import.meta.url), { workerData: data });
    w.on('message', (m: FlushMessage | { type: 'ready' } | { type: 'error'; message: string }) => {
      if (m.type === 'error') {
        process.stderr.write(`proto worker ${i}: ${m.message}\n`);
        process.exit(1);
      }
      if (m.type !== 'flush') return;
      chain = chain.then(async () => {
        const token = `${cfg.KAFKA_GROUP_ID}:${m.worker}:${m.seq}`;
        const settings = {
          insert_deduplication_token: '',
          insert_deduplicate: 1,
          deduplicate_blocks_in_dependent_materialized_views: 1,
          date_time_input_format: 'best_effort',
        };
        if (m.nEvents > 0) {
          await store.insertRaw({
            table: `${db}.events`,
            format,
            body: Buffer.from(m.events),
            ...(format === 'JSONCompactEachRow' ? { columns: [...EVENT_COLUMNS] } : {}),
            settings: { ...settings, insert_deduplication_token: `${token}:e` },
          });
        }
        if (m.nRejects > 0) {
          await store.insertRaw({
            table: `${db}.rejects`,
            format: 'JSONEachRow',
            body: Buffer.from(m.rejects),
            settings: { ...settings, insert_deduplication_token: `${token}:r` },
          });
        }
        events += m.nEvents;
        rejects += m.nRejects;
        if (process.env.FAULTLINE_BENCH_DEBUG) {
          process.stderr.write(
            `insert w${m.worker}#${m.seq}: ${m.nEvents}+${m.nRejects} rows, ${m.events.byteLength} B, done at ` +
              `${Math.round(performance.now())} ms\n`,
          );
        }
        w.postMessage({ type: 'ack', seq: m.seq });
      });
    });
    workers.push(w);
  }
  const stop = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.terminate()));
    await chain;
    server.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`proto-workers: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
