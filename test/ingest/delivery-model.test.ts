// The delivery protocol against a model of Kafka's commit log and ClickHouse's block
// deduplication (test/ingest/model/): for seeded scenarios, a member dies at every await point
// of its flushes in turn (and, at commits, is fenced by a rebalance instead), the partitions
// are split between two new owners (who may die again), and a last owner finishes; then every
// record must be stored exactly once, as the right kind, reconciled by the ledger, committed
// with no intent left, with no committed offset moving backwards, no metadata over 4,096
// bytes, and rollups exact outside the residual window (docs/delivery.md). A crash schedule
// starts its phases 2 and 3 from the dry run's copy of the world at the fatal step instead of
// running phase 1 again (exploreSeed, model/schedule.ts, says why that is the same schedule, and
// checks it on every 8th). They run in a worker thread, out of reach of node:test's async hook
// (model/explore.ts). The figure printed is schedules per second, wall and per CPU second.
//
// Seeds (test/support/seed.ts): scenario i of a run has seed FAULTLINE_TEST_SEED + i (a fixed
// default; FAULTLINE_TEST_SEED=random explores). A failure names its scenario's seed:
// FAULTLINE_TEST_SEED=<it> FAULTLINE_MODEL_SEEDS=1 replays just that one; FAULTLINE_MODEL_SEEDS
// sets how many scenarios a run explores (default 80).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { depth, TEST_SEED } from '../support/seed.ts';
import type { Outcome } from './model/explore.ts';

const base = TEST_SEED;
const seeds = Number(process.env.FAULTLINE_MODEL_SEEDS ?? depth(80));

test(`the delivery protocol survives a death at every await point of a flush, across ownership splits (seed ${base})`, async (t) => {
  // The schedules run in a worker thread (model/explore.ts says why).
  const worker = new Worker(new URL('./model/explore-boot.mjs', import.meta.url), { workerData: { base, seeds } });
  const outcome = await new Promise<Outcome>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the model's worker exited (${code}) without an outcome`)));
  });
  await worker.terminate();
  if (!outcome.ok) {
    const rerun = outcome.spec
      ? `\nrerun: FAULTLINE_TEST_SEED=${outcome.spec.seed} FAULTLINE_MODEL_SEEDS=1 npm test -- test/ingest/delivery-model.test.ts`
      : '';
    assert.fail(`${outcome.message}${rerun}`);
  }
  const { tally } = outcome;
  const { seconds, cpu } = tally;
  const kinds = tally.byKind.map(([k, n]) => `${k} ${n}`).join(', ');
  const line =
    `${tally.schedules} schedules over ${seeds} scenarios (base seed ${base}) in ${seconds.toFixed(2)} s ` +
    `(${cpu.toFixed(2)} s of CPU): ${Math.round(tally.schedules / seconds)} schedules/s ` +
    `(${Math.round(tally.schedules / cpu)} per CPU second); deaths at ${kinds}; fenced ${tally.fenced}; ` +
    `with a checked replay ${tally.checked}; in the residual window ${tally.residual}`;
  t.diagnostic(line);
  console.log(`delivery model: ${line}`);
  if (seeds >= 40) {
    // The model must reach every path the argument distinguishes, or it proves little.
    assert.ok(tally.checked > 0, 'some schedules took a checked replay (ownership split)');
    const died = new Map(tally.byKind);
    assert.ok(tally.fenced > 0 && (died.get('block') ?? 0) > 0 && (died.get('view') ?? 0) > 0);
    assert.ok((died.get('torn') ?? 0) > 0, 'some deaths tore an insert (its deduplication entry kept, its part lost)');
  }
});
