// The real brokers of the test bed (Apache Kafka 4.x and 3.9, fetched with Maven), and what
// kafkajs 2.2.4 does on them: Kafka 4.0 removed old request versions (KIP-896), so every
// request kafkajs sends for faultline's path — admin, produce, group join, fetch, offset
// commit with metadata, offset fetch — is recorded with its version and must succeed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { waitForTopic } from '../../support/kafka-broker.ts';
import { brokerKinds, brokerLabel, sharedTestBed, type BrokerKind } from '../../support/test-broker.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-broker.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** kafkajs with its debug log kept: the requests it sent ("Request Fetch(key: 1, version: 11)") and the error responses. */
function recordingClient(brokers: string[]) {
  const requests = new Set<string>();
  const errors: string[] = [];
  const kafka = new Kafka({
    brokers,
    clientId: 'kip-896',
    logLevel: logLevel.DEBUG,
    retry: { retries: 8, initialRetryTime: 100 },
    logCreator:
      () =>
      ({ level, log }) => {
        const m = /^Request (\w+\(key: \d+, version: \d+\))/.exec(log.message);
        if (m) requests.add(m[1]!);
        if (level === logLevel.ERROR && /^Response /.test(log.message)) errors.push(`${log.message}: ${String(log.error)}`);
      },
  });
  return { kafka, requests, errors };
}

type Commit = (arg: {
  topics: { topic: string; partitions: { partition: number; offset: string; metadata: string }[] }[];
}) => Promise<unknown>;

