// Pausing and resuming fetches on the records in memory (ingest/backpressure.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchGate, resumeAt } from '../../ingest/backpressure.ts';
import { IngestMetrics } from '../../ingest/metrics.ts';
import { silentLogger } from '../../ingest/log.ts';

test('fetching pauses at the high-water mark, resumes at its resume mark, and stays paused while stopping', async () => {
  const calls: string[] = [];
  const consumer = {
    pause: (t: { topic: string }[]) => void calls.push(`pause ${t.map((x) => x.topic).join(',')}`),
    resume: (t: { topic: string }[]) => void calls.push(`resume ${t.map((x) => x.topic).join(',')}`),
  };
  const metrics = new IngestMetrics();
  const gate = new FetchGate(consumer, ['gw', 'cl'], 100, 50, metrics, silentLogger);
  const gauge = async () => (await metrics.paused.get()).values[0]?.value ?? 0;
  gate.update(99, false);
  assert.deepEqual([calls, gate.paused], [[], false]);
  gate.update(100, false);
  gate.update(150, false);
  assert.deepEqual([calls, gate.paused, await gauge()], [['pause gw,cl'], true, 1]);
  gate.update(51, false);
  assert.equal(gate.paused, true, 'above the resume mark: still paused');
  gate.update(50, false);
  assert.deepEqual([calls.at(-1), gate.paused, await gauge()], ['resume gw,cl', false, 0]);
  gate.update(500, false);
  gate.update(0, true);
  assert.deepEqual([calls.at(-1), gate.paused], ['pause gw,cl', true], 'the drain keeps fetching paused');
  assert.equal((await metrics.buffered.get()).values[0]?.value, 0, 'records in memory are always reported');
});

test('while the consumer is stopped (a crash, before its restart) pause/resume are refused: the gate keeps its state and reapplies it', () => {
  const calls: string[] = [];
  let running = false;
  const consumer = {
    pause: () => {
      if (!running) throw new Error('Consumer group was not initialized, consumer#run must be called first');
      calls.push('pause');
    },
    resume: () => {
      if (!running) throw new Error('Consumer group was not initialized, consumer#run must be called first');
      calls.push('resume');
    },
  };
  const gate = new FetchGate(consumer, ['gw'], 100, 50, new IngestMetrics(), silentLogger);
  gate.update(150, false); // refused by the stopped consumer, no throw
  assert.equal(gate.paused, true);
  running = true;
  gate.reapply(); // the restarted consumer fetches everything: paused again
  assert.deepEqual(calls, ['pause']);
  gate.update(40, false);
  assert.deepEqual(calls, ['pause', 'resume']);
  gate.reapply(); // not paused: nothing to do
  assert.deepEqual(calls, ['pause', 'resume']);
});

test('fetching resumes half a batch below the high water, so a stored flush lets the next records in', () => {
  // The default bounds (kafka-source.ts): high water 3 × the batch. A flush of one batch stored
  // at the high water leaves 2 batches in memory: fetching must resume then, not at half (75,000),
  // or it stays paused through the next flush and the normalize thread runs dry.
  assert.equal(resumeAt(150_000, 50_000), 125_000);
  assert.ok(150_000 - 50_000 <= resumeAt(150_000, 50_000));
  // A small high water set for a test never resumes below half of it (hysteresis of at least half).
  assert.equal(resumeAt(600, 10_000), 300);
  assert.equal(resumeAt(1000, 500), 750);
});
