// kafkajs consume + JSON.parse (bench/kafkajs-baseline.ts) on each broker of the test bed, one
// run each, same generated gateway records on a fresh topic of the same partition count:
//
//   node --import tsx bench/broker-compare.ts [--records 200000] [--partitions 64] [--brokers mock,4,3.9]
//
// Prints one line per broker (fill and consume figures, the broker's memory for a real one).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generateRecords } from '../ingest/generator/index.ts';
import { brokerKinds, startTestBed } from '../support/test-broker.ts';
import type { BaselineResult } from './kafkajs-baseline.ts';
import { fillTopic } from './produce.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '64' },
    brokers: { type: 'string', default: 'mock,4,3.9' },
  },
});
const records = Number(values.records);
const partitions = Number(values.partitions);
const kinds = brokerKinds({ FAULTLINE_TEST_BROKERS: values.brokers });
const corpus = [...generateRecords({ count: records, sources: 'gateway', garbage: 0, seed: 1 })].map((r) => r.value);
const avg = Math.round(corpus.reduce((n, r) => n + Buffer.byteLength(r), 0) / records);
console.log(`${records.toLocaleString('en')} gateway records of ~${avg} bytes, ${partitions} partitions, load ${loadavg()[0]!.toFixed(2)}`);

for (const kind of kinds) {
  const bed = await startTestBed(kind);
  try {
    await bed.createTopic('bench', partitions);
    const fill = await fillTopic(bed.bootstrap, 'bench', partitions, corpus);
    const c = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./kafkajs-baseline.ts', import.meta.url)),
        '--brokers',
        bed.bootstrap,
        '--topic',
        'bench',
        '--records',
        String(records),
      ],
      { encoding: 'utf8' },
    );
    if (c.status !== 0) throw new Error(`kafkajs-baseline on ${bed.label} failed: ${c.stderr}`);
    const r = JSON.parse(c.stdout.trim().split('\n').pop()!) as BaselineResult;
    const mem = bed.real
      ? `, broker resident ${(bed.real.memory().rss / 2 ** 20).toFixed(0)} MiB (peak ${(bed.real.memory().peak / 2 ** 20).toFixed(0)})`
      : '';
    console.log(
      `${bed.label.padEnd(12)} fill ${Math.round(fill.records / (fill.elapsed_ms / 1000)).toLocaleString('en')} rec/s; consume+parse ` +
        `${r.messages.toLocaleString('en')} msgs: ${r.msgs_per_s.toLocaleString('en')} msg/s overall, ` +
        `${r.steady_msgs_per_s.toLocaleString('en')} msg/s steady, ${r.cpu_us_per_msg} µs CPU/msg, first message after ` +
        `${r.first_msg_ms} ms${mem}; load ${loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    await bed.stop();
  }
}
