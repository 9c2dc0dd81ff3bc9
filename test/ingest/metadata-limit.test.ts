// What only a real broker shows: Apache Kafka refuses committed-offset metadata longer than
// offset.metadata.max.bytes (4096 by default; the mock cluster accepts any length). A flush over
// 400 partitions of two long-named topics has a composition that cannot fit one metadata string,
// so splitCompositions cuts it: the process is killed right after that flush's first events
// insert, and the intents Kafka accepted are read back — two or more compositions, each within
// the limit, that as one would not fit. The restart replays each composition whole; counts exact.
//
// On the newest Kafka line only (the 4096-byte limit is the same in 3.9, where
// test/support/kafka-broker.test.ts checks it at the protocol level; CI time counts).
// The broker runs with its defaults, so the other limit holds too: Kafka writes one commit's
// records as one batch to __consumer_offsets, refused above message.max.bytes (1 MiB by
// default; the protocol-level test in test/support/kafka-broker.test.ts pins it). One ~4 KB
// composition on each of ~400 partitions would be ~1.6 MB in one OffsetCommit: compositions
// are also cut by (partitions x metadata) and the intent goes in requests under 512 KiB
// (ingest/intent.ts, MAX_COMMIT_METADATA).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeComposition, encodeComposition, type SegmentRef } from '../../ingest/intent.ts';
import { reconcile } from '../../sql/ledger.ts';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';
import { counts, kafkaClient, produce, records, sleep, waitFor } from './helpers.ts';
import { endpointStore, startRun } from './run-child.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-after-insert.ts', import.meta.url));
const PARTITIONS = 200;
// Kafka topic names go up to 249 characters; a composition names each of its topics once.
const GW = `gw-metadata-limit-${'g'.repeat(200)}`;
const CL = `cl-metadata-limit-${'c'.repeat(200)}`;

