// The SQL proof: every target of every dashboard panel (and every variable query), with the
// plugin's macros expanded as docs/grafana.md describes for a fixed range, runs on real chDB loaded
// with the synthetic day, and returns exactly the rows the JS model computes from that day.
// Short ranges and sub-hour intervals read events_1m; whole-hour intervals (time series) and
// ranges of two days or more (tables, variables) read whole hours from events_1h and the
// partial edge hours from events_1m (dashboards/rollup.ts): EXPLAIN ESTIMATE shows which.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { buildDashboards, tables } from '../../dashboards/index.ts';
import { expandQuery } from '../../dashboards/macros.ts';
import { eventsRollup, LONG_RANGE_S } from '../../dashboards/rollup.ts';
import type { Store } from '../../sql/index.ts';
import { EventSchema } from '../../transform/event.ts';
import { DAY_START, type SyntheticDay } from '../support/synthetic-day.ts';
import { openSyntheticDayStore, type SyntheticDayStore } from '../support/synthetic-day-store.ts';
import { uniqueDatabase } from '../support/stores.ts';
import { makeModel, normalize, type Selection } from './model.ts';
import '../support/seed.ts';

type Model = ReturnType<typeof makeModel>;
const models = new Map<Scenario, Model>();
/** One model per scenario, its panel results computed once. */
function modelOf(sc: Scenario): Model {
  let m = models.get(sc);
  if (!m) {
    const fresh = makeModel({ day, fromMs: sc.fromMs, toMs: sc.toMs, intervalS: sc.intervalMs / 1000, sel: sc.sel });
    const memo: Model = {};
    for (const [k, f] of Object.entries(fresh)) {
      let rows: ReturnType<typeof f> | undefined;
      memo[k] = () => (rows ??= f());
    }
    m = memo;
    models.set(sc, m);
  }
  return m;
}

const DB = uniqueDatabase('dash_panels');
let store: Store;
let day: SyntheticDay;

let fixture: SyntheticDayStore | undefined;

before(async () => {
  fixture = await openSyntheticDayStore(DB);
  ({ store, day } = fixture);
});
after(() => fixture?.close());

const dashboards = buildDashboards(DB);
const ALL = '$__all';

interface Scenario {
  name: string;
  fromMs: number;
  toMs: number;
  intervalMs: number;
  vars: Record<string, string | string[]>;
  sel: Selection;
}

const scenarios: Scenario[] = [
  {
    name: 'whole day, 5-minute interval, All selected',
    fromMs: DAY_START,
    toMs: DAY_START + 86_400_000 - 1,
    intervalMs: 300_000,
    vars: { channel: ALL, source: ALL, category: ALL, request_id: 'req_spike_600_3' },
    sel: { requestId: 'req_spike_600_3' },
  },
  {
    name: '06:30–12:45, 1-minute interval, channels 1688+taobao, gateway, AUTH/CHANNEL/RATE_LIMIT errors',
    fromMs: DAY_START + 390 * 60_000,
    toMs: DAY_START + 765 * 60_000 + 999,
    intervalMs: 60_000,
    vars: {
      channel: ['1688', 'taobao'],
      source: ['gateway'],
      category: ['AUTH_ERROR', 'CHANNEL_ERROR', 'RATE_LIMIT_ERROR'],
      request_id: ' req_1688_0_0 ',
    },
    sel: {
      channel: ['1688', 'taobao'],
      source: ['gateway'],
      category: ['AUTH_ERROR', 'CHANNEL_ERROR', 'RATE_LIMIT_ERROR'],
      requestId: ' req_1688_0_0 ',
    },
  },
  {
    name: '15:00–21:00, 10-minute interval, channel taobao only, request id that tries to break out of the string',
    fromMs: DAY_START + 900 * 60_000,
    toMs: DAY_START + 1260 * 60_000,
    intervalMs: 600_000,
    vars: { channel: ['taobao'], source: ALL, category: ALL, request_id: "x' OR 1=1 OR request_id != '\\" },
    sel: { channel: ['taobao'], requestId: "x' OR 1=1 OR request_id != '\\" },
  },
  {
    // Time series read events_1h (1-hour buckets) plus the partial first and last hour from
    // events_1m; tables stay on events_1m (under two days).
    name: '01:10:20–23:35, 1-hour interval, All selected',
    fromMs: DAY_START + 70 * 60_000 + 20_000,
    toMs: DAY_START + 1415 * 60_000,
    intervalMs: 3_600_000,
    vars: { channel: ALL, source: ALL, category: ALL, request_id: 'req_spike_600_3' },
    sel: { requestId: 'req_spike_600_3' },
  },
  {
    // Everything rollup-backed reads events_1h, the trailing 17:00–17:45 from events_1m.
    name: 'three days to 17:45:10, 1-day interval, channels taobao+pdd, AUTH/CHANNEL/RATE_LIMIT/INTERNAL errors',
    fromMs: DAY_START - 2 * 86_400_000 + 10 * 3_600_000,
    toMs: DAY_START + 1065 * 60_000 + 10_000,
    intervalMs: 86_400_000,
    vars: {
      channel: ['taobao', 'pdd'],
      source: ALL,
      category: ['AUTH_ERROR', 'CHANNEL_ERROR', 'RATE_LIMIT_ERROR', 'INTERNAL_ERROR'],
      request_id: 'req_1688_0_0',
    },
    sel: {
      channel: ['taobao', 'pdd'],
      category: ['AUTH_ERROR', 'CHANNEL_ERROR', 'RATE_LIMIT_ERROR', 'INTERNAL_ERROR'],
      requestId: 'req_1688_0_0',
    },
  },
  {
    // Exactly two days from 06:23:30: the leading 06:23:30–06:59 from events_1m, 2-hour buckets.
    name: 'two days from 06:23:30, 2-hour interval, gateway only',
    fromMs: DAY_START + 383 * 60_000 + 30_000,
    toMs: DAY_START + 383 * 60_000 + 30_000 + 2 * 86_400_000,
    intervalMs: 7_200_000,
    vars: { channel: ALL, source: ['gateway'], category: ALL, request_id: '' },
    sel: { source: ['gateway'] },
  },
];