/** One OffsetCommit per metadata size, on partitions 0..n-1 at offset 1: `<size>: ok` or `<size>: <error type>`. */
async function commitEach(commit: Commit, topic: string, sizes: number[], n: number): Promise<string[]> {
  const tries: string[] = [];
  for (const size of sizes) {
    const partitions = Array.from({ length: n }, (_, partition) => ({ partition, offset: '1', metadata: 'm'.repeat(size) }));
    try {
      await commit({ topics: [{ topic, partitions }] });
      tries.push(`${size}: ok`);
    } catch (err) {
      tries.push(`${size}: ${(err as { type?: string }).type ?? String(err)}`);
    }
  }
  return tries;
}
for (const kind of brokerKinds().filter((k): k is Exclude<BrokerKind, 'mock'> => k !== 'mock')) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);

    test(`${kind === '4' ? 'Kafka 4' : 'Kafka 3.9'}: starts on loopback, serves kafkajs produce, a group, commits with metadata`, {
      timeout: 120_000,
    }, async (t) => {
      const b = await bed();
      const mem = b.real!.memory();
      t.diagnostic(
        `${b.label}: format ${b.real!.formatMs} ms, metadata served ${b.real!.startupMs} ms after start, JVM resident ` +
          `${(mem.rss / 2 ** 20).toFixed(0)} MiB`,
      );
      const { kafka, requests, errors } = recordingClient(b.brokers);
      const topic = `kip896-${kind}`;
      const admin = kafka.admin();
      await admin.connect();
      // CreateTopics through the admin API (the mock cluster cannot).
      assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: false }), true);
      await waitForTopic(admin, topic, 3);
      errors.length = 0; // NOT_LEADER answers while the partitions came up are what waitForTopic waits out
      // Idempotent: a retried produce is not written twice (and InitProducerId is exercised too).
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const sent = await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 300 }, (_, i) => ({ partition: i % 3, value: `m${i}` })),
      });
      assert.deepEqual(
        sent.map((r) => r.errorCode),
        [0, 0, 0],
      );
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `g-${topic}`, sessionTimeout: 3000, heartbeatInterval: 300 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        void consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch, commitOffsetsIfNecessary, heartbeat }) => {
              for (const m of batch.messages) seen.add(m.value!.toString());
              await heartbeat();
              const next = String(Number(batch.lastOffset()) + 1);
              // kafkajs's types omit metadata; its OffsetCommit encoder sends it (ingest/group-commit.ts relies on the same).
              const partitions = [{ partition: batch.partition, offset: next, metadata: `faultline/1 0-${Number(next) - 1}` }];
              await commitOffsetsIfNecessary({ topics: [{ topic, partitions }] });
              if (seen.size === 300) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      assert.equal(seen.size, 300);

      const [offsets] = await admin.fetchOffsets({ groupId: `g-${topic}`, topics: [topic] });
      assert.deepEqual(offsets!.partitions.map((p) => [p.partition, p.offset, p.metadata]).sort(), [
        [0, '100', 'faultline/1 0-99'],
        [1, '100', 'faultline/1 0-99'],
        [2, '100', 'faultline/1 0-99'],
      ]);
      const ends = await admin.fetchTopicOffsets(topic);
      assert.deepEqual(ends.map((p) => p.high).sort(), ['100', '100', '100']);
      await admin.disconnect();

      t.diagnostic(`${b.label}: kafkajs requests ${[...requests].sort().join(', ')}`);
      // Not Heartbeat: kafkajs's heartbeat() sends one only once heartbeatInterval has passed,
      // which a fast run may never reach (it failed this test once in CI).
      for (const api of [
        'Produce',
        'InitProducerId',
        'Fetch',
        'ListOffsets',
        'Metadata',
        'OffsetCommit',
        'OffsetFetch',
        'GroupCoordinator',
        'JoinGroup',
        'SyncGroup',
        'CreateTopics',
      ]) {
        assert.ok(
          [...requests].some((r) => r.startsWith(`${api}(`)),
          `kafkajs sent ${api}`,
        );
      }
      // Only the coordinators' startup may fail (retriable, retried): the first group lookup
      // while Kafka creates __consumer_offsets, InitProducerId while it loads __transaction_state.
      assert.deepEqual(
        errors.filter((e) => !/coordinator is not available|coordinator is loading/i.test(e)),
        [],
      );
    });

    test(`${kind === '4' ? 'Kafka 4' : 'Kafka 3.9'}: offset metadata over offset.metadata.max.bytes (4096) is refused`, {
      timeout: 60_000,
    }, async () => {
      const b = await bed();
      const topic = `meta-limit-${kind}`;
      await b.createTopic(topic, 1);
      const kafka = new Kafka({ brokers: b.brokers, clientId: 'meta-limit', logLevel: logLevel.NOTHING });
      {
        const consumer = kafka.consumer({ groupId: `g-${topic}`, sessionTimeout: 3000, heartbeatInterval: 300 });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({ topic, messages: [{ value: 'x' }] });
        await producer.disconnect();
        const outcome = await new Promise<string[]>((resolve) => {
          void consumer.run({
            autoCommit: false,
            eachBatch: async ({ commitOffsetsIfNecessary }) => {
              resolve(await commitEach(commitOffsetsIfNecessary, topic, [4096, 4097], 1));
            },
          });
        });
        await consumer.disconnect();
        assert.deepEqual(outcome, ['4096: ok', '4097: OFFSET_METADATA_TOO_LARGE']);
      }
    });

    test(`${kind === '4' ? 'Kafka 4' : 'Kafka 3.9'}: one OffsetCommit whose records exceed message.max.bytes (1 MiB) is refused whole`, {
      timeout: 90_000,
    }, async () => {
      // Kafka appends one commit's offsets to __consumer_offsets as one batch. 300 partitions
      // each carrying 4,000 bytes of metadata (each within offset.metadata.max.bytes) make a
      // ~1.2 MB batch: Kafka 4's group coordinator answers UNKNOWN_SERVER_ERROR (code -1, kafkajs
      // type UNKNOWN; "larger than the
      // maximum batch size of 1048588 bytes" in its log), 3.9's INVALID_COMMIT_OFFSET_SIZE.
      // The same partitions with 2,000 bytes each (~0.6 MB) are accepted.
      const b = await bed();
      const topic = `commit-batch-${kind}`;
      await b.createTopic(topic, 300);
      const kafka = new Kafka({
        brokers: b.brokers,
        clientId: 'commit-batch',
        logLevel: logLevel.NOTHING,
        retry: { retries: 10, initialRetryTime: 100 },
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => ({ partition: i, value: 'v' })) });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `g-${topic}`, sessionTimeout: 3000, heartbeatInterval: 300, retry: { retries: 0 } });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let once = false;
      const outcome = await new Promise<string[]>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ commitOffsetsIfNecessary }) => {
            if (once) return;
            once = true;
            resolve(await commitEach(commitOffsetsIfNecessary, topic, [4000, 2000], 300));
          },
        });
      });
      await consumer.disconnect();
      assert.deepEqual(outcome, [`4000: ${kind === '4' ? 'UNKNOWN' : 'INVALID_COMMIT_OFFSET_SIZE'}`, '2000: ok']);
      if (kind === '4') assert.match(b.real!.log(), /larger than the maximum batch size of 1048588 bytes/);
    });
  });
}

test('test-broker says plainly when Java or Maven is missing', { timeout: 60_000 }, () => {
  const cache = mkdtempSync(join(tmpdir(), 'fl-nocache-'));
  const bin = mkdtempSync(join(tmpdir(), 'fl-bin-'));
  const nodeOnly = mkdtempSync(join(tmpdir(), 'fl-node-'));
  try {
    // PATHs of symlinks: node's own directory (/usr/bin) may hold java and mvn too.
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const run = (path: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--kafka', '4'], {
        cwd: root,
        encoding: 'utf8',
        input: '',
        env: { ...process.env, PATH: path, FAULTLINE_CACHE_DIR: cache },
      });
    const noJava = run(nodeOnly);
    assert.equal(noJava.status, 1, noJava.stderr);
    assert.match(noJava.stderr, /Java is missing: .*openjdk-17-jre-headless/);
    assert.equal(noJava.stdout, '');
    // Java present, Maven not: a PATH holding only node and java.
    const java = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(java, join(bin, 'java'));
    const noMaven = run(`${bin}:${nodeOnly}`);
    assert.equal(noMaven.status, 1, noMaven.stderr);
    assert.match(noMaven.stderr, /Maven is missing: .*apt-get install -y maven/);
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
    rmSync(nodeOnly, { recursive: true, force: true });
  }
});