for (const kind of brokerKinds().filter((k) => k === '4')) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    test('a flush whose composition exceeds offset.metadata.max.bytes is split; Kafka accepts every part; the restart replays each whole', {
      timeout: 180_000,
    }, async (t) => {
      const broker = await bed();
      const t00 = Date.now();
      const dataDir = mkdtempSync(join(tmpdir(), 'faultline-metalimit-'));
      t.after(() => rmSync(dataDir, { recursive: true, force: true }));
      await broker.createTopic(GW, PARTITIONS);
      await broker.createTopic(CL, PARTITIONS);
      t.diagnostic(`topics created in ${Date.now() - t00} ms`);
      const first = records('gateway', 1, { tag: 'm0', garbageEvery10: false });
      const gw = records('gateway', PARTITIONS * 10, { tag: 'ml' });
      const cl = records('client', PARTITIONS * 10, { tag: 'mc' });
      const kafka = kafkaClient(broker.bootstrap);
      const producer = kafka.producer();
      await producer.connect();
      t.after(() => producer.disconnect());
      const total = 1 + gw.values.length + cl.values.length;
      const env = {
        KAFKA_BROKERS: broker.bootstrap,
        KAFKA_GROUP_ID: 'g-metalimit',
        FAULTLINE_GATEWAY_TOPIC: GW,
        FAULTLINE_CLIENT_TOPIC: CL,
        FAULTLINE_DATA: dataDir,
        CLICKHOUSE_DATABASE: 'faultline',
        FAULTLINE_METRICS_PORT: '0',
        KAFKA_SESSION_TIMEOUT_MS: '3000',
        // The size bound is every record after the first: the second flush spans all 400
        // partitions. The process kills itself after that flush's first events insert.
        FAULTLINE_BATCH_SIZE: String(total - 1),
        FAULTLINE_BATCH_MS: '60000',
        CRASH_AFTER_INSERTS: '2',
      };
      // One record first, stored by a first flush of its own (the first flush goes at once).
      await produce(producer, GW, first.values, 1);
      const t0 = Date.now();
      const crashing = startRun(env, [], FIXTURE);
      t.after(() => crashing.kill('SIGKILL'));
      const admin = kafka.admin();
      await admin.connect();
      t.after(() => admin.disconnect());
      // NOT_COORDINATOR while the group's coordinator starts: asked again on the next poll.
      const firstCommitted = async () =>
        (await admin.fetchOffsets({ groupId: 'g-metalimit', topics: [GW] }).catch(() => []))[0]?.partitions.find((p) => p.partition === 0)
          ?.offset;
      await waitFor(
        'the first flush committed',
        async () => crashing.proc.exitCode !== null || (await firstCommitted()) === '1',
        (ok) => ok,
        60_000,
        100,
      );
      await produce(producer, GW, gw.values, PARTITIONS, 2000);
      await produce(producer, CL, cl.values, PARTITIONS, 2000);
      const died = await Promise.race([
        crashing.exited,
        sleep(60_000).then(() => ({ signal: `still running after 60 s: ${crashing.stderr().slice(-3000)}` })),
      ]);
      assert.equal(died.signal, 'SIGKILL', crashing.stderr().slice(-1500));
      assert.equal((crashing.stderr().match(/stored under/g) ?? []).length, 1, 'the fixture died at its second events insert');
      t.diagnostic(`killed after its second events insert at ${Date.now() - t0} ms`);

      // The intents, as the real broker kept them.
      const committed = await admin.fetchOffsets({ groupId: 'g-metalimit', topics: [GW, CL] });
      // Partitions of an earlier, completed flush hold no intent ('').
      const texts = new Set(committed.flatMap((c) => c.partitions.map((p) => p.metadata ?? '')).filter(Boolean));
      const compositions = [...texts].map((m) => ({ m, segs: decodeComposition(m) }));
      assert.ok(
        compositions.every((c) => c.segs !== undefined),
        `intents are compositions: ${[...texts].map((m) => m.slice(0, 60)).join(' | ')}`,
      );
      const all: SegmentRef[] = compositions.flatMap((c) => c.segs!);
      const bytes = compositions.map((c) => Buffer.byteLength(c.m));
      // The same flush as one composition (intent.ts's format: topics once, then t.partition:first+count).
      const asOne =
        `faultline flush ${GW}|${CL} ` +
        `${all.map((s) => `${s.topic === GW ? 0 : 1}.${s.partition}:${s.first}+${s.last - s.first}`).join(',')}`;
      t.diagnostic(
        `${broker.label}: ${compositions.length} compositions of ${bytes.join(', ')} bytes over ${all.length} segments; as one it would ` +
          `be ${asOne.length} bytes`,
      );
      assert.ok(compositions.length >= 2, 'the flush was split');
      assert.ok(
        bytes.every((b) => b <= 4096),
        'each part fits offset.metadata.max.bytes',
      );
      assert.equal(encodeComposition(all), undefined);
      assert.ok(asOne.length > 4096, 'the whole flush does not fit one metadata string');

      const run = startRun({ ...env, FAULTLINE_BATCH_MS: '300' }, ['--progress-ms', '1000']);
      t.after(() => run.kill('SIGKILL'));
      const store = await endpointStore(dataDir, 'faultline');
      t.after(() => store.close());
      await waitFor(
        'every record stored',
        () => counts(store, 'faultline'),
        (c) => c.events + c.rejects >= total,
        90_000,
        300,
      );
      t.diagnostic(`restart stored everything at ${Date.now() - t0} ms`);
      await sleep(500);
      const c = await counts(store, 'faultline');
      const rec = await reconcile(store);
      const s0 = Date.now();
      run.kill('SIGTERM');
      assert.equal((await run.exited).code, 0, run.stderr().slice(-1500));
      t.diagnostic(`graceful stop took ${Date.now() - s0} ms`);
      assert.deepEqual(c, { events: 1 + gw.valid + cl.valid, rejects: gw.garbage + cl.garbage, distinct: total });
      const replays = run.stderr().match(/replaying a flush of \d+ segments whole/g) ?? [];
      assert.equal(replays.length, compositions.length, run.stderr().slice(-3000));
      for (const p of rec) assert.equal(p.diff, 0, `${p.topic}/${p.partition} reconciles`);
    });
  });
}