for (const sc of scenarios) {
  describe(sc.name, () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        test(`${d.title} / ${p.title}`, async () => {
          const expected = modelOf(sc)[p.title];
          assert.ok(expected, `no model for panel "${p.title}"`);
          for (const t of p.targets) {
            const sql = expandQuery(t.rawSql, { fromMs: sc.fromMs, toMs: sc.toMs, intervalMs: sc.intervalMs, variables: sc.vars });
            const rows = normalize(await store.query(sql));
            assert.deepEqual(rows, normalize(expected()), sql);
          }
        });
      }
    }
  });
}

describe('the scenarios exercise every panel with data', () => {
  test('each panel returns rows in at least one scenario, and every incident shows up', async () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        const sizes = scenarios.map((sc) => modelOf(sc)[p.title]!().length);
        // The synthetic day has no retries (attempt 1 everywhere): test/dashboards/ops-questions.test.ts has its own.
        // Nor history before it (the forecast learns from earlier days): ops-questions.test.ts too.
        if (p.title === 'Clients retrying against the advice, by app' || p.title === 'Quota forecast (today)') continue;
        assert.ok(
          sizes.some((n) => n > 0),
          `${p.title} is empty in every scenario`,
        );
      }
    }
    const m = modelOf(scenarios[0]!);
    assert.deepEqual(
      m['Daily quota first exhausted today']!().map((r) => [r.channel, new Date(r.first_exhausted as number).toISOString()]),
      // pdd's single QUOTA_EXCEEDED every hour at :30 is not an exhaustion; Taobao's from 16:00 on is.
      [['taobao', '2026-11-21T16:00:00.000Z']],
    );
    assert.deepEqual(
      m['Vendor timeouts']!()
        .map((r) => r.timeouts)
        .filter((n) => n !== 0),
      [150, 150, 150],
    );
    // Zero-filled: every 5-minute bucket of the day, for the one vendor with timeouts.
    assert.equal(m['Vendor timeouts']!().length, 288);
    assert.equal(m['Request events']!().length, 2);
  });
});

