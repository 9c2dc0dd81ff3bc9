// `faultline status`'s rollup check (sql/rollup-drift.ts) on chDB: after the sink's inserts every
// rollup counts each row once; a view part lost (what a kill tearing it leaves: the rows in
// `events`, not in the rollup) shows as that rollup short by exactly those rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../ingest/log.ts';
import { Sink } from '../../ingest/sink.ts';
import { deliveryTarget } from '../../sql/ledger.ts';
import { rollupDrift } from '../../sql/rollup-drift.ts';
import { formatRollups } from '../../cli/commands/status.ts';
import { testStore } from '../support/stores.ts';
import { records, segmentsOf } from '../ingest/helpers.ts';

test('rollups count every event and reject once; a lost view part shows as that rollup short by its rows', async (t) => {
  const ts = await testStore('drift');
  t.after(() => ts.cleanup());
  const recs = records('gateway', 300, { tag: 'dr' });
  const sink = new Sink({ target: deliveryTarget(ts.store), log: silentLogger });
  await sink.write(await segmentsOf('gw', 0, recs.values, 0, [], null, Date.UTC(2026, 10, 21, 10, 0, 0)));
  const exact = await rollupDrift(ts.store, ts.db, 0);
  assert.deepEqual(
    exact.map((d) => [d.rollup, d.rows, d.counted]),
    [
      ['events_1m', recs.valid, recs.valid],
      ['events_1h', recs.valid, recs.valid],
      ['formats_1m', recs.valid, recs.valid],
      ['rejects_1m', recs.garbage, recs.garbage],
    ],
  );
  // A torn view part: the block's rows stay in `events`, the rollup never gets them.
  const [minute] = await ts.store.query<{ m: string; n: number }>(
    `SELECT toString(minute) AS m, sum(events) AS n FROM ${ts.db}.events_1m GROUP BY minute ORDER BY minute LIMIT 1`,
  );
  await ts.store.command(`ALTER TABLE ${ts.db}.events_1m DELETE WHERE minute = toDateTime({m:String}, 'UTC') SETTINGS mutations_sync = 2`, {
    m: minute!.m,
  });
  const drift = await rollupDrift(ts.store, ts.db, 0);
  const m1 = drift.find((d) => d.rollup === 'events_1m')!;
  assert.equal(m1.rows - m1.counted, Number(minute!.n));
  assert.ok(Number(minute!.n) > 0);
  for (const d of drift.filter((x) => x.rollup !== 'events_1m')) assert.equal(d.counted, d.rows, d.rollup);
  // What `faultline status` prints: one line when exact, the short rollup named with its numbers otherwise.
  assert.equal(formatRollups(exact), 'rollups: events_1m, events_1h, formats_1m, rejects_1m count every row once\n');
  assert.match(
    formatRollups(drift),
    new RegExp(`^ROLLUP SHORT: events_1m counts ${m1.counted} of ${m1.rows} events \\(${m1.rows - m1.counted} short`),
  );
  assert.equal(formatRollups(drift).split('\n').filter(Boolean).length, 1);
});
