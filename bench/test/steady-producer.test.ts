// The freshness phase's producer and arithmetic: records stamped with their produce time in
// place of the placeholder, spread over partitions, acknowledged, and the latency samples
// taken from the producer's and the store counter's timelines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { externalLatencies, quantile } from '../freshness.ts';
import { kafka } from '../produce.ts';
import { STAMP_PLACEHOLDER, produceTime, startSteady, writeTemplates } from '../steady-producer.ts';
import { startBroker } from '../../support/broker.ts';

test('writeTemplates: one record per line, each starting with the fixed-width placeholder and no other time key', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fl-steady-')), 't.jsonl');
  const w = writeTemplates(file, 7, 300);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, w.templates);
  assert.ok(w.templates > 250, `expected most generated records as templates, got ${w.templates}`);
  for (const l of lines) {
    assert.ok(l.startsWith(STAMP_PLACEHOLDER));
    const stamped = `{"ts":"2026-11-22T23:00:00.123Z"${l.slice(STAMP_PLACEHOLDER.length)}`;
    const obj = JSON.parse(stamped) as Record<string, unknown>;
    assert.equal(obj.ts, '2026-11-22T23:00:00.123Z');
    for (const k of ['time', 'timestamp', '@timestamp', 'event_time', 'logged_at']) assert.equal(k in obj, false, k);
  }
});

test(
  'produceTime interpolates between progress samples' + '; externalLatencies pairs it with the first counter poll that saw the record',
  () => {
    // 1,000 records/s: 0 at t=1000, 100 at t=1100, 200 at t=1200.
    const produced: [number, number, number][] = [
      [0, 0, 1000],
      [100, 90, 1100],
      [200, 200, 1200],
    ];
    assert.equal(produceTime(produced, 0), 1001);
    assert.equal(produceTime(produced, 149), 1150);
    assert.equal(produceTime(produced, 200), undefined); // not produced within the timeline
    // The counter saw 50 records at 1300, 150 at 1400, 200 at 1500.
    const stored: [number, number][] = [
      [1300, 50],
      [1400, 150],
      [1500, 200],
    ];
    const lat = externalLatencies(produced, stored, 0, 200, 50);
    // k=0 → 1300−1001, k=50 → 1400−1051, k=100 → 1400−1101, k=150 → 1500−1151
    assert.deepEqual(lat, [299, 299, 349, 349]);
    assert.equal(quantile(lat, 0.5), 349);
    assert.ok(Number.isNaN(quantile([], 0.5)));
    // Records the counter never reached are left out, not counted as fresh.
    assert.deepEqual(externalLatencies(produced, [[1300, 50]], 0, 200, 50), [299]);
  },
);

test('the C producer sends the rate over every partition, each record stamped with its produce time', async () => {
  const broker = await startBroker();
  const dir = mkdtempSync(join(tmpdir(), 'fl-steady-'));
  const file = join(dir, 't.jsonl');
  writeTemplates(file, 3, 100);
  try {
    await broker.createTopic('steady', 4);
    const wallStart = Date.now();
    const r = await startSteady({
      brokers: broker.bootstrap,
      topic: 'steady',
      partitions: 4,
      rate: 2000,
      seconds: 0.5,
      templatesFile: file,
      lingerMs: 5,
    }).done;
    const wallEnd = Date.now();
    assert.equal(r.records, 1000);
    assert.equal(r.acked, 1000);
    assert.equal(r.valid, true, JSON.stringify({ ...r, timeline: r.timeline.length }));
    assert.ok(r.achieved_per_s >= 1900 && r.achieved_per_s <= 2050, `achieved ${r.achieved_per_s}/s`);
    assert.ok(r.started_at >= wallStart - 5 && r.started_at <= wallEnd);
    assert.equal(r.timeline.at(-1)![0], 1000);

    const admin = kafka(broker.bootstrap).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('steady');
    await admin.disconnect();
    assert.deepEqual(offsets.map((o) => Number(o.high)).sort(), [250, 250, 250, 250]);

    const consumer = kafka(broker.bootstrap).consumer({ groupId: `steady-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'steady', fromBeginning: true });
    const stamps: number[][] = [[], [], [], []];
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${seen} of 1000`)), 30_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const obj = JSON.parse(message.value!.toString()) as { ts: string };
          assert.match(obj.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          stamps[partition]!.push(Date.parse(obj.ts));
          if (++seen === 1000) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    for (const s of stamps) {
      assert.equal(s.length, 250);
      // Stamped when produced: within the run, in order within a partition, spread over the half second.
      assert.ok(s[0]! >= r.started_at && s.at(-1)! <= wallEnd, `stamps ${s[0]}…${s.at(-1)} outside ${r.started_at}…${wallEnd}`);
      assert.deepEqual(
        [...s].sort((a, b) => a - b),
        s,
      );
      assert.ok(s.at(-1)! - s[0]! >= 350, `stamps span ${s.at(-1)! - s[0]!} ms`);
    }
  } finally {
    await broker.stop();
  }
});