describe('an empty range (the six hours before the synthetic day)', () => {
  const sc: Scenario = {
    name: 'empty',
    fromMs: DAY_START - 6 * 3_600_000,
    toMs: DAY_START - 60_001,
    intervalMs: 600_000,
    vars: { channel: ALL, source: ALL, category: ALL, request_id: '' },
    sel: {},
  };
  test('every panel equals the model; no NaN anywhere; the error rate is null; count series read 0 in every bucket', async () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        for (const t of p.targets) {
          const rows = normalize(
            await store.query(expandQuery(t.rawSql, { fromMs: sc.fromMs, toMs: sc.toMs, intervalMs: sc.intervalMs, variables: sc.vars })),
          );
          assert.deepEqual(rows, normalize(modelOf(sc)[p.title]!()), p.title);
          for (const r of rows) for (const v of Object.values(r)) assert.ok(!(typeof v === 'number' && Number.isNaN(v)), `${p.title}: NaN`);
        }
      }
    }
    assert.deepEqual(modelOf(sc)['Error rate']!(), [{ error_rate: null }]);
    const kinds = modelOf(sc)['Limit hits by kind']!();
    assert.equal(kinds.length, 36);
    assert.ok(kinds.every((r) => r.rate === 0 && r.quota === 0));
    assert.deepEqual(modelOf(sc)['Upstream errors by vendor']!(), []);
  });
});

