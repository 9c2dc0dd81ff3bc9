// `node --import tsx bench/ingest.ts [--records N] [--partitions P] [--batch-size B]`:
// end-to-end ingest throughput and memory of the real `faultline run` (a child process, as a
// user starts it): generated gateway and client records (with their bit of garbage) are put on
// two topics of the librdkafka mock broker first, then `faultline run` consumes both into a
// fresh embedded chDB store. Reports records/s from spawn and in steady state, peak RSS,
// and checks the store afterwards (every record stored once). Not a timed test.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { startBroker } from '../support/broker.ts';
import { nativeBaselineMb, spawnNode } from './child.ts';
import { startFaultline, waitStored } from './faultline-run.ts';
import { fillTopic } from './produce.ts';

const { values } = parseArgs({
  options: { records: { type: 'string' }, partitions: { type: 'string' }, 'batch-size': { type: 'string' } },
});
const records = Number(values.records ?? 300_000);
const partitions = Number(values.partitions ?? 16);
const batchSize = values['batch-size'];
const log = (m: string) => process.stderr.write(`[bench/ingest ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const gateway: string[] = [];
const client: string[] = [];
for (const r of generateRecords({ count: records, sources: 'both', seed: 7 })) (r.source === 'gateway' ? gateway : client).push(r.value);
log(
  `${records.toLocaleString('en')} records generated: ${gateway.length.toLocaleString('en')} gateway, ` +
    `${client.length.toLocaleString('en')} client`,
);

const broker = await startBroker();
const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-ingest-'));
try {
  await broker.createTopic('bench-gw', partitions);
  await broker.createTopic('bench-cl', partitions);
  const fill = [
    await fillTopic(broker.bootstrap, 'bench-gw', partitions, gateway),
    await fillTopic(broker.bootstrap, 'bench-cl', partitions, client),
  ];
  const mb = fill.reduce((n, f) => n + f.bytes, 0) / 2 ** 20;
  log(`topics filled: ${mb.toFixed(0)} MiB in ${partitions} + ${partitions} partitions`);

  const nativeMb = await nativeBaselineMb();
  const load0 = loadavg()[0]!;
  const run = startFaultline({
    brokers: broker.bootstrap,
    gatewayTopic: 'bench-gw',
    clientTopic: 'bench-cl',
    dataDir: join(dataDir, 'store'),
    metricsPort: await freePort(),
    env: { FAULTLINE_LOG_LEVEL: 'warn', ...(batchSize ? { FAULTLINE_BATCH_SIZE: batchSize } : {}) },
  });
  const timed = await waitStored(run, records, 900_000, 200);
  const stopped = await run.stop(nativeMb);
  const load1 = loadavg()[0]!;

  const check = spawnNode(
    ['--import', 'tsx'],
    new URL('./store-query.ts', import.meta.url).pathname,
    [
      '--data',
      join(dataDir, 'store'),
      `SELECT (SELECT count() FROM faultline.events) AS events, (SELECT count() FROM faultline.rejects) AS rejects,
            (SELECT uniqExact(topic, partition, offset) FROM (SELECT topic, partition, offset FROM faultline.events
              UNION ALL SELECT topic, partition, offset FROM faultline.rejects)) AS distinct_offsets`,
    ],
    {},
    { memOut: join(dataDir, 'query.mem.jsonl') },
  );
  await check.exited;
  const row = (JSON.parse(check.stdout().trim() || '[[{}]]') as Record<string, string>[][])[0]?.[0] ?? {};

  const out = {
    records,
    partitions_per_topic: partitions,
    stored: timed.stored,
    events: Number(row.events),
    rejects: Number(row.rejects),
    duplicates: Number(row.events) + Number(row.rejects) - Number(row.distinct_offsets),
    records_per_s_from_spawn: timed.per_s,
    records_per_s_steady: timed.steady_per_s,
    cpu_us_per_record: timed.cpu_us_per_record,
    first_row_ms: timed.first_row_ms,
    last_row_ms: timed.last_row_ms,
    rss_peak_mb: stopped.memory.rss_peak_mb,
    js_peak_mb: stopped.memory.js_peak_mb,
    exit: stopped.exit,
    load_avg_1m: [Number(load0.toFixed(1)), Number(load1.toFixed(1))],
  };
  log(
    `faultline run: ${out.records_per_s_steady.toLocaleString('en')} records/s steady ` +
      `(${out.records_per_s_from_spawn.toLocaleString('en')}/s from spawn), ` +
      `peak RSS ${out.rss_peak_mb} MB (JS ${out.js_peak_mb} MB), ${out.events.toLocaleString('en')} events + ` +
      `${out.rejects.toLocaleString('en')} rejects, ${out.duplicates} duplicates, exit ${out.exit}; ` +
      `load ${out.load_avg_1m.join(' -> ')} on 2 cores`,
  );
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
