// One door to every broker of the test bed: librdkafka's mock cluster (fault injection) or a
// real Apache Kafka of a pinned version. Tests of the Kafka path run once per kind in
// `brokerKinds()`; FAULTLINE_TEST_BROKERS (comma-separated: mock, 4, 3.9) narrows the list by
// hand, e.g. FAULTLINE_TEST_BROKERS=mock when iterating on a laptop without Java.
import { startBroker } from './broker.ts';
import { KAFKA_VERSIONS, type KafkaLine } from './kafka-dist.ts';
import { startKafka, type KafkaBrokerOptions, type RealKafka } from './kafka-broker.ts';

export type BrokerKind = 'mock' | KafkaLine;
const ALL: readonly BrokerKind[] = ['mock', '4', '3.9'];

/** What every kind offers: a bootstrap list, topics, a stop. */
export interface TestBed {
  readonly kind: BrokerKind;
  /** `mock` or `kafka 4.4.0`: for test names and diagnostics. */
  readonly label: string;
  readonly bootstrap: string;
  readonly brokers: string[];
  createTopic(name: string, partitions: number, config?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
  /** Set for a real broker only. */
  readonly real?: RealKafka;
}

export function brokerLabel(kind: BrokerKind): string {
  return kind === 'mock' ? 'mock' : `kafka ${KAFKA_VERSIONS[kind]}`;
}

/** The kinds to run the Kafka-path tests against: all three unless FAULTLINE_TEST_BROKERS says otherwise. */
export function brokerKinds(env: NodeJS.ProcessEnv = process.env): BrokerKind[] {
  const raw = env.FAULTLINE_TEST_BROKERS?.trim();
  if (!raw) return [...ALL];
  const kinds = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const k of kinds) {
    if (!(ALL as readonly string[]).includes(k))
      throw new Error(`FAULTLINE_TEST_BROKERS: unknown broker "${k}"; allowed: ${ALL.join(', ')}`);
  }
  return kinds as BrokerKind[];
}

export async function startTestBed(kind: BrokerKind, opts: KafkaBrokerOptions = {}): Promise<TestBed> {
  if (kind === 'mock') {
    const m = await startBroker();
    return {
      kind,
      label: 'mock',
      bootstrap: m.bootstrap,
      brokers: m.brokers,
      createTopic: (name, partitions) => m.createTopic(name, partitions),
      stop: () => m.stop(),
    };
  }
  const k = await startKafka(KAFKA_VERSIONS[kind], opts);
  return { kind, label: brokerLabel(kind), bootstrap: k.bootstrap, brokers: k.brokers, createTopic: k.createTopic, stop: k.stop, real: k };
}

/**
 * One broker of `kind` per test file, started on first use and stopped when the file's tests
 * end (`after`): a JVM start costs seconds, and every test names its own topics and group.
 */
export function sharedTestBed(
  kind: BrokerKind,
  after: (fn: () => Promise<void>) => void,
  opts: KafkaBrokerOptions = {},
): () => Promise<TestBed> {
  let bed: Promise<TestBed> | undefined;
  after(async () => {
    if (bed) await (await bed).stop();
  });
  return () => (bed ??= startTestBed(kind, opts));
}
