// `faultline status`'s rollup check (sql/rollup-drift.ts) on chDB: after the sink's inserts every
// rollup counts each row once; a view part lost (what a kill tearing it leaves: the rows in
// `events`, not in the rollup) shows as that rollup short by exactly those rows, and
// `--repair-rollups` (sql/rollup-repair.ts) adds exactly what is missing, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../ingest/log.ts';
import { Sink } from '../../ingest/sink.ts';
import { deliveryTarget } from '../../sql/ledger.ts';
import { rollupDrift } from '../../sql/rollup-drift.ts';
import { formatRollups } from '../../cli/commands/status.ts';
import { repairRollups } from '../../sql/rollup-repair.ts';
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

test('repairing rollups adds exactly what a lost view part took, in every rollup and the request index, once', async (t) => {
  const ts = await testStore('repair');
  t.after(() => ts.cleanup());
  const recs = records('gateway', 400, { tag: 'rp' });
  const sink = new Sink({ target: deliveryTarget(ts.store), log: silentLogger });
  await sink.write(await segmentsOf('gw', 0, recs.values, 0, [], null, Date.UTC(2026, 10, 21, 10, 0, 0)));
  const snapshot = async () => {
    const [r] = await ts.store.query<Record<string, number>>(
      `SELECT (SELECT sum(events) FROM ${ts.db}.events_1m) AS m, (SELECT sum(events) FROM ${ts.db}.events_1h) AS h,
              (SELECT sum(rejects) FROM ${ts.db}.rejects_1m) AS rj, (SELECT sum(events) FROM ${ts.db}.request_index) AS ri,
              (SELECT count() FROM (SELECT request_id FROM ${ts.db}.request_index GROUP BY request_id)) AS ids,
              (SELECT sum(latency_ms_sum) FROM ${ts.db}.events_1m) AS lat`,
    );
    const n = (k: string) => Number(r![k]);
    return { m: n('m'), h: n('h'), rj: n('rj'), ri: n('ri'), ids: n('ids'), lat: n('lat') };
  };
  const before = await snapshot();
  assert.equal(before.m, recs.valid);
  assert.deepEqual(
    (await repairRollups(ts.store, ts.db, 0)).filter((r) => r.groups > 0),
    [],
    'nothing to repair',
  );
  // Torn view parts: a minute of events_1m, an hour of events_1h, a minute of rejects_1m, a request's index entry.
  const lose = (sql: string) => ts.store.command(`${sql} SETTINGS mutations_sync = 2`);
  const [m] = await ts.store.query<{ m: string }>(`SELECT toString(min(minute)) AS m FROM ${ts.db}.events_1m`);
  await lose(`ALTER TABLE ${ts.db}.events_1m DELETE WHERE minute = toDateTime('${m!.m}', 'UTC')`);
  await lose(`ALTER TABLE ${ts.db}.events_1h DELETE WHERE hour = (SELECT min(hour) FROM ${ts.db}.events_1h)`);
  await lose(`ALTER TABLE ${ts.db}.rejects_1m DELETE WHERE minute = (SELECT max(minute) FROM ${ts.db}.rejects_1m)`);
  const [id] = await ts.store.query<{ id: string }>(`SELECT min(request_id) AS id FROM ${ts.db}.request_index`);
  await lose(`ALTER TABLE ${ts.db}.request_index DELETE WHERE request_id = '${id!.id}'`);
  const torn = await snapshot();
  assert.ok(torn.m < before.m && torn.h < before.h && torn.rj < before.rj && torn.ids === before.ids - 1, JSON.stringify(torn));

  const repaired = await repairRollups(ts.store, ts.db, 0);
  const by = Object.fromEntries(repaired.map((r) => [r.rollup, r]));
  assert.equal(by.events_1m!.added, before.m - torn.m);
  assert.equal(by.events_1h!.added, before.h - torn.h);
  assert.equal(by.rejects_1m!.added, before.rj - torn.rj);
  assert.equal(by.request_index!.groups, 1);
  assert.equal(by.formats_1m!.groups, 0);
  assert.deepEqual(await snapshot(), before, 'every rollup and the index as the inserts left them, latency sums included');
  assert.deepEqual(
    (await rollupDrift(ts.store, ts.db, 0)).filter((d) => d.rows !== d.counted),
    [],
  );
  assert.deepEqual(
    (await repairRollups(ts.store, ts.db, 0)).filter((r) => r.groups > 0),
    [],
    'a second repair adds nothing',
  );
});
