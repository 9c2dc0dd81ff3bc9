// The ceiling of one kafkajs consumer on one thread: consume + JSON.parse, nothing else.
// Run as a child process:
//
//   node --import tsx bench/kafkajs-baseline.ts --brokers H:P --topic T --records N
//
// Prints one JSON line: {messages, elapsed_ms, first_msg_ms, msgs_per_s, steady_msgs_per_s, parse_errors}.
import { logLevel, Kafka } from 'kafkajs';
import { parseArgs } from 'node:util';

export interface BaselineResult {
  messages: number;
  elapsed_ms: number;
  first_msg_ms: number;
  msgs_per_s: number;
  /** From the first message to the last, i.e. without the group join. */
  steady_msgs_per_s: number;
  parse_errors: number;
  /** CPU of the process per message, from the first message to the last, µs. */
  cpu_us_per_msg: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string' },
      topic: { type: 'string' },
      records: { type: 'string' },
      'timeout-s': { type: 'string', default: '300' },
    },
  });
  const records = Number(values.records);
  if (!values.brokers || !values.topic || !Number.isInteger(records) || records <= 0) {
    throw new Error('kafkajs-baseline: --brokers, --topic and --records N (> 0) are required');
  }
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers: values.brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-baseline-${process.pid}-${Date.now()}`,
    maxBytes: 50 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [values.topic], fromBeginning: true });
  const t0 = performance.now();
  let first = 0;
  let cpuFirst = process.cpuUsage();
  let n = 0;
  let bad = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((res) => (resolveDone = res));
  const timeout = setTimeout(resolveDone, Number(values['timeout-s']) * 1000);
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (first === 0) {
        first = performance.now();
        cpuFirst = process.cpuUsage();
      }
      for (const m of batch.messages) {
        try {
          JSON.parse(m.value ? m.value.toString('utf8') : 'null');
        } catch {
          bad++;
        }
      }
      n += batch.messages.length;
      if (n >= records) resolveDone();
    },
  });
  await done;
  const end = performance.now();
  const cpu = process.cpuUsage(cpuFirst);
  clearTimeout(timeout);
  await consumer.disconnect();
  const out: BaselineResult = {
    messages: n,
    elapsed_ms: Math.round(end - t0),
    first_msg_ms: Math.round(first - t0),
    msgs_per_s: Math.round(n / ((end - t0) / 1000)),
    steady_msgs_per_s: Math.round(n / ((end - first) / 1000)),
    parse_errors: bad,
    cpu_us_per_msg: Math.round(((cpu.user + cpu.system) / n) * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`kafkajs-baseline: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
