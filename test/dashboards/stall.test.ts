// No false all-clear: the "Ingest stalled or behind" rule fires within 5 minutes of the last
// batch, keeps firing for a topic stalled for days (not only those seen in the last day), fires
// on an empty store, fires while a topic lags and resolves once it caught up; `faultline alerts
// check --at <2 days after ingest stopped>` fires after a real `faultline run --from file:`.
// Ledger rows are dated relative to now (a few days back: no TTL can expire them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runAlerts } from '../../cli/commands/alerts.ts';
import { alertRules, evaluateRules, tables } from '../../dashboards/index.ts';
import { evaluateRule } from '../../dashboards/alert-check.ts';
import { NO_BATCH_TOPIC } from '../../dashboards/freshness.ts';
import { loadConfig } from '../../lib/config.ts';
import { openStore, type Store } from '../../sql/index.ts';
import type { LedgerRow } from '../../sql/ledger.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'faultline-stall-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A ledger row (sql/ledger.ts) with the time the sink wrote it. */
interface Batch extends LedgerRow {
  batch_time: string;
}

/** Ledger rows every 10 s per partition over [fromMs, toMs), with lag(ms) messages behind. */
function ledger(topic: string, partitions: number, fromMs: number, toMs: number, lag: (ms: number) => number = () => 3): Batch[] {
  const out: Batch[] = [];
  const next = new Map<number, number>();
  for (let ms = fromMs; ms < toMs; ms += 10_000) {
    for (let p = 0; p < partitions; p++) {
      const first = next.get(p) ?? 0;
      next.set(p, first + 50);
      out.push({
        batch_time: new Date(ms).toISOString(),
        topic,
        partition: p,
        first_offset: first,
        last_offset: first + 49,
        records: 50,
        events: 50,
        rejects: 0,
        lag: lag(ms),
        consumer: 'faultline-1',
      });
    }
  }
  return out;
}

async function openLedgerStore(db: string, rows: Batch[]): Promise<Store> {
  const store = await openStore(loadConfig({ FAULTLINE_DATA: join(root, db), CLICKHOUSE_DATABASE: db }));
  await store.migrate();
  // The Store interface has no ledger insert (the sink writes it with its own batches).
  if (rows.length)
    await store.command(
      `INSERT INTO ${db}.ingest_batches SETTINGS date_time_input_format = 'best_effort' FORMAT ` +
        `JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join('\n')}`,
    );
  return store;
}

const stalledRule = (db: string) => alertRules(tables(db)).find((r) => r.uid === 'faultline-ingest-stalled')!;
const byTopic = (series: { labels: Record<string, string>; value: number; firing: boolean }[]) =>
  Object.fromEntries(series.map((s) => [s.labels.topic, { value: s.value, firing: s.firing }]));

describe('a topic stops for days while another keeps going', () => {
  const db = 'stall_days';
  // Whole minutes, three days back: gateway-logs stops then, client-logs runs up to now.
  const stop = Math.floor(Date.now() / MIN) * MIN - 3 * DAY;
  let store: Store;
  before(async () => {
    store = await openLedgerStore(db, [
      ...ledger('gateway-logs', 2, stop - 2 * 3_600_000, stop),
      ...ledger('client-logs', 1, stop - 2 * 3_600_000, stop + 3 * DAY - 5 * MIN),
    ]);
  });
  after(() => store?.close());

  test('quiet right after the last batch; fires 3 minutes later (with for 1m: within 5 minutes)', async () => {
    const last = stop - 10_000;
    const r = stalledRule(db);
    assert.deepEqual(byTopic((await evaluateRule(store, r, last + 2 * MIN)).series)['gateway-logs'], { value: 120, firing: false });
    assert.deepEqual(byTopic((await evaluateRule(store, r, last + 3 * MIN + 10_000)).series)['gateway-logs'], { value: 190, firing: true });
    assert.equal(r.for, '1m');
  });

  for (const [name, after] of [
    ['1 hour', 3_600_000],
    ['23 hours', 23 * 3_600_000],
    ['25 hours', 25 * 3_600_000],
    ['2 days', 2 * DAY],
    ['3 days', 3 * DAY - 6 * MIN],
  ] as const) {
    test(`still firing for the stalled topic ${name} after it stopped, and only for it`, async () => {
      const res = await evaluateRule(store, stalledRule(db), stop + after);
      const got = byTopic(res.series);
      assert.deepEqual(got['gateway-logs'], { value: (after + 10_000) / 1000, firing: true });
      assert.equal(got['client-logs']!.firing, false, JSON.stringify(got));
      assert.deepEqual(Object.keys(got).sort(), ['client-logs', 'gateway-logs']);
    });
  }

  test('the rules over events say how current the data is (seconds since the newest batch of any topic)', async () => {
    const results = await evaluateRules(store, alertRules(tables(db)), stop + 3 * DAY);
    for (const r of results) {
      assert.equal(r.error, undefined, r.rule.uid);
      if (r.rule.reads === 'events') assert.equal(r.freshnessS, 5 * 60 + 10, r.rule.uid);
      else assert.equal(r.freshnessS, undefined);
    }
  });
});

