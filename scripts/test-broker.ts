// `npm run -s test-broker -- --kafka 4 | --kafka 3.9 | --mock [--topic NAME:PARTITIONS]…`
// A broker of the test bed by hand, for benchmarks and checks: the first line on stdout is
// `bootstrap=HOST:PORT`; startup time and memory follow on stderr; it runs until its standard
// input closes or it gets SIGTERM/SIGINT, then stops the broker and removes its data.
import { parseArgs } from 'node:util';
import { KAFKA_VERSIONS } from '../support/kafka-dist.ts';
import { startTestBed, type BrokerKind, type TestBed } from '../support/test-broker.ts';

const USAGE = 'usage: npm run -s test-broker -- (--kafka 4|3.9 | --mock) [--topic NAME:PARTITIONS]...';

function fail(msg: string): never {
  process.stderr.write(`test-broker: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { kafka: { type: 'string' }, mock: { type: 'boolean' }, topic: { type: 'string', multiple: true }, help: { type: 'boolean' } },
  strict: true,
});
if (values.help) {
  process.stdout.write(
    `${USAGE}\n  --kafka ${Object.entries(KAFKA_VERSIONS)
      .map(([k, v]) => `${k} (${v})`)
      .join(', ')}\n  --mock  librdkafka's mock cluster\n`,
  );
  process.exit(0);
}
if (values.mock === (values.kafka !== undefined)) fail('give exactly one of --kafka VERSION and --mock');
let kind: BrokerKind = 'mock';
if (values.kafka !== undefined) {
  if (!(values.kafka in KAFKA_VERSIONS)) fail(`--kafka ${values.kafka}: allowed ${Object.keys(KAFKA_VERSIONS).join(', ')}`);
  kind = values.kafka as BrokerKind;
}
const topics = (values.topic ?? []).map((t) => {
  const m = /^([A-Za-z0-9._-]{1,249}):(\d{1,4})$/.exec(t);
  if (!m) fail(`--topic ${t}: expected NAME:PARTITIONS`);
  return { name: m[1]!, partitions: Number(m[2]) };
});

let bed: TestBed;
try {
  bed = await startTestBed(kind);
} catch (err) {
  process.stderr.write(`test-broker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
for (const t of topics) await bed.createTopic(t.name, t.partitions);
process.stdout.write(`bootstrap=${bed.bootstrap}\n`);
if (bed.real) {
  const mem = bed.real.memory();
  process.stderr.write(
    `test-broker: ${bed.label} formatted in ${bed.real.formatMs} ms, serving metadata ${bed.real.startupMs} ms after start; JVM ` +
      `resident ${(mem.rss / 2 ** 20).toFixed(0)} MiB\n`,
  );
}

let stopping = false;
const stop = async (why: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`test-broker: ${why}, stopping ${bed.label}\n`);
  await bed.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
process.stdin.on('end', () => void stop('stdin closed'));
process.stdin.resume();
