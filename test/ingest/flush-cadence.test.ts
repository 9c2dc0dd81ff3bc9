// The adaptive flush cadence (ingest/flush-plan.ts nextFlush; docs/delivery.md, "Bounds"):
// when a flush starts with no other running, and how much it may take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BEHIND_FACTOR, nextFlush, planFlush, type CadenceState, type PartitionView } from '../../ingest/flush-plan.ts';

const o = { batchSize: 50_000, batchMs: 1000, minSize: 10_000 };
const state = (v: Partial<CadenceState>): CadenceState => ({ weight: 0, oldestAgeMs: 0, flushes: 5, force: false, ...v });

test('nothing flushable: no flush, whatever the bounds say', () => {
  assert.equal(nextFlush(state({ weight: 200_000, oldestAgeMs: null }), o), null);
  assert.equal(nextFlush(state({ weight: 200_000, oldestAgeMs: null, force: true }), o), null);
});

test('the first flush and the drain go at once', () => {
  assert.deepEqual(nextFlush(state({ weight: 1, flushes: 0 }), o), { maxRecords: 50_000 });
  assert.deepEqual(nextFlush(state({ weight: 1, force: true }), o), { maxRecords: 50_000 });
});

test('with the sink idle, a flush starts at the minimum size without waiting for the interval', () => {
  assert.equal(nextFlush(state({ weight: 9_999, oldestAgeMs: 999 }), o), null, 'below the minimum, young: wait');
  assert.deepEqual(nextFlush(state({ weight: 10_000, oldestAgeMs: 5 }), o), { maxRecords: 50_000 });
});

test('at low rates the time bound applies', () => {
  assert.equal(nextFlush(state({ weight: 20, oldestAgeMs: 999 }), o), null);
  assert.deepEqual(nextFlush(state({ weight: 20, oldestAgeMs: 1000 }), o), { maxRecords: 50_000 });
});

test('the minimum never exceeds the batch size (a small FAULTLINE_BATCH_SIZE keeps its meaning)', () => {
  const small = { batchSize: 100, batchMs: 1000, minSize: 10_000 };
  assert.equal(nextFlush(state({ weight: 99, oldestAgeMs: 10 }), small), null);
  assert.deepEqual(nextFlush(state({ weight: 100, oldestAgeMs: 10 }), small), { maxRecords: 100 });
});

test('behind (more than a batch buffered), a flush may take BEHIND_FACTOR batches', () => {
  assert.deepEqual(nextFlush(state({ weight: 50_000, oldestAgeMs: 10 }), o), { maxRecords: 50_000 }, 'exactly a batch: not behind');
  assert.deepEqual(nextFlush(state({ weight: 50_001, oldestAgeMs: 10 }), o), { maxRecords: BEHIND_FACTOR * 50_000 });
  assert.deepEqual(nextFlush(state({ weight: 150_000, oldestAgeMs: 3000 }), o), { maxRecords: BEHIND_FACTOR * 50_000 });
});

test('the plan takes whole partitions up to the larger bound when behind', () => {
  const parts = new Map<string, PartitionView>(
    [0, 1, 2, 3, 4, 5].map((p) => [
      `t/${p}`,
      { topic: 't', partition: p, held: false, replayGroup: null, hasTakeable: true, records: 25_000, weight: 25_000, committed: 0 },
    ]),
  );
  const weight = 6 * 25_000;
  const next = nextFlush(state({ weight, oldestAgeMs: 2000 }), o)!;
  const plan = planFlush(parts, { maxRecords: next.maxRecords, rotate: 0, staleGroups: false });
  assert.deepEqual(plan.fresh, ['t/0', 't/1', 't/2', 't/3'], '100,000 of 150,000 buffered, instead of 50,000');
});
