// The delivery protocol against a model of Kafka's commit log and ClickHouse's block
// deduplication (test/ingest/model/): for seeded scenarios, a member dies at every await point
// of its flushes in turn (and, at commits, is fenced by a rebalance instead), the partitions
// are split between two new owners (who may die again), and a last owner finishes; then every
// record must be stored exactly once, as the right kind, reconciled by the ledger, committed
// with no intent left, with no committed offset moving backwards, no metadata over 4,096
// bytes, and rollups exact outside the residual window (docs/delivery.md). A crash schedule
// starts its phases 2 and 3 from the dry run's copy of the world at the fatal step instead of
// running phase 1 again (exploreSeed, model/schedule.ts, says why that is the same schedule, and
// checks it on every 8th). The figure printed is schedules per second, wall and per CPU second.
//
// Seeds (test/support/seed.ts): scenario i of a run has seed FAULTLINE_TEST_SEED + i (a fixed
// default; FAULTLINE_TEST_SEED=random explores). A failure names its scenario's seed:
// FAULTLINE_TEST_SEED=<it> FAULTLINE_MODEL_SEEDS=1 replays just that one; FAULTLINE_MODEL_SEEDS
// sets how many scenarios a run explores (default 80).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { depth, TEST_SEED } from '../support/seed.ts';
import { exploreSeed, ScheduleFailure, type ScheduleResult, type ScheduleSpec } from './model/schedule.ts';

const base = TEST_SEED;
const seeds = Number(process.env.FAULTLINE_MODEL_SEEDS ?? depth(80));

test(`the delivery protocol survives a death at every await point of a flush, across ownership splits (seed ${base})`, async (t) => {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const tally = { schedules: 0, steps: 0, fenced: 0, checked: 0, residual: 0, byKind: new Map<string, number>() };
  const visit = (spec: ScheduleSpec, r: ScheduleResult) => {
    tally.schedules++;
    if (spec.crashAt === 0) return;
    if (spec.fence) tally.fenced++;
    if (r.checked) tally.checked++;
    if (r.residual) tally.residual++;
    tally.byKind.set(r.fired!, (tally.byKind.get(r.fired!) ?? 0) + 1);
  };
  for (let i = 0; i < seeds; i++) {
    const seed = (base + i) >>> 0;
    try {
      const dry = await exploreSeed(seed, visit);
      tally.steps += dry.steps;
    } catch (err) {
      if (!(err instanceof ScheduleFailure)) throw err;
      throw new Error(
        `${err.message}\nrerun: FAULTLINE_TEST_SEED=${err.spec.seed} FAULTLINE_MODEL_SEEDS=1 npm test -- test/ingest/delivery-model.test.ts`,
        { cause: err.cause },
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6; // this process's CPU: the figure that holds on a shared machine
  const kinds = [...tally.byKind].map(([k, n]) => `${k} ${n}`).join(', ');
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
    assert.ok(tally.fenced > 0 && (tally.byKind.get('block') ?? 0) > 0 && (tally.byKind.get('view') ?? 0) > 0);
    assert.ok((tally.byKind.get('torn') ?? 0) > 0, 'some deaths tore an insert (its deduplication entry kept, its part lost)');
  }
});