describe('an empty store is not healthy', () => {
  const db = 'stall_empty';
  let store: Store;
  before(async () => (store = await openLedgerStore(db, [])));
  after(() => store?.close());

  test(`the rule returns one ${NO_BATCH_TOPIC} row and fires; the event rules say they cannot see traffic`, async () => {
    const at = Date.now();
    const res = await evaluateRule(store, stalledRule(db), at);
    assert.equal(res.error, undefined);
    assert.equal(res.firing, true);
    assert.deepEqual(
      res.series.map((s) => [s.labels.topic, s.value]),
      [[NO_BATCH_TOPIC, Math.floor(at / 1000)]],
    );
    const spike = await evaluateRule(store, alertRules(tables(db))[0]!, at);
    assert.ok(spike.freshnessS! >= 86_400);
  });
});

describe('a batch written in the very second of the evaluation', () => {
  const db = 'stall_same_second';
  const t = Math.floor(Date.now() / 1000) * 1000 - 86_400_000 + 500;
  let store: Store;
  before(
    async () =>
      (store = await openLedgerStore(db, [
        {
          batch_time: new Date(t).toISOString(),
          topic: 'gateway-logs',
          partition: 0,
          first_offset: 0,
          last_offset: 9,
          records: 10,
          events: 10,
          rejects: 0,
          lag: 0,
          consumer: 'c',
        },
      ])),
  );
  after(() => store?.close());

  test('counts (the macro truncates $__toTime to the second): value 0, not the (none) row', async () => {
    const res = await evaluateRule(store, stalledRule(db), t + 400);
    assert.deepEqual(
      res.series.map((s) => [s.labels.topic, s.value, s.firing]),
      [['gateway-logs', 0, false]],
    );
  });
});

describe('a topic that falls behind fires until it catches up', () => {
  const db = 'stall_lag';
  const start = Math.floor(Date.now() / MIN) * MIN - 2 * DAY;
  // Batches keep arriving every 10 s (100 records/10 s on 2 partitions: 10 records/s), but from
  // +60 min the consumer lags 3,000 messages per partition (6,000 / 10 per s = 600 s behind),
  // back to 3 at +90 min.
  const lag = (ms: number) => (ms >= start + 60 * MIN && ms < start + 90 * MIN ? 3000 : 3);
  let store: Store;
  before(async () => (store = await openLedgerStore(db, ledger('gateway-logs', 2, start, start + 3 * 3_600_000, lag))));
  after(() => store?.close());

  test('behind = lag / throughput while lagging; the time since the last batch when caught up', async () => {
    const r = stalledRule(db);
    const at = async (min: number) => byTopic((await evaluateRule(store, r, start + min * MIN + 5_000)).series)['gateway-logs'];
    assert.deepEqual(await at(30), { value: 5, firing: false });
    assert.deepEqual(await at(75), { value: 600, firing: true });
    assert.deepEqual(await at(89), { value: 600, firing: true });
    assert.deepEqual(await at(95), { value: 5, firing: false });
  });
});

describe('faultline alerts check after a real `faultline run` stopped', () => {
  const data = join(root, 'run');
  const db = 'stall_run';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FAULTLINE_DATA: data,
    CLICKHOUSE_DATABASE: db,
    FAULTLINE_METRICS_PORT: '0',
    FAULTLINE_LOG_LEVEL: 'warn',
  };
  delete env.CLICKHOUSE_URL;

  test('ingest some lines, stop; at +1 min ok, at +2 days FIRING for the file topic', async () => {
    const file = join(root, 'gateway.log');
    writeFileSync(file, `${['{"not":"a gateway record"}', 'plain text line', '{"msg":"x"}'].join('\n')}\n`);
    const r = spawnSync(process.execPath, [bin, 'run', '--from', `file:${file}`, '--source', 'gateway', '--progress-ms', '0'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(r.status, 0, r.stderr);
    const stopped = Date.now();
    const check = async (atMs: number) => {
      const saved = { ...process.env };
      Object.assign(process.env, { FAULTLINE_DATA: data, CLICKHOUSE_DATABASE: db });
      delete process.env.CLICKHOUSE_URL;
      let out = '';
      try {
        assert.equal(
          await runAlerts(['check', '--at', new Date(atMs).toISOString(), '--rule', 'faultline-ingest-stalled'], (t) => (out += t)),
          0,
        );
      } finally {
        process.env = saved;
      }
      return out;
    };
    const soon = await check(stopped + MIN);
    assert.match(soon, /^ok {5}faultline-ingest-stalled /m, soon);
    const later = await check(stopped + 2 * DAY);
    assert.match(later, /^FIRING faultline-ingest-stalled /m, later);
    const m = /! topic=file:gateway\.log: value (\d+) > 180/.exec(later);
    assert.ok(m, later);
    assert.ok(Number(m[1]) >= 2 * 86_400 && Number(m[1]) < 2 * 86_400 + 120, later);
  });
});