describe('the synthetic day', () => {
  test('every event satisfies the event contract and the day reached the rollups', async () => {
    for (const e of day.events) EventSchema.parse(e);
    const [r] = await store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${DB}.events_1m`);
    assert.equal(r!.n, day.events.length);
  });
});

describe('variable queries', () => {
  const vars = dashboards[0]!.templating!.list!.filter((v) => v.type === 'query');
  const distinct = (f: (e: SyntheticDay['events'][number]) => string, from = -Infinity, to = Infinity) =>
    [
      ...new Set(
        day.events
          .filter((e) => Date.parse(e.event_time) >= from && Date.parse(e.event_time) < to)
          .map(f)
          .filter(Boolean),
      ),
    ].sort();
  const values = async (ctx: { fromMs: number; toMs: number; intervalMs: number }) => {
    const got: Record<string, string[]> = {};
    for (const v of vars)
      got[v.name] = (await store.query<Record<string, string>>(expandQuery(String(v.query), ctx))).map((r) => Object.values(r)[0]!);
    return got;
  };

  test('channel, source and category list the values of the range from events_1m (one day)', async () => {
    const ctx = { fromMs: DAY_START, toMs: DAY_START + 86_399_999, intervalMs: 300_000 };
    const got = await values(ctx);
    assert.deepEqual(got, {
      channel: distinct((e) => e.channel),
      source: distinct((e) => e.source),
      category: distinct((e) => e.category),
    });
    assert.deepEqual(got.channel, ['1688', 'pdd', 'taobao']);
    for (const v of vars) assert.equal((await rollupRows(expandQuery(String(v.query), ctx))).h, 0, v.name);
  });

  test('over three days ending 12:00:30 they come from events_1h, the last half minute from events_1m', async () => {
    const ctx = { fromMs: DAY_START - 2 * 86_400_000, toMs: DAY_START + 720 * 60_000 + 30_000, intervalMs: 1_800_000 };
    const got = await values(ctx);
    // The minute 12:00 is inside the range (its start is): it counts, 12:01 does not.
    const end = DAY_START + 721 * 60_000;
    assert.deepEqual(got, {
      channel: distinct((e) => e.channel, -Infinity, end),
      source: distinct((e) => e.source, -Infinity, end),
      category: distinct((e) => e.category, -Infinity, end),
    });
    for (const v of vars) {
      const { m, h } = await rollupRows(expandQuery(String(v.query), ctx));
      assert.ok(h > 0 && m > 0, `${v.name}: 1h ${h} / 1m ${m} rows`);
    }
  });
});

// ---- which rollup a query reads -----------------------------------------------------------

const rangeS = (sc: { fromMs: number; toMs: number }) => Math.floor(sc.toMs / 1000) - Math.floor(sc.fromMs / 1000);

/** Rows EXPLAIN ESTIMATE says the query reads from each event rollup (0 when a branch is pruned). */
async function rollupRows(sql: string): Promise<{ m: number; h: number }> {
  const est = await store.query<{ table: string; rows: number }>(`EXPLAIN ESTIMATE ${sql}`);
  const rows = (table: string) => est.filter((r) => r.table === table).reduce((s, r) => s + Number(r.rows), 0);
  return { m: rows('events_1m'), h: rows('events_1h') };
}

describe('which rollup each query reads (EXPLAIN ESTIMATE)', () => {
  for (const sc of scenarios) {
    test(sc.name, async () => {
      const seriesHourly = (sc.intervalMs / 1000) % 3600 === 0;
      const tableHourly = rangeS(sc) >= LONG_RANGE_S;
      let hourlyReads = 0;
      for (const d of dashboards) {
        for (const p of d.panels) {
          for (const t of p.targets) {
            if (!t.rawSql.includes(`${DB}.events_1h`)) continue;
            const hourly = t.queryType === 'timeseries' ? seriesHourly : tableHourly;
            const sql = expandQuery(t.rawSql, { fromMs: sc.fromMs, toMs: sc.toMs, intervalMs: sc.intervalMs, variables: sc.vars });
            const { m, h } = await rollupRows(sql);
            if (hourly) {
              assert.ok(h > 0, `${p.title}: events_1h not read`);
              hourlyReads++;
            } else {
              assert.deepEqual([h > 0, m > 0], [false, true], `${p.title}: expected events_1m only, read 1m ${m} / 1h ${h} rows`);
            }
          }
        }
      }
      assert.ok(
        hourlyReads > 0 === (seriesHourly || tableHourly),
        'the scenario should exercise the hourly branch exactly when a switch is on',
      );
    });
  }

  test('the hourly branch reads no minute rows when the range is whole hours; a short range reads no hourly rows', async () => {
    const t = tables(DB);
    const q = (sw: 'interval' | 'range') => `SELECT sum(events) AS n FROM ${eventsRollup(t, sw)}`;
    const week = { fromMs: DAY_START - 3 * 86_400_000, toMs: DAY_START + 4 * 86_400_000 - 1, intervalMs: 3_600_000 };
    for (const sw of ['interval', 'range'] as const) {
      assert.deepEqual(await rollupRows(expandQuery(q(sw), week)), { m: 0, h: await hourRows() }, sw);
      const sql = expandQuery(q(sw), week);
      assert.deepEqual(await store.query(sql), [{ n: day.events.length }], sw);
    }
    const sixHours = { fromMs: DAY_START + 6 * 3_600_000, toMs: DAY_START + 12 * 3_600_000, intervalMs: 120_000 };
    for (const sw of ['interval', 'range'] as const) assert.equal((await rollupRows(expandQuery(q(sw), sixHours))).h, 0, sw);
  });
});

async function hourRows(): Promise<number> {
  const [r] = await store.query<{ n: number }>(`SELECT count() AS n FROM ${DB}.events_1h`);
  return Number(r!.n);
}

describe('edges: hourly and minute branches partition the range exactly', () => {
  test('for random ranges and both switches forced on, per-minute-bucket sums equal events_1m alone', async () => {
    const t = tables(DB);
    // Ranges around the synthetic day, at second precision, from under an hour (no whole hour:
    // the hourly branch must be empty) to several days; intervals that are whole hours.
    const arb = fc.record({
      from: fc.integer({ min: -2 * 86_400, max: 23 * 3600 }),
      lengthS: fc.oneof(fc.integer({ min: 0, max: 2 * 3600 }), fc.integer({ min: 0, max: 5 * 86_400 })),
      hours: fc.constantFrom(1, 2, 3, 6, 24),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ from, lengthS, hours }) => {
        const fromMs = DAY_START + from * 1000 + 250;
        const ctx = { fromMs, toMs: fromMs + lengthS * 1000, intervalMs: hours * 3_600_000 };
        for (const sw of ['interval', 'range'] as const) {
          if (sw === 'range' && lengthS < LONG_RANGE_S) continue;
          const got = await store.query(
            expandQuery(
              `SELECT $__timeInterval(minute) AS time, sum(events) AS n, sum(latency_ms_sum) AS l
          FROM ${eventsRollup(t, sw)} GROUP BY time ORDER BY time`,
              ctx,
            ),
          );
          const want = await store.query(
            expandQuery(
              `SELECT $__timeInterval(minute) AS time, sum(events) AS n, sum(latency_ms_sum) AS l
          FROM ${t.events1m} WHERE $__timeFilter(minute) GROUP BY time ORDER BY time`,
              ctx,
            ),
          );
          assert.deepEqual(got, want, `${sw} ${new Date(ctx.fromMs).toISOString()} +${lengthS}s`);
        }
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});
